/**
 * A filesystem of its own for a netns node, as a container has: a persistent mount namespace per
 * node, kept by a bind mount under the lab's state folder (/var/run/asymlab/<lab>/mnt/<ns>), in
 * which /etc, /var and /root are overlays of the host's (what the node writes stays in a tmpfs of
 * its own), /tmp and /run are empty tmpfs, /sys shows the node's interfaces, and every bind is
 * mounted at its container path. Every `node` command enters it with the node's network namespace
 * (`nsenter --mount --net`), so FRR reads /etc/frr as in a container and a lab's exec lines never
 * change the host's files. Teardown unmounts all of it, found by the lab's name alone.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { posix } from 'node:path';
import { LabError } from '../../errors.js';
import { insideBase } from '../../lab/lab-name.js';
import { labFolder, STATE_DIR } from '../../lab/state.js';
import type { LabPlan, NodePlan } from '../../plan/plan.js';
import { parseResourceName } from '../../plan/plan.js';
import { parseBind } from '../../topology/binds.js';
import type { Runner } from '../../util/exec.js';
import { buildTar } from '../docker/tar.js';
import { NETNS_DIR } from '../namespaces.js';

/** The lab's mount namespace files live here, on a private mount (a namespace file cannot sit on a shared one). */
const MNT = 'mnt';
/** One folder per node: the mount point of its private tmpfs (overlay upper layers, staged binds, its /run). */
const FS = 'fs';

export function mountFile(ns: string): string {
  const p = parseResourceName(ns);
  if (!p) throw new LabError('runtime', `'${ns}' is not an asymlab namespace name`);
  return insideBase(labFolder(p.lab), MNT, ns);
}

/**
 * Builds a node's filesystem, run inside the new mount namespace and the node's network namespace.
 * $1 is the node's tmpfs folder, then one `source target ro|rw` triple per bind. Order matters:
 * binds are staged while the host's paths are still in view, /run is covered last because the
 * tmpfs that holds everything is mounted below it.
 */
export const NODE_FS_SCRIPT = `set -e
fs=$1; shift
# namespace files copied from the host would keep other labs' namespaces alive as long as this one:
# /run/netns at once when it is a mount of its own (ip netns makes it one), then any other
umount -l /run/netns 2>/dev/null || true
awk '{for(i=7;i<=NF;i++) if($i=="-"){ if($(i+1)=="nsfs") print $5; break }}' /proc/self/mountinfo | xargs -r umount -l 2>/dev/null || true
mount -t tmpfs -o mode=0755 asymlab "$fs"
mkdir "$fs/run" "$fs/b"
i=0
while [ $# -ge 3 ]; do
  i=$((i+1))
  if [ -d "$1" ]; then mkdir "$fs/b/$i"; else : > "$fs/b/$i"; fi
  mount --bind "$1" "$fs/b/$i"
  if [ "$3" = ro ]; then mount -o remount,bind,ro "$fs/b/$i"; fi
  printf '%s\n' "$2" >> "$fs/b/targets"
  shift 3
done
for d in etc var root; do
  mkdir -p "$fs/$d/upper" "$fs/$d/work"
  mount -t overlay -o "lowerdir=/$d,upperdir=$fs/$d/upper,workdir=$fs/$d/work" asymlab "/$d"
done
mount -t tmpfs -o mode=1777 asymlab /tmp
i=0
if [ -f "$fs/b/targets" ]; then
  while IFS= read -r target; do
    i=$((i+1))
    real=$(realpath -m -- "$target")
    case "$real" in
      /run|/run/*) place="$fs/run\${real#/run}" ;;
      /etc|/etc/*|/var|/var/*|/root|/root/*|/tmp|/tmp/*) place=$real ;;
      *) place=$real
         if [ ! -e "$place" ]; then echo "bind target $target does not exist, and only /etc, /var, /run, /tmp and /root are the node's own to create it in" >&2; exit 3; fi ;;
    esac
    if [ ! -e "$place" ]; then
      if [ -d "$fs/b/$i" ]; then mkdir -p -- "$place"; else mkdir -p -- "$(dirname -- "$place")"; : > "$place"; fi
    fi
    mount --move "$fs/b/$i" "$place"
  done < "$fs/b/targets"
fi
mount --bind "$fs/run" /run
umount -l /sys
mount -t sysfs asymlab /sys
`;

/** The argv that runs a command in the node: its own filesystem and its network namespace. */
export function nodeFsArgv(ns: string, argv: string[]): string[] {
  return ['nsenter', `--mount=${mountFile(ns)}`, `--net=${posix.join(NETNS_DIR, ns)}`, '--', ...argv];
}

/** A path as mountinfo spells it: /var/run is a link to /run on most machines. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Mount points of this process's namespace, from /proc/self/mountinfo (octal escapes decoded). */
function mountPoints(): Set<string> {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  return new Set(text.split('\n').map((l) => (l.split(' ')[4] ?? '').replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))));
}

