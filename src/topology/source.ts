import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap as isYamlMap, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { inputError, LabError, type InputProblem } from '../errors.js';
import { bytesText, checkFileRef, extendsRootOf, MAX_LAB_FILE_BYTES, mib, probeFile, type FileInfo, type FileProbe } from './file-ref.js';
import { isMap, mergeLabDocs, type Json } from './merge.js';
import { guardYaml } from './yaml-guard.js';

/** File access the loader needs; injected so tests run on strings. */
export interface SourceFs {
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** Kind, size and real path of a file; without it, a file that exists counts as a small regular one. */
  inspect?: FileProbe;
}

export const nodeFs: SourceFs = {
  readFile: (p) => readFile(p, 'utf8'),
  exists: async (p) => (await probeFile(p)).kind !== 'missing',
  inspect: probeFile,
};

/** The probe of a SourceFs: its own, or one built on `exists`. */
export function probeOf(fs: SourceFs): FileProbe {
  if (fs.inspect) return fs.inspect.bind(fs);
  return async (p): Promise<FileInfo> => ((await fs.exists(p)) ? { kind: 'file', sizeBytes: 0, realPath: p } : { kind: 'missing', sizeBytes: 0, realPath: p, code: 'ENOENT' });
}

export interface SourceOptions {
  /** Largest lab file (each file of an `extends` chain) read; default MAX_LAB_FILE_BYTES (8 MiB). */
  maxLabFileBytes?: number;
  /** Lets `extends` name a file outside the lab folder's parent. */
  allowOutsidePaths?: boolean;
  /** The folder `extends` must stay in; set by the top file for the whole chain. */
  extendsRoot?: string;
}

interface Layer {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The layer's own data before merging: merged links are these very objects, which maps an index back. */
  raw: Record<string, Json>;
  aliasTargets: Map<Alias, Node>;
  /** Built on first use: the keys of each mapping, and the index of each own link. */
  keys: WeakMap<YAMLMap, Map<string, Pair>>;
  linkIndex?: Map<Json, number>;
}

type Ranged = { range?: [number, number, number] | null };

/** A mapping's pairs by key, built once per mapping: a lookup per segment stays O(1) however many problems are placed. */
function keysOf(l: Layer, map: YAMLMap): Map<string, Pair> {
  let keys = l.keys.get(map);
  if (!keys) {
    keys = new Map();
    for (const p of map.items as Pair[]) {
      if (isScalar(p.key) && !keys.has(String(p.key.value))) keys.set(String(p.key.value), p);
    }
    l.keys.set(map, keys);
  }
  return keys;
}

/**
 * The node a path names in one YAML document: a map entry's key, a sequence item. A key may itself
 * hold dots (sysctls such as net.ipv4.ip_forward, interfaces such as eth1.100), so a map level tries
 * the segment joined with the ones after it.
 */
