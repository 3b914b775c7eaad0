import type { LabEvent } from '../lab/events.js';

/** One formatter per event kind; progress goes to stderr so stdout stays for results. */
export function progressPrinter(write: (s: string) => void, opts: { quiet?: boolean } = {}): (e: LabEvent) => void {
  let lastWait = 0;
  return (e) => {
    if (opts.quiet && e.kind !== 'warning') return;
    switch (e.kind) {
      case 'step':
        return;
      case 'step-done':
        write(`[${e.lab}] ${e.step.padEnd(10)} ${fmtMs(e.ms).padStart(8)}${e.detail ? `  ${e.detail}` : ''}\n`);
        return;
      case 'wait': {
        const now = Date.now();
        if (now - lastWait < 1000) return;
        lastWait = now;
        write(`[${e.lab}] waiting for ${e.what}: ${e.done}/${e.total}${e.pending.length ? ` (pending: ${e.pending.join(', ')})` : ''}\n`);
        return;
      }
      case 'warning':
        write(`[${e.lab}]${e.node ? ` ${e.node}:` : ''} warning: ${e.message}\n`);
        return;
      case 'cleanup':
        write(`[${e.lab}] ${e.detail}\n`);
        return;
    }
  };
}

export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
