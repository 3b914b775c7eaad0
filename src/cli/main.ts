import { parseArgs } from 'node:util';
import { LabError, exitCodes } from '../errors.js';
import { COMMANDS } from './commands.js';
import { GLOBAL_OPTIONS, usage, type CommandSpec, type OptionValues } from './spec.js';
import { interruptChildren } from '../util/exec.js';

export const VERSION = '0.1.0';

type Io = { out: (s: string) => void; err: (s: string) => void };

/** Parses a command's own options (and the global ones); an option the command does not take is an error. */
function parseCommand(spec: CommandSpec, args: string[]): { positionals: string[]; values: OptionValues } {
  const options = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...spec.options }).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options }) as { positionals: string[]; values: OptionValues };
  } catch (e) {
    const own = Object.keys(spec.options);
    throw new LabError('input', `${spec.name}: ${(e as Error).message.split('\n')[0]}`, {
      hint: own.length ? `${spec.name} takes ${own.map((o) => `--${o}`).join(', ')}; see asymlab --help` : `${spec.name} takes no options; see asymlab --help`,
    });
  }
}

export async function main(argv: string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(COMMANDS));
    return 0;
  }
  if (name === '--version') {
    io.out(`asymlab ${VERSION}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    io.err(`asymlab: unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n(see asymlab --help)\n`);
    return exitCodes.input;
  }
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(spec, rest);
  } catch (e) {
    const le = e as LabError;
    io.err(`asymlab: ${le.message}\n${le.hint ? `  hint: ${le.hint}\n` : ''}`);
    return exitCodes.input;
  }
  const { positionals, values } = parsed;
  if (values.help) {
    io.out(usage(COMMANDS));
    return 0;
  }
  if (positionals.length < spec.required.count) {
    io.err(`asymlab: ${spec.name}: missing ${spec.required.what}\n  usage: asymlab ${spec.name} ${spec.args}\n`);
    return exitCodes.input;
  }
  if (spec.root && process.getuid?.() !== 0) {
    io.err(`asymlab: '${name}' needs root: it works with network namespaces, iptables and FRR\n  hint: run it with sudo\n`);
    return exitCodes.environment;
  }
  // Ctrl-C aborts the command; the command removes what it created and exits 130. Any failure
  // after that is the interrupt's.
  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      io.err('asymlab: second interrupt: exiting now; run `asymlab clean` to remove what is left\n');
      process.exit(130);
    }
    io.err(`asymlab: ${sig}: stopping and cleaning up (again to exit at once)\n`);
    ac.abort(new LabError('interrupted', `interrupted by ${sig}`));
    // Children run in their own process groups and never see the terminal's signal: they are
    // ended here, by PID, and no new one starts but the teardown's.
    interruptChildren();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await spec.run(positionals, values, { out: io.out, err: io.err, signal: ac.signal, quiet: values.quiet === true });
  } catch (e) {
    if (e instanceof LabError) {
      // After Ctrl-C a step may fail in its own words (a child ended by the interrupt): still 130.
      const interrupted = ac.signal.aborted && e.kind !== 'interrupted';
      io.err(`asymlab: ${interrupted ? 'interrupted: ' : ''}${e.message}\n${e.hint && !interrupted ? `  hint: ${e.hint}\n` : ''}`);
      return interrupted ? exitCodes.interrupted : exitCodes[e.kind];
    }
    io.err(`asymlab: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
