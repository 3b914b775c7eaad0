import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { LabError } from '../../errors.js';
import { run as defaultRun, type Runner } from '../../util/exec.js';
import { checkTools } from '../preflight.js';
import { parseAptSources, pickMirror, type SourceFile } from './apt-sources.js';
import { connectDocker, DEFAULT_NODE_IMAGE, isNotFound, pingDocker } from './docker-client.js';
import { ensureRootfs, rootfsKey } from './rootfs.js';

/**
 * The node image, built without a registry: debootstrap a Debian rootfs with docker/packages.txt
 * (cached as a tarball), then stream it into the daemon's import with the image config a
 * Dockerfile would set. docker/Dockerfile builds the same image where a registry is reachable.
 */

export const CACHE_DIR = '/var/cache/asymlab';
export const SUITE = 'bookworm';
export const KEEP_ALIVE_CMD = ['sleep', 'infinity'];

export interface ImageEvent {
  step: string;
  detail?: string;
}

export interface BuildImageOptions {
  /** Rebuild even when the image exists (reusing a cached rootfs that matches). */
  force?: boolean;
  /** Also debootstrap a fresh rootfs instead of the cached one. */
  refreshRootfs?: boolean;
  image?: string;
  run?: Runner;
  docker?: Dockerode;
  cacheDir?: string;
  aptDir?: string;
  packagesFile?: string;
  onEvent?: (e: ImageEvent) => void;
}

export interface BuildImageResult {
  image: string;
  skipped: boolean;
  rootfsCached: boolean;
  durationMs: number;
}

export interface NodeImage {
  ref: string;
  id: string;
  sizeBytes: number;
  created: Date;
}

/** docker/packages.txt, from src/runtime/docker/ and from dist/runtime/docker/ alike. */
export function packagesFile(): string {
  return fileURLToPath(new URL('../../../docker/packages.txt', import.meta.url));
}

/** One package a line; `#` starts a comment. */
export function parsePackageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The mirror the host's apt uses for `suite` (sources.list, sources.list.d/*.list and *.sources). */
export async function hostMirror(aptDir = '/etc/apt', suite = SUITE): Promise<string> {
  const files: SourceFile[] = [];
  const read = async (name: string) => {
    const text = await readFile(name, 'utf8').catch(() => undefined);
    if (text !== undefined) files.push({ name, text });
  };
  await read(join(aptDir, 'sources.list'));
  const dir = join(aptDir, 'sources.list.d');
  for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) await read(join(dir, f));
  return pickMirror(parseAptSources(files), suite);
}

function splitRef(ref: string): { repo: string; tag: string } {
  const i = ref.lastIndexOf(':');
  return i > ref.lastIndexOf('/') ? { repo: ref.slice(0, i), tag: ref.slice(i + 1) } : { repo: ref, tag: 'latest' };
}

async function imageId(docker: Dockerode, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function importRootfs(docker: Dockerode, tarPath: string, ref: string, packagesKey: string): Promise<void> {
  const { repo, tag } = splitRef(ref);
  const changes = [
    `CMD ${JSON.stringify(KEEP_ALIVE_CMD)}`,
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `LABEL asymlab.image=node asymlab.packages=${packagesKey}`,
  ];
  const stream = await docker.importImage(createReadStream(tarPath), { repo, tag, changes, message: 'asymlab images build (offline)' });
  const output = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))),
  );
  const bad = output.find((o) => o.error);
  if (bad) throw new LabError('runtime', `docker import of ${tarPath} failed: ${bad.errorDetail?.message ?? bad.error}`);
}

/** Builds asymlab's node image offline; skips when it exists unless `force`. */
export async function buildNodeImage(o: BuildImageOptions = {}): Promise<BuildImageResult> {
  const started = performance.now();
  const emit = o.onEvent ?? (() => undefined);
  const docker = o.docker ?? connectDocker();
  const image = o.image ?? DEFAULT_NODE_IMAGE;
  const done = (skipped: boolean, rootfsCached: boolean): BuildImageResult => ({ image, skipped, rootfsCached, durationMs: performance.now() - started });

  await pingDocker(docker);
  const oldId = await imageId(docker, image);
  if (oldId && !o.force) {
    emit({ step: 'skip', detail: `${image} exists (use --force to rebuild)` });
    return done(true, false);
  }
  await checkTools(['debootstrap', 'unshare', 'chroot', 'tar']);
  if (process.getuid?.() !== 0) throw new LabError('environment', 'building the node image needs root (debootstrap, chroot)', { hint: 'run it with sudo' });

  const file = o.packagesFile ?? packagesFile();
  const packages = parsePackageList(await readFile(file, 'utf8'));
  if (!packages.length) throw new LabError('input', `${file} lists no packages`);
  const mirror = await hostMirror(o.aptDir);
  emit({ step: 'mirror', detail: `${mirror} (${SUITE})` });

  const rootfs = await ensureRootfs({
    run: o.run ?? defaultRun,
    suite: SUITE,
    mirror,
    packages,
    cacheDir: o.cacheDir ?? CACHE_DIR,
    refresh: o.refreshRootfs,
    onEvent: emit,
  });

  emit({ step: 'import', detail: `${rootfs.path} -> ${image}` });
  await importRootfs(docker, rootfs.path, image, rootfsKey(SUITE, mirror, packages));
  const newId = await imageId(docker, image);
  // The image the tag moved away from: remove it unless a container still uses it.
  if (oldId && newId !== oldId) await docker.getImage(oldId).remove().catch(() => undefined);
  emit({ step: 'done', detail: `${image} ${newId?.slice(7, 19) ?? ''}` });
  return done(false, rootfs.cached);
}

/** asymlab's images: the node image and any other asymlab/* ones. */
export async function listNodeImages(docker: Dockerode = connectDocker()): Promise<NodeImage[]> {
  await pingDocker(docker);
  const images = await docker.listImages({ filters: { reference: ['asymlab/*'] } });
  return images.flatMap((i) =>
    (i.RepoTags ?? []).map((ref) => ({ ref, id: i.Id.replace(/^sha256:/, '').slice(0, 12), sizeBytes: i.Size, created: new Date(i.Created * 1000) })),
  );
}
