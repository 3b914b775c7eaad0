import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseResourceName } from '../plan/plan.js';

/**
 * Finds a lab's processes from /proc alone, also those whose namespace has lost its name (a teardown
 * cut short, a manual `ip netns del`), which `ip netns pids` cannot see. One pass over /proc per
 * teardown, whatever the number of namespaces. A process is the lab's when
 * - its network namespace is one of the lab's named namespaces (same inode), or
 * - it carries the marker every child a runtime starts for a node gets in its environment,
 *   ASYMLAB_NS=asymlab_<lab>_<node>, which a daemon forked from it inherits, or
 * - it is an FRR daemon with one of the lab's pathspaces (`-N asymlab_<lab>_<node>`), or whose PID
 *   one of the lab's FRR pid files names.
 * Zombies are not leaks: their parent reaps them.
 */
export const NS_MARKER = 'ASYMLAB_NS';

export interface ProcEntry {
  pid: number;
  /** The state letter of /proc/PID/stat: R, S, D, Z, X... */
  state: string;
  /** Inode of its network namespace. */
  netInode?: number;
  /** Its pid namespace (`pid:[...]`): the host's, or a container's. */
  pidNs?: string;
  /** The value of ASYMLAB_NS in its environment. */
  marker?: string;
  argv: string[];
}

/** The raw text of a process's /proc files. */
export interface ProcTexts {
  stat: string;
  /** readlink of ns/net: `net:[4026532226]`. */
  netLink?: string;
  pidNsLink?: string;
  /** NUL-separated, as in /proc/PID/environ. */
  environ?: string;
  /** NUL-separated, as in /proc/PID/cmdline. */
  cmdline?: string;
}

/** The comm field of stat may hold spaces and parentheses: the state follows the last ')'. */
export function stateOf(stat: string): string | undefined {
  const i = stat.lastIndexOf(')');
  return i < 0 ? undefined : /^ (\S)/.exec(stat.slice(i + 1))?.[1];
}

export function nsInodeOf(link: string | undefined): number | undefined {
  const m = /^\w+:\[(\d+)\]$/.exec(link ?? '');
  return m ? Number(m[1]) : undefined;
}

export function markerOf(environ: string | undefined): string | undefined {
  const entry = (environ ?? '').split('\0').find((e) => e.startsWith(`${NS_MARKER}=`));
  return entry?.slice(NS_MARKER.length + 1);
}

/** FRR's pathspace: `-N NAME`, `-NNAME`, `--pathspace NAME` or `--pathspace=NAME`. */
export function pathspaceOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-N' || a === '--pathspace') return argv[i + 1];
    if (a.startsWith('--pathspace=')) return a.slice('--pathspace='.length);
    if (/^-N./.test(a)) return a.slice(2);
  }
  return undefined;
}

export function parseProc(pid: number, t: ProcTexts): ProcEntry | undefined {
  const state = stateOf(t.stat);
  if (!state) return undefined;
  return {
    pid,
    state,
    netInode: nsInodeOf(t.netLink),
    pidNs: t.pidNsLink,
    marker: markerOf(t.environ),
    argv: (t.cmdline ?? '').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1),
  };
}

const isFrrDaemon = (e: ProcEntry) => /\/frr\//.test(e.argv[0] ?? '');
const gone = (e: ProcEntry) => e.state === 'Z' || e.state === 'X';

/** The lab a process names through its marker or its FRR pathspace. */
export function labNamedBy(e: ProcEntry): string | undefined {
  const byMarker = parseResourceName(e.marker ?? '')?.lab;
  if (byMarker) return byMarker;
  const ps = pathspaceOf(e.argv);
  return ps !== undefined && isFrrDaemon(e) ? parseResourceName(ps)?.lab : undefined;
}

export interface LabMatch {
  lab: string;
  /** Inodes of the lab's named network namespaces. */
  netInodes: ReadonlySet<number>;
  /**
   * PIDs the lab's FRR pid files name. A pid file may be stale and its PID reused: it counts only for
   * an FRR daemon outside the host's network namespace that names no other lab.
   */
  pidFilePids?: ReadonlySet<number>;
  /** The host's network namespace (asymlab's own), where no lab daemon runs. */
  hostNetInode?: number;
  /** Only processes of this pid namespace (docker: a container's own processes go with it). */
  pidNs?: string;
  /** Never these (asymlab itself). */
  exclude?: ReadonlySet<number>;
}

/** Without the host's namespace known, no process counts as outside it. */
const outsideHost = (e: ProcEntry, m: LabMatch) => m.hostNetInode !== undefined && e.netInode !== undefined && e.netInode !== m.hostNetInode;

/** The live processes of a lab, by any of the signs above. Pure. */
export function labProcesses(entries: ProcEntry[], m: LabMatch): number[] {
  return entries
    .filter((e) => !gone(e) && !m.exclude?.has(e.pid) && (m.pidNs === undefined || e.pidNs === m.pidNs))
    .filter(
      (e) =>
        (e.netInode !== undefined && m.netInodes.has(e.netInode)) ||
        labNamedBy(e) === m.lab ||
        (m.pidFilePids?.has(e.pid) === true && isFrrDaemon(e) && outsideHost(e, m) && labNamedBy(e) === undefined),
    )
    .map((e) => e.pid);
}

/** Labs that live processes name, also labs that have nothing else left on the machine. Pure. */
export function labsOfProcesses(entries: ProcEntry[], exclude?: ReadonlySet<number>): string[] {
  const labs = new Set<string>();
  for (const e of entries) {
    if (gone(e) || exclude?.has(e.pid)) continue;
    const lab = labNamedBy(e);
    if (lab) labs.add(lab);
  }
  return [...labs].sort();
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const link = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

/**
 * One pass over /proc. Synchronous on purpose: small reads, and the set should be one moment's.
 * Only processes that could be a lab's are returned (outside the host's network namespace, or
 * carrying a marker or an FRR pathspace): the others cost no stat read.
 */
export function readProcs(root = '/proc'): ProcEntry[] {
  // asymlab runs in the host's namespace (PID 1's may be unreadable, e.g. in a microVM).
  const hostNet = nsInodeOf(link(join(root, 'self/ns/net')));
  const out: ProcEntry[] = [];
  for (const name of readdirSync(root)) {
    if (!/^\d+$/.test(name)) continue;
    const dir = join(root, name);
    const netLink = link(join(dir, 'ns/net'));
    const environ = read(join(dir, 'environ'));
    const cmdline = read(join(dir, 'cmdline'));
    const candidate = hostNet === undefined || nsInodeOf(netLink) !== hostNet || markerOf(environ) !== undefined || pathspaceOf((cmdline ?? '').split('\0')) !== undefined;
    if (!candidate) continue;
    const stat = read(join(dir, 'stat'));
    if (stat === undefined) continue; // exited meanwhile
    const e = parseProc(Number(name), { stat, netLink, pidNsLink: link(join(dir, 'ns/pid')), environ, cmdline });
    if (e) out.push(e);
  }
  return out;
}

/** The inode of a named namespace (a bind mount of nsfs, or a link to /proc/PID/ns/net). */
export function netInodeOfPath(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** The PIDs in the *.pid files of FRR run folders. */
export function pidFilePids(dirs: string[]): Set<number> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
    } catch {
      continue;
    }
    for (const f of files) {
      const pid = Number((read(join(dir, f)) ?? '').trim());
      if (Number.isInteger(pid) && pid > 1) pids.add(pid);
    }
  }
  return pids;
}
