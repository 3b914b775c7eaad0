import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError, run, spawnBackground } from '../../src/util/exec.js';

/** The process group of a PID, field 5 of /proc/PID/stat (after the comm in parentheses). */
const pgrpOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);

describe('the command runner', () => {
  // 8 MiB is far more than a pipe holds: the write is still going on when the child exits.
  const big = 'x'.repeat(8 * 1024 * 1024);

  it('a child that exits without reading its input (EPIPE) resolves, and nothing is thrown unhandled', async () => {
    const r = await run(['true'], { input: big });
    expect(r.exitCode).toBe(0);
    expect(r.failed).toBe(false);
  });

  it('a child that fails without reading its input rejects with its own exit, not EPIPE', async () => {
    const err = await run(['sh', '-c', 'exit 3'], { input: big }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).result.exitCode).toBe(3);
    expect((err as CommandError).kind).toBe('runtime');
  });

  it('still feeds input to a child that reads it', async () => {
    const r = await run(['wc', '-c'], { input: 'hello\n' });
    expect(r.stdout.trim()).toBe('6');
  });

  it('runs children in a process group of their own, so a terminal Ctrl-C reaches the CLI alone', async () => {
    const own = pgrpOf(readFileSync('/proc/self/stat', 'utf8'));
    const r = await run(['cat', '/proc/self/stat']);
    expect(pgrpOf(r.stdout)).not.toBe(own);
    const bg = spawnBackground(['cat', '/proc/self/stat'], { captureStdout: true });
    expect(pgrpOf((await bg.exited).stdout)).not.toBe(own);
  });

  it('ends a child by PID when its time is up', async () => {
    const err = await run(['sleep', '30'], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect((err as CommandError).result.signal).toBe('SIGTERM');
  });

  it('says a missing command was not found (127)', async () => {
    const r = await run(['/nonexistent/asymlab-no-such-tool'], { reject: false });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/command not found/);
  });
});
