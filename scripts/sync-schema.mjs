#!/usr/bin/env node
// The lab schema's lists of kinds, runtimes and flow protocols come from their registries. Loading
// takes them from the registries anyway (src/topology/schema-check.ts); this keeps the file's own
// copy, which editors use for completion, the same. Run by `npm run build`: adding a kind, runtime
// or protocol never means editing the schema by hand.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../schema/lab.schema.json', import.meta.url);
const { kindNames } = await import('../dist/kinds/registry.js');
const { RUNTIME_NAMES } = await import('../dist/runtime/registry.js');
const { PROTOCOL_NAMES } = await import('../dist/protocols/names.js');

const text = readFileSync(file, 'utf8');
const schema = JSON.parse(text);
schema.properties.runtime.enum = [...RUNTIME_NAMES];
schema.definitions.node.properties.kind.enum = kindNames();
schema.definitions.flow.properties.proto.enum = [...PROTOCOL_NAMES];
const out = `${JSON.stringify(schema, null, 2)}\n`;
if (out !== text) writeFileSync(file, out);
