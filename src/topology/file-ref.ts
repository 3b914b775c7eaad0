import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { LabError, type InputProblem } from '../errors.js';
import type { Lab } from './types.js';

/**
 * Files a lab file names (`frr-config`, `iptables`, `extends`, bind sources) are read or mounted by
 * a root process, and a rejected config is quoted back in error messages. So a lab may only name
 * regular files of a bounded size inside its own folder; anything else (a device that never ends,
 * a FIFO that blocks, /etc/shadow) is refused while loading, before anything is created.
 */

/** A raw FRR config or iptables-save file: far above any real one, far below what hurts. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** A lab file (and each file it extends). Overridable through LoadOptions.maxLabFileBytes. */
export const MAX_LAB_FILE_BYTES = 8 * 1024 * 1024;

export type FileKind = 'file' | 'directory' | 'fifo' | 'device' | 'socket' | 'other' | 'missing';

export interface FileInfo {
  kind: FileKind;
  sizeBytes: number;
  /** The path with every symlink resolved (the path itself when it cannot be resolved). */
  realPath: string;
  /** Why a missing file could not be reached: ENOENT, EACCES, ELOOP... */
  code?: string;
}

/** What the loader asks about a path; injected so tests run without a disk. */
export type FileProbe = (path: string) => Promise<FileInfo>;

