import type Dockerode from 'dockerode';
import { isNotFound, LABEL_LAB, LABEL_NODE } from './docker-client.js';

/**
 * Which of `paths` an image lacks. A container is created, never started, to stat them (an image's
 * files cannot be read otherwise), and removed at once; it carries the lab's label, so a crash
 * here leaves nothing `down` cannot find.
 */
export async function missingInImage(docker: Dockerode, image: string, paths: string[], lab: string): Promise<string[]> {
  const container = await docker.createContainer({ Image: image, Cmd: ['true'], Labels: { [LABEL_LAB]: lab, [LABEL_NODE]: 'preflight' }, HostConfig: { NetworkMode: 'none' } });
  try {
    const missing: string[] = [];
    for (const path of paths) {
      try {
        await container.infoArchive({ path });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        missing.push(path);
      }
    }
    return missing;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
