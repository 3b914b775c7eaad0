import { FRR_CATALOGUE, isFrrDaemon, type FrrDaemon } from './catalogue.js';

/** Config lines without comments (`!` lines and trailing `! ...`), as written. */
function configLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => !/^\s*[!#]/.test(l));
}

/**
 * The daemons a config needs, in start order: zebra always, each other daemon when a line of the
 * config is one of its sections (`router ospf` -> ospfd, `ip route` -> staticd). Pure.
 */
export function daemonsFromConfig(text: string): FrrDaemon[] {
  const lines = configLines(text);
  return FRR_CATALOGUE.filter((d) => d.name === 'zebra' || d.needs.some((re) => lines.some((l) => re.test(l)))).map((d) => d.name);
}

/**
 * The daemons an FRR `daemons` file starts, in start order, with FRR's own rules (frrcommon.sh):
 * zebra and staticd always; `NAME=VALUE` enables NAME unless VALUE is empty, `no` or `0`. Shell
 * quoting and trailing comments are allowed; other variables (`*_options`, `vtysh_enable`) and
 * daemons FRR 8.4 does not ship (sharpd, pim6d) are ignored. Pure.
 */
export function daemonsFromDaemonsFile(text: string): FrrDaemon[] {
  const on = new Set<FrrDaemon>(['zebra', 'staticd']);
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([a-z0-9]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s#]*))/.exec(raw);
    if (!m) continue;
    const value = (m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (isFrrDaemon(m[1]) && value !== '' && value !== 'no' && value !== '0') on.add(m[1]);
  }
  return FRR_CATALOGUE.filter((d) => on.has(d.name)).map((d) => d.name);
}
