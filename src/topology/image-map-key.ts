/**
 * `image-map:` at a lab's top level: images the lab names, run on others that are on this machine
 * (docker). Taken out before the schema check, whose list of known keys stays the format's own,
 * and checked here: a map of image to image. Pure.
 */
import type { InputProblem } from '../errors.js';
import { isMap, type Json } from './merge.js';

export function takeImageMap(data: Record<string, Json>): { data: Record<string, Json>; imageMap?: Record<string, string>; problems: InputProblem[] } {
  if (!('image-map' in data)) return { data, problems: [] };
  const { 'image-map': raw, ...rest } = data;
  if (raw === null) return { data: rest, problems: [] };
  const bad = !isMap(raw) ? [''] : Object.entries(raw).filter(([k, v]) => typeof v !== 'string' || !k || !v).map(([k]) => `.${k}`);
  if (bad.length) {
    return { data: rest, problems: bad.map((b) => ({ path: `image-map${b}`, message: 'image-map maps an image to the image to run instead', hint: 'e.g. image-map: {quay.io/frrouting/frr:10.5.1: asymlab/node:latest}' })) };
  }
  return { data: rest, imageMap: { ...(raw as Record<string, string>) }, problems: [] };
}
