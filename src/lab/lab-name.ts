import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LabError } from '../errors.js';
import { NAME_HINT, NAME_RE } from '../topology/names.js';

/**
 * A lab's name becomes part of folder names (/var/run/asymlab/<lab>, /etc/frr/asymlab_<lab>_<node>)
 * and of commands, and asymlab runs as root: a name shaped like a path (`x/../../tmp/victim`) would
 * let `down` remove any folder on the machine. Every name that arrives (lab file, command line,
 * state folder entries) is checked here, against the one rule the lab file validator uses.
 */

/** 'lab names use lowercase letters, digits and inner hyphens, at most 24 characters' */
export const LAB_NAME_SHAPE = `lab names ${NAME_HINT}`;

/** Control characters and very long input would garble the one-line error that names them. */
export function shownName(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 80 ? `${clean.slice(0, 80)}...` : clean;
}

export function isLabName(name: unknown): name is string {
  return typeof name === 'string' && NAME_RE.test(name);
}

/** Returns the name if it is one asymlab may use; else LabError('input') naming it and the allowed shape. */
export function checkLabName(name: string, what = 'lab name'): string {
  if (isLabName(name)) return name;
  throw new LabError('input', `${what} '${shownName(name)}' is not allowed: ${LAB_NAME_SHAPE}`, {
    hint: 'give the lab file, or the name in its `name:` line',
  });
}

/**
 * `base` joined with `parts`, after checking the result lies strictly inside `base` (not `base`
 * itself, not a parent, not elsewhere through `..` or an absolute part). A second guard behind
 * the name check, for every path built from a name.
 */
export function insideBase(base: string, ...parts: string[]): string {
  const root = resolve(base);
  const path = resolve(root, ...parts);
  const rel = relative(root, path);
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) || parts.some((p) => p.includes('\0'));
  if (outside) {
    throw new LabError('input', `'${shownName(parts.join('/'))}' does not name a place inside ${root}`, {
      hint: `names used in paths must be plain names; ${LAB_NAME_SHAPE}`,
    });
  }
  return path;
}
