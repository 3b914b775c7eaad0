import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { InputProblem } from '../errors.js';
import type { Json } from './merge.js';

/** The JSON Schema of the lab format: schema/lab.schema.json, also for editors (yaml-language-server). */
export const labSchemaUrl = new URL('../../schema/lab.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = ajv.compile(JSON.parse(readFileSync(labSchemaUrl, 'utf8')));
  }
  return compiled;
}

/** `/topology/links/3/endpoints/1` -> `topology.links[3].endpoints[1]` */
export function dotPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function describe(e: ErrorObject): { path: string; message: string; hint?: string } {
  const path = dotPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      return {
        path: path ? `${path}.${key}` : key,
        message: `unknown key '${key}'`,
        hint: known.length ? `known keys here: ${known.join(', ')}` : undefined,
      };
    }
    case 'required':
      return { path, message: `missing key '${String(p.missingProperty)}'`, hint: `add ${String(p.missingProperty)}:` };
    case 'enum':
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type':
      return { path, message: `must be ${String(p.type).replace(',', ' or ')}` };
    case 'pattern':
      return { path, message: `'${path.split('.').pop()}' is not a valid name here (pattern ${String(p.pattern)})` };
    case 'propertyNames':
      return { path, message: `invalid name '${String(p.propertyName)}'`, hint: 'interface names: letters, digits, _ . -, at most 15 characters, starting with a letter' };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** Structural check of the merged document against the schema: one problem per place. */
export function checkSchema(data: Json): InputProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter(
    (e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null'),
  );
  const seen = new Set<string>();
  const out: InputProblem[] = [];
  for (const e of errors) {
    const d = describe(e);
    // oneOf branches report the same place several times: keep the first, most specific word
    const key = d.path;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
