/**
 * Only src/kinds/ knows kinds by name: every other module asks the plan (kind, capabilities,
 * services) or the registry, so a new kind is a file in src/kinds/ and a registry line. This reads
 * src/ for a registered kind's name as a string literal outside src/kinds/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kindNames } from '../../src/kinds/registry.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Literals that happen to spell a kind and are no kind: an address's scope in `ip -j addr`. */
const NOT_KINDS = [/\.scope === 'host'/];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `file:line: text` of every line that names a kind, or the old kind tables, outside src/kinds/. */
function kindNameUses(files: { path: string; text: string }[], names: string[]): string[] {
  const literal = new RegExp(`(['"\`])(${names.join('|')})\\1`);
  const tables = /\b(NODE_KINDS|KIND_DEFAULT_SYSCTLS)\b/;
  return files.flatMap(({ path, text }) =>
    text.split('\n').flatMap((line, i) => ((literal.test(line) || tables.test(line)) && !NOT_KINDS.some((re) => re.test(line)) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('kind names', () => {
  it('are compared nowhere outside src/kinds/', () => {
    const files = sources(SRC)
      .map((p) => relative(SRC, p))
      .filter((p) => !p.startsWith('kinds/'))
      .map((p) => ({ path: `src/${p}`, text: readFileSync(join(SRC, p), 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    expect(kindNameUses(files, kindNames())).toEqual([]);
  });

  it('the check finds what it is for', () => {
    const bad = [
      "if (node.kind === 'router') return true;",
      'const fw = n.kind !== "firewall";',
      "export const NODE_KINDS = ['host'];",
      "if (a.scope === 'host') skip();",
    ].join('\n');
    expect(kindNameUses([{ path: 'x.ts', text: bad }], kindNames())).toEqual([
      "x.ts:1: if (node.kind === 'router') return true;",
      'x.ts:2: const fw = n.kind !== "firewall";',
      "x.ts:3: export const NODE_KINDS = ['host'];",
    ]);
  });
});
