import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { LabError } from '../errors.js';

async function onPath(tool: string): Promise<boolean> {
  const candidates = tool.includes('/') ? [tool] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).concat(['/usr/sbin', '/sbin']).map((d) => join(d, tool));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Fails with one error naming every missing tool and the command that installs them. */
export async function checkTools(tools: string[]): Promise<void> {
  const missing: string[] = [];
  for (const t of tools) if (!(await onPath(t))) missing.push(t);
  if (missing.length) {
    throw new LabError('environment', `missing on this machine: ${missing.join(', ')}`, { hint: 'run: sudo ./scripts/setup.sh' });
  }
}
