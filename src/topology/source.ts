import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { inputError, type InputProblem } from '../errors.js';
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
}

/** The lab document after `extends`, with a way back from a dot-path to a file and line. */
export interface LabSource {
  file: string;
  data: Record<string, Json>;
  layers: Layer[];
  /** "lab.yaml:12:7" for a path such as ['topology', 'links', 3]; the file alone when not found. */
  locate(path: (string | number)[]): string;
}

export async function readLabSource(file: string, fs: SourceFs = nodeFs, seen: string[] = []): Promise<LabSource> {
  const abs = resolve(file);
  if (seen.includes(abs)) {
    throw inputError([{ file: seen[seen.length - 1], path: 'extends', message: `extends loops back to ${abs}`, hint: 'remove the cycle' }]);
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
  let layers: Layer[] = [{ file: abs, doc, lines }];
  if (typeof data.extends === 'string') {
    const base = await readLabSource(resolve(dirname(abs), data.extends), fs, [...seen, abs]);
    merged = mergeLabDocs(base.data, data);
    layers = [...layers, ...base.layers];
  }
  return {
    file: abs,
    data: merged,
    layers,
    locate(path) {
      for (const l of layers) {
        const node = l.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) {
          const pos = l.lines.linePos(node.range[0]);
          return `${l.file}:${pos.line}:${pos.col}`;
        }
        // a key whose value is a null scalar is still a place in the file
        if (path.length && l.doc.hasIn(path)) {
          const parent = l.doc.getIn(path.slice(0, -1), true) as { range?: [number, number, number] } | undefined;
          if (parent?.range) return `${l.file}:${l.lines.linePos(parent.range[0]).line}`;
        }
      }
      return abs;
    },
  };
}

/** Turns `topology.links[3].endpoints[1]` into ['topology', 'links', 3, 'endpoints', 1]. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    if (!part) continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Fills in `file` (with line and column) for problems that carry only a path. */
export function placeProblems(src: LabSource, problems: InputProblem[]): InputProblem[] {
  return problems.map((p) => (p.file ? p : { ...p, file: src.locate(splitPath(p.path)) }));
}