export const probeFile: FileProbe = async (path) => {
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    return { kind: 'missing', sizeBytes: 0, realPath: path, code: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  const st = await stat(real);
  const kind: FileKind = st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'directory'
      : st.isFIFO()
        ? 'fifo'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'device'
          : st.isSocket()
            ? 'socket'
            : 'other';
  return { kind, sizeBytes: st.size, realPath: real };
};

const KIND_WORDS: Record<FileKind, string> = {
  file: 'a file',
  directory: 'a directory',
  fifo: 'a FIFO',
  device: 'a device',
  socket: 'a socket',
  other: 'a special file',
  missing: 'missing',
};

export const mib = (bytes: number): string => `${+(bytes / 1024 / 1024).toFixed(2)} MiB`;
/** A size that broke a limit, exactly: 1.0000019 MiB rounds to the limit itself. */
export const bytesText = (bytes: number): string => `${bytes.toLocaleString('en-US')} bytes`;

/** Whether `path` is `root` or lies below it (both already free of symlinks). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Host folders whose bind into a container hands it the machine (`/:/host`, /etc, the docker
 * socket under /run): allowed with --allow-outside-paths, but always said out loud.
 */
const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var'];

export function isSystemPath(real: string): boolean {
  return real === '/' || SYSTEM_DIRS.some((d) => isInside(real, d));
}

export type RefKind = 'frr-config' | 'iptables' | 'ip6tables' | 'nftables' | 'extends' | 'bind';

interface RefRule {
  kinds: FileKind[];
  maxBytes?: number;
  /** What the lab file may name here, for messages. */
  what: string;
}

const RULES: Record<RefKind, RefRule> = {
  'frr-config': { kinds: ['file'], maxBytes: MAX_CONFIG_BYTES, what: 'an FRR config file' },
  iptables: { kinds: ['file'], maxBytes: MAX_CONFIG_BYTES, what: 'an iptables-save file' },
  ip6tables: { kinds: ['file'], maxBytes: MAX_CONFIG_BYTES, what: 'an ip6tables-save file' },
  nftables: { kinds: ['file'], maxBytes: MAX_CONFIG_BYTES, what: 'an nft ruleset file' },
  extends: { kinds: ['file'], what: 'a lab file' },
  // docker mounts a bind and asymlab never reads it: a folder is fine, its size does not matter
  bind: { kinds: ['file', 'directory'], what: 'a file or folder to bind' },
};

export interface RefContext {
  probe: FileProbe;
  /** The folder the reference must stay in, symlinks resolved, and what to call it. */
  root: string;
  rootLabel: string;
  allowOutsidePaths: boolean;
  /** For `extends`: the lab file size limit. */
  maxBytes?: number;
}

export const OUTSIDE_HINT = 'keep the files a lab names inside its folder, or pass --allow-outside-paths if you trust this lab file';

/**
 * The problem with one reference, or undefined when it may be used. `path` is absolute; `key` the
 * dot-path of the key that names it, so the problem is reported there and not at the target.
 */
export async function checkFileRef(kind: RefKind, path: string, key: string, ctx: RefContext): Promise<{ problem?: InputProblem; warning?: InputProblem }> {
  const rule = RULES[kind];
  if (kind === 'extends' && !/\.ya?ml$/i.test(basename(path))) {
    return { problem: { path: key, message: `${path} is not a .yaml or .yml file`, hint: 'extends names another lab file' } };
  }
  const info = await ctx.probe(path);
  const via = info.realPath !== path ? `${path} (resolved: ${info.realPath})` : path;
  if (info.kind === 'missing') {
    const code = info.code ?? 'ENOENT';
    // extends keeps the loader's wording for a base it cannot read
    if (kind === 'extends') return { problem: { path: key, message: `cannot read lab file ${path}: ${code}`, hint: 'check the path' } };
    const message = code === 'ENOENT' ? `file ${path} does not exist` : `cannot open ${path}: ${code}`;
    return { problem: { path: key, message, hint: 'paths are relative to the lab file' } };
  }
  if (!ctx.allowOutsidePaths && !isInside(info.realPath, ctx.root)) {
    return { problem: { path: key, message: `${via} is outside ${ctx.rootLabel} ${ctx.root}`, hint: OUTSIDE_HINT } };
  }
  if (!rule.kinds.includes(info.kind)) {
    const hint = kind === 'bind' ? 'bind a regular file or a folder' : 'name a regular file';
    return { problem: { path: key, message: `${via} is ${KIND_WORDS[info.kind]}, not ${rule.what}`, hint } };
  }
  const maxBytes = rule.maxBytes ?? ctx.maxBytes;
  if (maxBytes !== undefined && info.kind === 'file' && info.sizeBytes > maxBytes) {
    return { problem: { path: key, message: `${via} is ${bytesText(info.sizeBytes)}; ${rule.what} may be at most ${mib(maxBytes)}`, hint: 'a real one is far smaller: is this the right file?' } };
  }
  if (kind === 'bind' && isSystemPath(info.realPath)) {
    return { warning: { path: key, message: `binds the host's ${info.realPath} into the container`, hint: 'the node can read the host there, and change it unless the bind ends in :ro' } };
  }
  return {};
}

/**
 * Reads a config file for use, checking again what loading checked (the file may have changed
 * since): a regular file of at most `maxBytes`. Opened non-blocking, so a FIFO cannot hang us.
 */
export async function readConfigFile(path: string, what: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  const fail = (message: string) => new LabError('input', `${what}: ${message}`, { hint: 'name a regular file inside the lab folder' });
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw fail(`cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail(`${path} is not a regular file`);
    if (st.size > maxBytes) throw fail(`${path} is ${bytesText(st.size)}; at most ${mib(maxBytes)}`);
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > maxBytes) throw fail(`${path} grew beyond ${mib(maxBytes)}`);
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The folder `extends` may reach: the lab folder's parent, so scenario folders can share a base beside them. */
export function extendsRootOf(labDir: string): string {
  return dirname(resolve(labDir));
}

/**
 * Every file a normalised lab names, checked against the lab folder (the top lab file's folder,
 * which relative paths resolve against, whichever file of an `extends` chain wrote them).
 */
export async function checkLabFiles(lab: Lab, probe: FileProbe, root: string, allowOutsidePaths: boolean): Promise<{ problems: InputProblem[]; warnings: InputProblem[] }> {
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const ctx: RefContext = { probe: cached(probe), root, rootLabel: 'the lab folder', allowOutsidePaths };
  const check = async (kind: RefKind, path: string, key: string) => {
    const r = await checkFileRef(kind, path, key, ctx);
    if (r.problem) problems.push(r.problem);
    if (r.warning) warnings.push(r.warning);
  };
  for (const n of lab.nodes) {
    const np = `topology.nodes.${n.name}`;
    if (n.frrConfig) await check('frr-config', n.frrConfig, `${np}.frr-config`);
    if (n.iptables) await check('iptables', n.iptables, `${np}.iptables`);
    if (n.ip6tables) await check('ip6tables', n.ip6tables, `${np}.ip6tables`);
    if (n.nftables) await check('nftables', n.nftables, `${np}.nftables`);
    for (const [i, b] of n.binds.entries()) {
      // as the docker runtime reads it (bindsOf): host:container[:opts], the host path relative to the lab folder
      const host = b.split(':')[0];
      if (host) await check('bind', isAbsolute(host) ? host : resolve(lab.dir, host), `${np}.binds[${i}]`);
    }
  }
  return { problems, warnings };
}

/** Many nodes inherit the same file from defaults or a group: ask about each path once. */
function cached(probe: FileProbe): FileProbe {
  const seen = new Map<string, Promise<FileInfo>>();
  return (p) => {
    let r = seen.get(p);
    if (!r) seen.set(p, (r = probe(p)));
    return r;
  };
}
