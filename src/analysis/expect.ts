/**
 * A flow's verdict against its `expect`, in plain sentences. Paths compare exactly, node by node;
 * `at` compares with the node the verdict names (where it died, or who reset it).
 */
import type { FlowExpect, FlowResult } from '../topology/types.js';

export interface Observed {
  result: FlowResult;
  at?: string;
  path: string[];
  returnPath: string[];
  asymmetric: boolean;
}

const list = (nodes: string[]) => `[${nodes.join(', ')}]`;
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const outcome = (o: Pick<Observed, 'result' | 'at'>) => `${o.result}${o.at && o.result !== 'delivered' ? ` at ${o.at}` : ''}`;

export function checkExpectation(expect: FlowExpect | undefined, got: Observed): string[] {
  if (!expect) return [];
  const out: string[] = [];
  const resultOk = expect.result === undefined || expect.result === got.result;
  if (!resultOk) out.push(`expected ${expect.at ? `${expect.result} at ${expect.at}` : expect.result}, got ${outcome(got)}`);
  else if (expect.at !== undefined && expect.at !== got.at) {
    out.push(got.at ? `expected ${got.result} at ${expect.at}, got ${got.result} at ${got.at}` : `expected it to stop at ${expect.at}, got ${outcome(got)}`);
  }
  if (expect.path && !sameList(expect.path, got.path)) out.push(`expected path ${list(expect.path)}, got ${list(got.path)}`);
  if (expect.returnPath && !sameList(expect.returnPath, got.returnPath)) out.push(`expected return path ${list(expect.returnPath)}, got ${list(got.returnPath)}`);
  if (expect.asymmetric !== undefined && expect.asymmetric !== got.asymmetric) {
    const word = (a: boolean) => (a ? 'asymmetric' : 'symmetric');
    out.push(`expected ${word(expect.asymmetric)} routing, got ${word(got.asymmetric)} (path ${list(got.path)}, return path ${list(got.returnPath)})`);
  }
  return out;
}
