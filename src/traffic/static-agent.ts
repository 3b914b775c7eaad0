/**
 * The static flow agent (agent/asymlab-agent.c) for nodes without Node.js, reached only through an
 * exec channel (src/runtime/exec-channel.ts). Built on first use with the machine's C compiler into
 * asymlab's cache, keyed by the source's hash, and reused after.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.js';
import { checkTools } from '../runtime/preflight.js';
import type { Runner } from '../util/exec.js';

/** agent/ of the package: from src/traffic/ and dist/traffic/ alike. */
export const STATIC_AGENT_SOURCE = fileURLToPath(new URL('../../agent/asymlab-agent.c', import.meta.url));
export const AGENT_CACHE_DIR = '/var/cache/asymlab';

/** The agent's bytes: from the cache, else built (`cc -static`) and cached. */
export async function ensureStaticAgent(run: Runner, opts: { cacheDir?: string; source?: string } = {}): Promise<Buffer> {
  const source = opts.source ?? STATIC_AGENT_SOURCE;
  const text = await readFile(source).catch((e: unknown) => {
    throw new LabError('environment', `the static flow agent's source is missing: ${source} (${String(e)})`, { hint: 'reinstall asymlab' });
  });
  const key = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = opts.cacheDir ?? AGENT_CACHE_DIR;
  const binary = join(dir, `asymlab-agent-${key}`);
  const cached = await readFile(binary).catch(() => undefined);
  if (cached) return cached;
  await checkTools(['cc']).catch(() => {
    throw new LabError('environment', 'no C compiler to build the static flow agent (for nodes reached through an exec channel)', { hint: 'install one: sudo apt-get install gcc libc6-dev' });
  });
  await mkdir(dir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  const r = await run(['cc', '-static', '-O2', '-s', '-o', tmp, source], { reject: false, timeoutMs: 120_000 });
  if (r.failed) {
    await rm(tmp, { force: true });
    throw new LabError('environment', `could not build the static flow agent: ${r.stderr.trim().split('\n').slice(-5).join('\n    ')}`, {
      hint: 'a static build needs the C library\'s static archive: sudo apt-get install libc6-dev',
    });
  }
  await rename(tmp, binary);
  return readFile(binary);
}
