/**
 * The few error kinds asymlab raises. Messages say what is wrong, where, and how to fix it;
 * the CLI maps `kind` to an exit code.
 */
export type LabErrorKind =
  | 'input' // the lab file or the command line is wrong
  | 'environment' // a tool, daemon or privilege the machine lacks
  | 'runtime' // a kernel, FRR or docker step failed
  | 'timeout' // a bounded wait ran out (BGP convergence, a flow)
  | 'interrupted' // Ctrl-C or SIGTERM
  | 'expectation'; // flows ran but missed their `expect`

export interface InputProblem {
  /** The file the problem is in, if any. */
  file?: string;
  /** Dot-path inside the document, e.g. `topology.links[3].endpoints[1]`. */
  path: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

export class LabError extends Error {
  readonly kind: LabErrorKind;
  readonly problems: InputProblem[];
  readonly hint?: string;

  constructor(kind: LabErrorKind, message: string, opts: { cause?: unknown; problems?: InputProblem[]; hint?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LabError';
    this.kind = kind;
    this.problems = opts.problems ?? [];
    this.hint = opts.hint;
  }
}

export const exitCodes: Record<LabErrorKind, number> = {
  expectation: 1,
  input: 2,
  environment: 3,
  runtime: 4,
  timeout: 5,
  interrupted: 130,
};

export function formatProblem(p: InputProblem): string {
  const where = [p.file, p.path].filter(Boolean).join(': ');
  return `${where ? `${where}: ` : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

export function inputError(problems: InputProblem[]): LabError {
  const head = problems.length === 1 ? 'invalid lab' : `invalid lab: ${problems.length} problems`;
  return new LabError('input', `${head}\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { problems });
}