/**
 * Every node of the plan that wants one gets its filesystem. The lab's namespace files go on a
 * private mount of their folder, made once per lab.
 */
export async function createNodeFilesystems(run: Runner, plan: LabPlan, limit = 8): Promise<void> {
  const nodes = plan.nodes.filter((n) => n.ownFilesystem);
  if (!nodes.length) return;
  const folder = labFolder(plan.lab.name);
  const mnt = insideBase(folder, MNT);
  await mkdir(mnt, { recursive: true });
  if (!mountPoints().has(real(mnt))) {
    await run(['mount', '--bind', mnt, mnt]);
    await run(['mount', '--make-private', mnt]);
  }
  const queue = [...nodes];
  const one = async (n: NodePlan) => {
    const file = mountFile(n.ns);
    const fs = insideBase(folder, FS, n.ns);
    await mkdir(fs, { recursive: true });
    await writeFile(file, '');
    const binds = n.node.binds.flatMap((b) => {
      const m = parseBind(b, plan.lab.dir);
      return m ? [m.source, m.target, m.readOnly ? 'ro' : 'rw'] : [];
    });
    const r = await run(['unshare', `--mount=${file}`, '--propagation', 'private', '--', 'nsenter', `--net=${posix.join(NETNS_DIR, n.ns)}`, '--', 'sh', '-c', NODE_FS_SCRIPT, 'asymlab-node-fs', fs, ...binds], {
      node: n.node.name,
      reject: false,
      timeoutMs: 30_000,
    });
    if (r.failed) {
      throw new LabError('runtime', `[${n.node.name}] could not give the node a filesystem of its own: ${(r.stderr.trim().split('\n').pop() ?? '') || `exit code ${r.exitCode}`}`, {
        hint: r.exitCode === 3 ? 'bind to a path that exists, or one under /etc, /var, /run, /tmp or /root' : 'this needs mount namespaces, overlayfs and tmpfs (a Linux kernel of the last decade, as root)',
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) await one(n);
  }));
}

/** Labs that have node filesystems on this machine, by their state folders. */
export function labsWithNodeFilesystems(): string[] {
  let labs: string[] = [];
  try {
    labs = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  return labs.filter((lab) => {
    try {
      return readdirSync(insideBase(labFolder(lab), MNT)).length > 0;
    } catch {
      return false;
    }
  });
}

/**
 * Unmounts and removes every node filesystem of a lab, found by its name: its processes must be
 * gone (a namespace with a process in it lives on until the process ends). Safe to run twice.
 */
export async function removeNodeFilesystems(run: Runner, lab: string): Promise<void> {
  const folder = labFolder(lab);
  const mnt = insideBase(folder, MNT);
  const files = (await readdir(mnt).catch(() => [] as string[])).filter((f) => parseResourceName(f)?.lab === lab).map((f) => insideBase(mnt, f));
  const mounted = mountPoints();
  const busy = files.filter((f) => mounted.has(real(f)));
  if (busy.length) await run(['umount', ...busy], { reject: false, teardown: true });
  const realMnt = real(mnt);
  if (mounted.has(realMnt)) await run(['umount', mnt], { reject: false, teardown: true });
  const left = [...mountPoints()].filter((m) => m === realMnt || m.startsWith(`${realMnt}/`));
  if (left.length) throw new LabError('runtime', `lab '${lab}': could not unmount ${left.join(', ')}`, { hint: `see: findmnt ${left[0]}` });
  await rm(mnt, { recursive: true, force: true });
  await rm(insideBase(folder, FS), { recursive: true, force: true });
}

/** Writes files into the node's own filesystem: one tar through nsenter, folders made as needed, then one chown. */
export async function writeNodeFiles(run: Runner, node: NodePlan, files: { path: string; content: string }[], owner?: string): Promise<void> {
  const bad = files.find((f) => !posix.isAbsolute(f.path));
  if (bad) throw new LabError('runtime', `[${node.node.name}] writeFile needs an absolute path, got '${bad.path}'`);
  const dirs = [...new Set(files.map((f) => posix.dirname(f.path)))];
  const tar = buildTar(files.map((f) => ({ name: f.path.slice(1), content: f.content, mode: 0o644 })));
  // base64: the runner's input is text, and a file may hold any bytes
  const script = 'set -e; owner=$1; shift; base64 -d | tar -x -f - -C / --no-same-owner; if [ -n "$owner" ]; then chown "$owner:" "$@"; fi';
  await run(['nsenter', `--mount=${mountFile(node.ns)}`, '--', 'sh', '-c', script, 'asymlab-write', owner ?? '', ...dirs, ...files.map((f) => f.path)], {
    node: node.node.name,
    input: tar.toString('base64'),
    timeoutMs: 20_000,
  });
}

/** A command in the node with this process's terminal attached; resolves with its exit code (127: not found). */
export function interactiveInNode(ns: string, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = nodeFsArgv(ns, argv);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
    child.on('error', () => resolve(127));
  });
}
