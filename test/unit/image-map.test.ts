import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMachineConfig } from '../../src/cli/config.js';
import { mappedImage, parseImageMap } from '../../src/runtime/docker/image-map.js';

describe('the image map', () => {
  it('reads FROM=TO entries, the later winning, and swaps only the images it names', () => {
    const map = parseImageMap(['quay.io/frrouting/frr:10.5.1=asymlab/node:latest', 'alpine=busybox:1', 'alpine=asymlab/node:latest']);
    expect(map).toEqual({ 'quay.io/frrouting/frr:10.5.1': 'asymlab/node:latest', alpine: 'asymlab/node:latest' });
    expect(mappedImage('alpine', map)).toBe('asymlab/node:latest');
    expect(mappedImage('debian:12', map)).toBe('debian:12');
  });

  it('refuses an entry that is not FROM=TO, naming it', () => {
    for (const bad of ['alpine', '=x', 'x=', 'a b=c']) expect(() => parseImageMap([bad])).toThrow(`--image-map: '${bad}' is not FROM=TO`);
  });

  it('is read from the machine config, whose unknown keys are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'image-map:\n  quay.io/frrouting/frr:10.5.1: asymlab/node:latest\n');
    expect(await readMachineConfig(file)).toEqual({ imageMap: { 'quay.io/frrouting/frr:10.5.1': 'asymlab/node:latest' } });
    writeFileSync(file, 'images: {}\n');
    await expect(readMachineConfig(file)).rejects.toThrow(`${file}: unknown key 'images' (known: image-map)`);
    expect(await readMachineConfig(undefined)).toEqual({ imageMap: {} });
  });
});
