import { PROTOCOL_NAMES } from '../protocols/names.js';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { InputProblem } from '../errors.js';
import { kindNames, kindProblem } from '../kinds/registry.js';
import type { Json } from './merge.js';
import { IFACE_HINT } from './names.js';
import { RUNTIME_NAMES } from '../runtime/registry.js';

/** The JSON Schema of the lab format: schema/lab.schema.json, also for editors (yaml-language-server). */
export const labSchemaUrl = new URL('../../schema/lab.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // verbose: errors carry their parentSchema (the known keys) and the offending value
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    compiled = ajv.compile(withKindEnum(withRegistryEnums(JSON.parse(readFileSync(labSchemaUrl, 'utf8')) as SchemaDoc)));
  }
  return compiled;
}

interface SchemaDoc {
  properties?: { runtime?: { enum?: string[] } };
  definitions?: { node?: { properties?: { kind?: { enum?: string[] } } }; flow?: { properties?: { proto?: { enum?: string[] } } } };
}

/**
 * The runtimes (and flow protocols) a lab may name are the registries' (src/runtime/registry.ts), whatever the schema
 * file lists for editors: adding a runtime is one registry entry, and the check follows it.
 */
export function withRegistryEnums<T extends SchemaDoc>(schema: T): T {
  if (schema.properties?.runtime) schema.properties.runtime = { ...schema.properties.runtime, enum: [...RUNTIME_NAMES] };
  // Flow protocols likewise (src/protocols/names.ts).
  const proto = schema.definitions?.flow?.properties?.proto;
  if (proto) proto.enum = [...PROTOCOL_NAMES];
  return schema;
}

/** A node's kind is one the registry lists (src/kinds/registry.ts); the file's own list serves editors. */
function withKindEnum<T extends SchemaDoc>(schema: T): T {
  const kind = schema.definitions?.node?.properties?.kind;
  if (kind) kind.enum = kindNames();
  return schema;
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
      // a node's kind (in the node definition, which every place a node's settings go refers to)
      if (e.schemaPath === '#/properties/kind/enum' && e.instancePath.endsWith('/kind')) return { path, ...(kindProblem(String(e.data)) ?? { message: `unknown kind '${String(e.data)}'` }) };
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type':
      return { path, message: `must be ${([] as unknown[]).concat(p.type).map(String).join(' or ')}` };
    // Every pattern in the schema is the interface-name one; propertyNames reports it for a key.
    case 'pattern':
    case 'propertyNames': {
      const name = (e as { propertyName?: string }).propertyName ?? (e.keyword === 'propertyNames' ? String(p.propertyName) : undefined);
      if (name !== undefined) return { path: `${path}.${name}`, message: `invalid interface name '${name}'`, hint: IFACE_HINT };
      return { path, message: `invalid interface name '${String(e.data)}'`, hint: IFACE_HINT };
    }
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** Structural check of the merged document against the schema: every problem, one line each. */
export function checkSchema(data: Json): InputProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const all = (validate.errors ?? []).filter(
    (e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null'),
  );
  // A oneOf branch that got further (a list whose item is wrong) says more than one that stopped at
  // the type (not a string): drop type errors of a place that has errors inside it.
  // (every ancestor of every error, collected once: comparing each error with all others is quadratic)
  const withInner = new Set<string>();
  for (const o of all) {
    for (let i = o.instancePath.lastIndexOf('/'); i >= 0; i = o.instancePath.lastIndexOf('/', i - 1)) {
      const parent = o.instancePath.slice(0, i);
      if (withInner.has(parent)) break;
      withInner.add(parent);
      if (i === 0) break;
    }
  }
  const errors = all.filter((e) => e.keyword !== 'type' || !withInner.has(e.instancePath));
  const seen = new Set<string>();
  const out: InputProblem[] = [];
  for (const e of errors) {
    const d = describe(e);
    // oneOf branches report the same place's type several times: keep the first
    const key = e.keyword === 'type' ? `${d.path}\0type` : `${d.path}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
