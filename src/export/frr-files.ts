/**
 * FRR's own files for an exported router: `daemons` (what FRR's init scripts start) and
 * vtysh.conf, beside the frr.conf asymlab renders or the lab names. Pure.
 */
import { daemonSpec, FRR_CATALOGUE, type FrrDaemon } from '../services/frr/catalogue.js';

/** The options asymlab starts every daemon with (src/services/frr/start.ts), in `daemons` form. */
function optionsOf(d: FrrDaemon): string {
  return ['-A', '127.0.0.1', ...(daemonSpec(d).args ?? [])].join(' ');
}

/**
 * A `daemons` file that enables exactly `daemons` (FRR's init scripts start zebra and staticd
 * whatever it says) with the start options and profile asymlab uses, so the routers behave alike.
 */
export function renderDaemonsFile(daemons: readonly FrrDaemon[]): string {
  const on = new Set(daemons);
  const lines = ['# Written by `asymlab export`: the daemons this router\'s FRR config needs, started as asymlab starts them.'];
  for (const d of FRR_CATALOGUE) lines.push(`${d.name}=${on.has(d.name) ? 'yes' : 'no'}`);
  lines.push('vtysh_enable=yes', 'frr_profile="traditional"');
  for (const d of FRR_CATALOGUE) if (on.has(d.name)) lines.push(`${d.name}_options="${optionsOf(d.name)}"`);
  return `${lines.join('\n')}\n`;
}

/** One integrated frr.conf, loaded by `vtysh -b` as FRR's init scripts do. */
export const VTYSH_CONF = 'service integrated-vtysh-config\n';
