import Dockerode from 'dockerode';
import { LabError } from '../../errors.js';

/**
 * The docker daemon connection and the names asymlab gives its docker resources. Only files in
 * src/runtime/docker/ import dockerode.
 */

/** The image every node runs unless the lab names another. Built offline by `asymlab images build`. */
export const DEFAULT_NODE_IMAGE = 'asymlab/node:latest';

export const LABEL_LAB = 'asymlab.lab';
export const LABEL_NODE = 'asymlab.node';

/** A daemon from DOCKER_HOST, else the default socket. Connects lazily. */
export function connectDocker(): Dockerode {
  return new Dockerode();
}

/** Where the daemon is looked for, when known up front (dockerode 5 resolves the default socket lazily). */
function socketOf(docker: Dockerode): string | undefined {
  const m = docker.modem as unknown as { socketPath?: unknown; host?: string; port?: number };
  if (typeof m.socketPath === 'string') return m.socketPath;
  if (m.host) return `${m.host}:${m.port ?? ''}`;
  return process.env.DOCKER_HOST;
}

/** Throws LabError('environment') when no daemon answers. */
export async function pingDocker(docker: Dockerode): Promise<void> {
  try {
    await docker.ping();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const where = socketOf(docker);
    throw new LabError('environment', `no docker daemon answers${where ? ` at ${where}` : ''} (${why})`, {
      cause: err,
      hint: 'run: sudo ./scripts/setup.sh --docker',
    });
  }
}

/** Docker's 404 (no such image/container), told apart from real failures. */
export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
