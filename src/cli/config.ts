/**
 * asymlab's machine config: what holds for every lab on this machine, not for one lab. Read from
 * $ASYMLAB_CONFIG, else /etc/asymlab/config.yaml when it exists; today it holds the image map:
 *
 *   image-map:
 *     quay.io/frrouting/frr:10.5.1: asymlab/node:latest
 *     wbitt/network-multitool:3.22.2: asymlab/node:latest
 *
 * `--image-map FROM=TO` adds to it and wins over it (docs/containerlab.md).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { LabError } from '../errors.js';
import { parseImageMap } from '../runtime/docker/image-map.js';

export const DEFAULT_CONFIG = '/etc/asymlab/config.yaml';

export interface MachineConfig {
  imageMap: Record<string, string>;
}

const KEYS = ['image-map'];

/** The config file asymlab reads, if any. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ASYMLAB_CONFIG) return env.ASYMLAB_CONFIG;
  return existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined;
}

export async function readMachineConfig(path = configPath()): Promise<MachineConfig> {
  if (!path) return { imageMap: {} };
  const fail = (message: string) => new LabError('input', `${path}: ${message}`, { hint: 'see docs/containerlab.md (image map) for its shape' });
  let data: unknown;
  try {
    data = parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw fail(`cannot read the config: ${(e as NodeJS.ErrnoException).code ?? String((e as Error).message).split('\n')[0]}`);
  }
  if (data === null || data === undefined) return { imageMap: {} };
  if (typeof data !== 'object' || Array.isArray(data)) throw fail('the config must be a YAML mapping');
  const unknown = Object.keys(data).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw fail(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  const map = (data as Record<string, unknown>)['image-map'];
  if (map === undefined || map === null) return { imageMap: {} };
  if (typeof map !== 'object' || Array.isArray(map)) throw fail('image-map must map an image to the image to run instead');
  return { imageMap: parseImageMap(Object.entries(map).map(([from, to]) => `${from}=${String(to)}`), `${path}: image-map`) };
}

/** The image map of a command: the machine config's, then `--image-map` entries over it. */
export async function imageMapOf(entries: readonly string[] | undefined): Promise<Record<string, string> | undefined> {
  const map = { ...(await readMachineConfig()).imageMap, ...parseImageMap(entries ?? []) };
  return Object.keys(map).length ? map : undefined;
}
