/**
 * Schema problems and rule problems in one pass: the values the schema refused are taken out (or
 * made empty) so the normaliser and the rules can run over everything else, and a rule problem
 * about a place the schema (or the containerlab adapter) already explained is not said twice. Pure.
 */
import type { InputProblem } from '../errors.js';
import { isMap, type Json } from './merge.js';
import type { SchemaFinding } from './schema-check.js';
import { splitPath } from './source.js';

type Raw = Record<string, Json>;

/** A copy of `data` with the values the findings are about deleted or emptied. */
export function pruneInvalid(data: Raw, findings: SchemaFinding[]): Raw {
  const out = structuredClone(data);
  for (const f of findings) {
    if (f.prune === 'keep' || f.at.length === 0) continue;
    let cur: Json = out;
    for (const seg of f.at.slice(0, -1)) {
      if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
      else if (isMap(cur)) cur = cur[String(seg)];
      else break;
    }
    const last = f.at[f.at.length - 1];
    if (Array.isArray(cur) && typeof last === 'number' && last < cur.length) {
      if (f.prune === 'empty') cur[last] = {};
    } else if (isMap(cur) && String(last) in cur) {
      if (f.prune === 'empty') cur[String(last)] = {};
      else delete cur[String(last)];
    }
  }
  return out;
}

/**
 * The places a problem already explains: its own. A map that misses a key is incomplete as a whole
 * (a route without `to:`), so what the rules say about the rest of it adds nothing; at the top
 * level only the missing key is covered.
 */
export function coveredPaths(problems: InputProblem[]): string[] {
  return problems.map((p) => {
    const m = /^missing key '(.+)'$/.exec(p.message);
    return m && !p.path ? m[1] : p.path;
  });
}

/** Whether `path` is `base` or lies below it, segment by segment. */
function under(path: (string | number)[], base: (string | number)[]): boolean {
  return base.length <= path.length && base.every((s, i) => String(s) === String(path[i]));
}

/**
 * The rule problems that add something: not at or below a covered place, and not a kind the
 * schema already refused (it says so where the kind is written, perhaps in defaults or a group).
 */
export function newProblems(rules: InputProblem[], earlier: InputProblem[], covered: string[]): InputProblem[] {
  const bases = covered.filter((c) => c !== '').map(splitPath);
  const said = new Set(earlier.map((p) => `${p.message}\0${p.hint ?? ''}`));
  const seen = new Set<string>();
  return rules.filter((p) => {
    const at = splitPath(p.path);
    if (bases.some((b) => under(at, b))) return false;
    if (p.path.endsWith('.kind') && said.has(`${p.message}\0${p.hint ?? ''}`)) return false;
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
