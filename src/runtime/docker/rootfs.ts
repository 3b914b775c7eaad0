import { createHash } from 'node:crypto';
import { access, chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../../errors.js';
import type { Runner } from '../../util/exec.js';

/**
 * The node image's root filesystem, built offline with debootstrap from the host's Debian mirror
 * and kept as a tarball under the cache folder, so a second build only re-imports it.
 *
 * debootstrap runs in two stages: the first (download, unpack) on the host; the second (package
 * configuration) chrooted inside fresh network, mount and pid namespaces, so no maintainer script
 * can start a daemon (FRR's!) in the host's network namespace or leave a process or mount behind.
 */

/** Bump when the build steps change, so cached tarballs from older steps are not reused. */
const BUILD_VERSION = 1;
const STAGE_TIMEOUT_MS = 30 * 60_000;

export interface RootfsOptions {
  run: Runner;
  suite: string;
  mirror: string;
  packages: string[];
  cacheDir: string;
  /** Build a fresh tarball even when a cached one matches. */
  refresh?: boolean;
  onEvent?: (e: { step: string; detail?: string }) => void;
}

export function rootfsKey(suite: string, mirror: string, packages: string[]): string {
  const h = createHash('sha256').update(JSON.stringify([BUILD_VERSION, suite, mirror, [...packages].sort()]));
  return h.digest('hex').slice(0, 12);
}

export function rootfsPath(cacheDir: string, suite: string, key: string): string {
  return join(cacheDir, `node-rootfs-${suite}-${key}.tar`);
}

const exists = (p: string) => access(p).then(
  () => true,
  () => false,
);

/** Never delete a tree something is mounted in (a /proc a failed stage left behind). */
async function removeTree(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  const busy = mounts.split('\n').some((l) => {
    const mp = l.split(' ')[4] ?? '';
    return mp === dir || mp.startsWith(`${dir}/`);
  });
  if (busy) throw new LabError('runtime', `${dir} still has mounts; not removing it`, { hint: `unmount them (findmnt -R ${dir}), then rm -rf ${dir}` });
  await rm(dir, { recursive: true, force: true });
}

/** Returns the rootfs tarball's path, building it unless a matching one is cached. */
export async function ensureRootfs(o: RootfsOptions): Promise<{ path: string; cached: boolean }> {
  const emit = o.onEvent ?? (() => undefined);
  const key = rootfsKey(o.suite, o.mirror, o.packages);
  const path = rootfsPath(o.cacheDir, o.suite, key);
  if (!o.refresh && (await exists(path))) {
    emit({ step: 'rootfs', detail: `cached ${path}` });
    return { path, cached: true };
  }
  await mkdir(o.cacheDir, { recursive: true });
  const work = await mkdtemp(join(o.cacheDir, 'rootfs-'));
  let ok = false;
  try {
    emit({ step: 'debootstrap', detail: `${o.suite} minbase + ${o.packages.length} packages from ${o.mirror} (download and unpack: minutes)` });
    await o.run(['debootstrap', '--foreign', '--variant=minbase', '--components=main', `--include=${o.packages.join(',')}`, o.suite, work, o.mirror], {
      timeoutMs: STAGE_TIMEOUT_MS,
    });

    // Docker images' usual guard: maintainer scripts may not start services.
    await writeFile(join(work, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n');
    await chmod(join(work, 'usr/sbin/policy-rc.d'), 0o755);

    emit({ step: 'configure', detail: 'second stage in isolated namespaces (no network, own mounts and pids)' });
    await o.run(['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', 'chroot', work, '/debootstrap/debootstrap', '--second-stage'], {
      timeoutMs: STAGE_TIMEOUT_MS,
    });

    // What an image needs no copy of: downloaded .debs, apt lists, logs; docker provides /dev.
    for (const p of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/log/bootstrap.log', 'debootstrap']) {
      await rm(join(work, p), { recursive: true, force: true });
    }
    await mkdir(join(work, 'var/cache/apt/archives/partial'), { recursive: true });
    await mkdir(join(work, 'var/lib/apt/lists/partial'), { recursive: true });

    emit({ step: 'pack', detail: path });
    const partial = `${path}.partial`;
    await o.run(['tar', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-C', work, '-cf', partial, '.'], {
      timeoutMs: STAGE_TIMEOUT_MS,
    });
    await rename(partial, path);
    ok = true;
    return { path, cached: false };
  } finally {
    await removeTree(work).catch((err: unknown) => {
      // The original error matters more than a leftover folder; on success, report the leftover.
      if (ok) throw err;
    });
    await rm(`${path}.partial`, { force: true });
  }
}
