import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { orList, usage } from '../../src/cli/spec.js';
import { RUNTIME_NAMES } from '../../src/runtime/registry.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('per-command options', () => {
  it('the usage text is generated from the specs: every option of every command is in it', () => {
    const text = usage(COMMANDS);
    for (const c of COMMANDS) {
      expect(text).toContain(`  ${c.name}`);
      for (const o of Object.keys(c.options)) expect(text).toMatch(new RegExp(`--${o}\\b`));
    }
    expect(text).toMatch(/run LAB[\s\S]*--keep-up/);
    expect(text).toMatch(/trace LAB FROM TO\[:PORT\][^\n]*\n\s+--json/);
  });

  it('an option another command takes is still an error for this one, with the options it does take', async () => {
    const r = await cli('pcap', 'x.pcap', '--junit', 'out.xml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pcap: Unknown option '--junit'/);
    expect(r.err).toMatch(/pcap takes --json/);
    const d = await cli('down', 'lab', '--keep-up');
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/down takes no options/);
  });

  it('a missing argument names it and shows the command usage', async () => {
    const r = await cli('trace', 'lab', 'a');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/trace: missing LAB, FROM and TO[\s\S]*asymlab trace LAB FROM TO\[:PORT\]/);
  });

  it('--runtime takes the names of the runtime registry', async () => {
    expect(RUNTIME_NAMES).toEqual(['netns', 'docker']);
    const r = await cli('validate', 'labs/basic/quick.yaml', '--runtime', 'podman');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--runtime must be ${orList(RUNTIME_NAMES)}, not 'podman'`);
  });

  it('orList joins with commas and a final or', () => {
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });
});
