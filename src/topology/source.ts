import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap as isYamlMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { inputError, LabError, type InputProblem } from '../errors.js';
import { isMap, mergeLabDocs, type Json } from './merge.js';

/** File access the loader needs; injected so tests run on strings. */
export interface SourceFs {
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
}

export const nodeFs: SourceFs = {
  readFile: (p) => readFile(p, 'utf8'),
  exists: async (p) => {
    try {
      await readFile(p);
      return true;
    } catch {
      return false;
    }
  },
};

interface Layer {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The layer's own data before merging: merged links are these very objects, which maps an index back. */
  raw: Record<string, Json>;
}

type Ranged = { range?: [number, number, number] | null };

/**
 * The node a path names in one YAML document: a map entry's key, a sequence item. A key may itself
 * hold dots (sysctls such as net.ipv4.ip_forward, interfaces such as eth1.100), so a map level tries
 * the segment joined with the ones after it.
 */
function findIn(doc: Document, path: (string | number)[]): Ranged | undefined {
  let cur: unknown = doc.contents;
  let found: Ranged | undefined;
  for (let i = 0; i < path.length; ) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isSeq(cur) && typeof path[i] === 'number') {
      cur = cur.items[path[i] as number];
      if (!cur) return undefined;
      found = cur as Ranged;
      i++;
      continue;
    }
    if (!isYamlMap(cur)) return undefined;
    const map = cur;
    let next = -1;
    let pair: (typeof map.items)[number] | undefined;
    for (let j = i; j < path.length && next < 0; j++) {
      if (j > i && typeof path[j] === 'number') break;
      const key = path.slice(i, j + 1).join('.');
      pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair) next = j + 1;
    }
    if (!pair) return undefined;
    found = pair.key as Ranged;
    cur = pair.value;
    i = next;
  }
  return found;
}

/** The lab document after `extends`, with a way back from a dot-path to a file and line. */
export interface LabSource {
  file: string;
  data: Record<string, Json>;
  layers: Layer[];
  /**
   * "lab.yaml:12:7" for a path such as ['topology', 'links', 3]: the key or item the path names, in
   * the file it came from; else its nearest enclosing place (a value inherited from a group is
   * reported at its node); the file alone when nothing matches.
   */
  locate(path: (string | number)[]): string;
}

export async function readLabSource(file: string, fs: SourceFs = nodeFs, seen: string[] = []): Promise<LabSource> {
  const abs = resolve(file);
  if (seen.includes(abs)) {
    const chain = [...seen.slice(seen.indexOf(abs)), abs].join(' -> ');
    throw inputError([{ file: seen[seen.length - 1], path: 'extends', message: `extends loops back to ${abs} (${chain})`, hint: 'remove the cycle' }]);
  }
  let text: string;
  try {
    text = await fs.readFile(abs);
  } catch (e) {
    const from = seen.length ? { file: seen[seen.length - 1], path: 'extends' } : { file: abs, path: '' };
    throw inputError([{ ...from, message: `cannot read lab file ${abs}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, hint: 'check the path' }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw inputError(
      doc.errors.map((err) => {
        const pos = lines.linePos(err.pos[0]);
        return { file: `${abs}:${pos.line}:${pos.col}`, path: '', message: `YAML: ${err.message.split('\n')[0]}`, hint: 'fix the YAML syntax' };
      }),
    );
  }
  const data = doc.toJS() as Json;
  if (!isMap(data)) throw inputError([{ file: abs, path: '', message: 'the lab file must be a YAML mapping', hint: 'start with `name:` and `topology:`' }]);
  let merged = data;
  let layers: Layer[] = [{ file: abs, doc, lines, raw: data }];
  const at = (l: Layer, path: (string | number)[]): string | undefined => {
    const node = findIn(l.doc, path);
    if (!node?.range) return undefined;
    const pos = l.lines.linePos(node.range[0]);
    return `${l.file}:${pos.line}:${pos.col}`;
  };
  if (typeof data.extends === 'string') {
    let base: LabSource;
    try {
      base = await readLabSource(resolve(dirname(abs), data.extends), fs, [...seen, abs]);
    } catch (e) {
      // A cycle or an unreadable base is reported at this file's `extends:` line.
      if (!(e instanceof LabError)) throw e;
      const problems = e.problems.map((p) => (p.file === abs && p.path === 'extends' ? { ...p, file: at(layers[0], ['extends']) ?? abs } : p));
      throw inputError(problems);
    }
    merged = mergeLabDocs(base.data, data);
    layers = [...layers, ...base.layers];
  }
  /** A merged link's index in the layer it came from: `extends` appends links, so the two differ. */
  const layerPath = (l: Layer, path: (string | number)[]): (string | number)[] | undefined => {
    if (path[0] !== 'topology' || path[1] !== 'links' || typeof path[2] !== 'number') return path;
    const link = (merged.topology as Record<string, Json[]> | undefined)?.links?.[path[2]];
    const own = isMap(l.raw.topology) && Array.isArray(l.raw.topology.links) ? l.raw.topology.links : [];
    const i = link === undefined ? -1 : own.indexOf(link);
    return i < 0 ? undefined : ['topology', 'links', i, ...path.slice(3)];
  };
  return {
    file: abs,
    data: merged,
    layers,
    locate(path) {
      for (let depth = path.length; depth > 0; depth--) {
        for (const l of layers) {
          const p = layerPath(l, path.slice(0, depth));
          const where = p && at(l, p);
          if (where) return where;
        }
      }
      return abs;
    },
  };
}

/**
 * Turns `topology.links[3].endpoints[1]` into ['topology', 'links', 3, 'endpoints', 1]. Keys with
 * dots (net.ipv4.ip_forward) come out in pieces; locate joins them back against the document.
 */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    // an empty part is kept (but for a leading one): keys may hold `..`, which locate joins back
    if (!part && out.length === 0) continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] || !m[2]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Fills in `file` (with line and column) for problems that carry only a path. */
export function placeProblems(src: LabSource, problems: InputProblem[]): InputProblem[] {
  return problems.map((p) => (p.file ? p : { ...p, file: src.locate(splitPath(p.path)) }));
}
