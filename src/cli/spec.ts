import type { CliContext } from './context.js';

/**
 * The command line as data: every command declares its arguments and its own options, and the usage
 * text, the option parser and the "unknown option" errors are all derived from these declarations.
 */
export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** What a string option's value is called in the usage text, e.g. DIR. */
  value?: string;
  /** A string option that may be given more than once. */
  multiple?: boolean;
  help: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandSpec {
  name: string;
  section: 'Labs' | 'Proof' | 'Images';
  /** Positional arguments as shown in the usage text, e.g. `LAB FROM TO[:PORT]`. */
  args: string;
  /** How many positionals are required, and what to call them when missing. */
  required: { count: number; what: string };
  summary: string;
  options: Record<string, OptionSpec>;
  /** Needs root: it works with namespaces, iptables, FRR or docker. */
  root: boolean;
  run(positionals: string[], values: OptionValues, ctx: CliContext): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  quiet: { type: 'boolean', short: 'q', help: 'no progress lines' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
};

function optionText(name: string, o: OptionSpec): string {
  return `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
}

/** The usage text, generated from the command specs so it never misses an option. */
export function usage(commands: CommandSpec[]): string {
  const lines = ['asymlab: prove with real packets where stateful devices drop traffic', '', 'Usage: asymlab COMMAND [options]'];
  const width = 34;
  for (const section of ['Labs', 'Proof', 'Images'] as const) {
    lines.push('', section);
    for (const c of commands.filter((x) => x.section === section)) {
      const head = `  ${c.name}${c.args ? ` ${c.args}` : ''}`;
      lines.push(`${head.padEnd(width)} ${c.summary}`);
      for (const [name, o] of Object.entries(c.options)) lines.push(`${`      ${optionText(name, o)}`.padEnd(width)} ${o.help}`);
    }
  }
  lines.push('', 'Options of every command');
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) lines.push(`${`  ${o.short ? `-${o.short}, ` : ''}${optionText(name, o)}`.padEnd(width)} ${o.help}`);
  lines.push(
    '',
    'LAB is a lab file, a folder holding lab.yaml, or (for a running lab) its name.',
    'Exit codes: 0 ok, 1 a flow missed its expect, 2 bad input, 3 machine lacks something,',
    '4 a kernel/FRR/docker step failed, 5 a wait timed out, 130 interrupted.',
    '',
  );
  return lines.join('\n');
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