function findIn(l: Layer, path: (string | number)[]): Ranged | undefined {
  let cur: unknown = l.doc.contents;
  let found: Ranged | undefined;
  for (let i = 0; i < path.length; ) {
    if (isAlias(cur)) cur = l.aliasTargets.get(cur);
    if (isSeq(cur) && typeof path[i] === 'number') {
      cur = cur.items[path[i] as number];
      if (!cur) return undefined;
      found = cur as Ranged;
      i++;
      continue;
    }
    if (!isYamlMap(cur)) return undefined;
    const keys = keysOf(l, cur);
    let next = -1;
    let pair: Pair | undefined;
    for (let j = i; j < path.length && next < 0; j++) {
      if (j > i && typeof path[j] === 'number') break;
      pair = keys.get(path.slice(i, j + 1).join('.'));
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

const tooBig = (file: string, bytes: number, max: number): InputProblem => ({
  file,
  path: '',
  message: `the lab file is ${bytesText(bytes)}; a lab file may be at most ${mib(max)}`,
  hint: 'split it (extends), or raise the limit (LoadOptions.maxLabFileBytes)',
});

/**
 * Reads a lab file and the files it extends. The file the user names may be anywhere, but it and
 * every base must be a regular file of at most maxLabFileBytes; a base must also stay inside the
 * top lab folder's parent (see file-ref.ts) unless allowOutsidePaths.
 */
export async function readLabSource(file: string, fs: SourceFs = nodeFs, opts: SourceOptions = {}, seen: string[] = []): Promise<LabSource> {
  const abs = resolve(file);
  const maxBytes = opts.maxLabFileBytes ?? MAX_LAB_FILE_BYTES;
  const probe = probeOf(fs);
  if (seen.includes(abs)) {
    const chain = [...seen.slice(seen.indexOf(abs)), abs].join(' -> ');
    throw inputError([{ file: seen[seen.length - 1], path: 'extends', message: `extends loops back to ${abs} (${chain})`, hint: 'remove the cycle' }]);
  }
  if (seen.length === 0) {
    // A base was checked by its `extends` line; the top file is checked here, before it is read.
    const info = await probe(abs);
    if (info.kind === 'missing') throw inputError([{ file: abs, path: '', message: `cannot read lab file ${abs}: ${info.code ?? 'ENOENT'}`, hint: 'check the path' }]);
    if (info.kind !== 'file') throw inputError([{ file: abs, path: '', message: `${abs} is not a regular file`, hint: 'give the path of a lab file' }]);
    if (info.sizeBytes > maxBytes) throw inputError([tooBig(abs, info.sizeBytes, maxBytes)]);
  }
  let text: string;
  try {
    text = await fs.readFile(abs);
  } catch (e) {
    const from = seen.length ? { file: seen[seen.length - 1], path: 'extends' } : { file: abs, path: '' };
    throw inputError([{ ...from, message: `cannot read lab file ${abs}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, hint: 'check the path' }]);
  }
  // the file may have grown since it was checked, or come from an in-memory fs that cannot say
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) throw inputError([tooBig(abs, Buffer.byteLength(text), maxBytes)]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const where = (offset: number) => {
    const pos = lines.linePos(offset);
    return `${abs}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length) {
    throw inputError(doc.errors.map((err) => ({ file: where(err.pos[0]), path: '', message: `YAML: ${err.message.split('\n')[0]}`, hint: 'fix the YAML syntax' })));
  }
  const guard = guardYaml(doc, abs, (offset) => lines.linePos(offset));
  if (guard.problems.length) throw inputError(guard.problems);
  let data: Json;
  try {
    // guardYaml has bounded what aliases add; yaml's own count would refuse a flat anchor used 101 times
    data = doc.toJS({ maxAliasCount: -1 }) as Json;
  } catch (e) {
    throw inputError([{ file: abs, path: '', message: `YAML: ${String((e as Error)?.message ?? e).split('\n')[0]}`, hint: 'fix the YAML' }]);
  }
  if (!isMap(data)) throw inputError([{ file: abs, path: '', message: 'the lab file must be a YAML mapping', hint: 'start with `name:` and `topology:`' }]);
  let merged = data;
  let layers: Layer[] = [{ file: abs, doc, lines, raw: data, aliasTargets: guard.aliasTargets, keys: new WeakMap() }];
  const at = (l: Layer, path: (string | number)[]): string | undefined => {
    const node = findIn(l, path);
    if (!node?.range) return undefined;
    const pos = l.lines.linePos(node.range[0]);
    return `${l.file}:${pos.line}:${pos.col}`;
  };
  if (typeof data.extends === 'string') {
    const target = resolve(dirname(abs), data.extends);
    const extendsRoot = opts.extendsRoot ?? extendsRootOf(dirname(abs));
    const { problem } = await checkFileRef('extends', target, 'extends', {
      probe,
      root: (await probe(extendsRoot)).realPath,
      rootLabel: "the lab folder's parent",
      allowOutsidePaths: opts.allowOutsidePaths === true,
      maxBytes,
    });
    if (problem) throw inputError([{ ...problem, file: at(layers[0], ['extends']) ?? abs }]);
    let base: LabSource;
    try {
      base = await readLabSource(target, fs, { ...opts, extendsRoot }, [...seen, abs]);
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
    if (!l.linkIndex) {
      const own = isMap(l.raw.topology) && Array.isArray(l.raw.topology.links) ? l.raw.topology.links : [];
      l.linkIndex = new Map();
      own.forEach((x, i) => l.linkIndex!.has(x) || l.linkIndex!.set(x, i));
    }
    const i = link === undefined ? undefined : l.linkIndex.get(link);
    return i === undefined ? undefined : ['topology', 'links', i, ...path.slice(3)];
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
