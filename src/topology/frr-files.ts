/**
 * Where a node's FRR files come from: `frr-config:` (asymlab's key), containerlab's
 * `startup-config:` on a node that runs FRR, or FRR's own files bound into the node at
 * /etc/frr/frr.conf and /etc/frr/daemons (containerlab's linux nodes). Pure.
 */
import { isAbsolute, resolve } from 'node:path';
import type { InputProblem } from '../errors.js';
import type { KindDef } from '../kinds/kind.js';
import { bindAt, parseBind } from './binds.js';
import type { LabNode } from './types.js';

export const FRR_CONF_PATH = '/etc/frr/frr.conf';
export const FRR_DAEMONS_PATH = '/etc/frr/daemons';

export interface FrrFiles {
  frrConfig?: string;
  frrConfigKey?: string;
  frrDaemons?: string;
  frrDaemonsKey?: string;
}

/**
 * The node with its FRR files filled in. `startupConfig` is the raw `startup-config:` value; it is
 * the node's frr.conf when the node runs FRR and names no other, else it is said to be ignored.
 */
export function withFrrFiles(node: LabNode, kind: KindDef | undefined, startupConfig: string | undefined, dir: string, path: string, warnings: InputProblem[]): LabNode {
  const files: FrrFiles = {};
  const conf = bindAt(node, FRR_CONF_PATH);
  const daemons = bindAt(node, FRR_DAEMONS_PATH);
  if (node.frrConfig === undefined && conf) {
    files.frrConfig = parseBind(conf.text, dir)?.source;
    files.frrConfigKey = `binds[${conf.index}]`;
  }
  if (daemons) {
    files.frrDaemons = parseBind(daemons.text, dir)?.source;
    files.frrDaemonsKey = `binds[${daemons.index}]`;
  }
  let out: LabNode = { ...node, ...files };
  if (startupConfig !== undefined) {
    const runsFrr = kind?.services(out).frr === true;
    if (runsFrr && out.frrConfig === undefined) {
      out = { ...out, frrConfig: isAbsolute(startupConfig) ? startupConfig : resolve(dir, startupConfig), frrConfigKey: 'startup-config' };
    } else if (kind) {
      const why = runsFrr ? `its FRR config is ${out.frrConfigKey ?? 'frr-config'}` : `${node.name} runs no FRR (its image is not FRR's and it binds no FRR files)`;
      warnings.push({ path: `${path}.startup-config`, message: `startup-config is ignored: ${why}`, hint: "startup-config is an FRR node's frr.conf" });
    }
  }
  return out;
}
