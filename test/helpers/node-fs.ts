import { readdirSync, readFileSync } from 'node:fs';
import { leftovers } from './machine.js';

/**
 * Everything of a lab still on the machine, node filesystems included: what `leftovers` finds,
 * mounts under the lab's state folder or of its namespaces, and processes that carry its marker.
 */
export function traces(lab: string): string[] {
  const out = leftovers(lab);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const at = line.split(' ')[4] ?? '';
    if (at.includes(`/asymlab/${lab}/`) || at.endsWith(`/asymlab/${lab}`) || at.includes(`asymlab_${lab}_`)) out.push(`mount ${at}`);
  }
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').some((e) => e.startsWith(`ASYMLAB_NS=asymlab_${lab}_`))) out.push(`process ${p}`);
    } catch {
      /* exited, or not ours to read */
    }
  }
  return out;
}
