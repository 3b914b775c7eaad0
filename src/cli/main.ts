import { parseArgs } from 'node:util';
import { LabError, exitCodes } from '../errors.js';
import type { CliContext } from './context.js';
import type { RuntimeKind } from '../topology/types.js';

const USAGE = `asymlab: prove with real packets where stateful devices drop traffic

Usage: asymlab COMMAND [options]

Labs
  validate LAB                 check a lab file; print every problem with file, line and path
  up LAB                       build the lab and wait until BGP has converged
  inspect LAB [--json]         nodes, interfaces, addresses, routes, BGP sessions
  exec LAB NODE -- CMD...      run a command inside a node
  down LAB                     remove the lab (by file or by name)
  clean                        remove every asymlab resource on this machine
  labs                         list the bundled labs

Proof
  run LAB [--out DIR]          up, send the flows, capture, analyse, report, down
  test LAB... [--junit FILE]   run several labs; JUnit XML for CI
  trace LAB FROM TO[:PORT]     traceroute both ways on a running lab; same edge or not
  pcap FILE [--json]           decode a capture file

Images (docker runtime)
  images build [--force]       build asymlab/node:latest offline (debootstrap + docker import)
  images list

Options
  --runtime netns|docker       override the lab's runtime
  --quiet                      no progress lines
  -h, --help                   this text

LAB is a lab file, a folder holding lab.yaml, or (for a running lab) its name.
Exit codes: 0 ok, 1 a flow missed its expect, 2 bad input, 3 machine lacks something,
4 a kernel/FRR/docker step failed, 5 a wait timed out, 130 interrupted.
`;

/** Commands that read files only. */
const NO_ROOT = new Set(['validate', 'labs', 'pcap']);

type Handler = (positionals: string[], values: Record<string, string | boolean | undefined>, ctx: CliContext) => Promise<number>;

function need(p: string[], n: number, what: string): void {
  if (p.length < n) throw new LabError('input', `missing ${what}`, { hint: 'see asymlab --help' });
}

const runtimeOf = (v: Record<string, string | boolean | undefined>) => v.runtime as RuntimeKind | undefined;

const commands: Record<string, Handler> = {
  async validate(p, v, ctx) {
    need(p, 1, 'LAB');
    const { validateCommand } = await import('./commands/lifecycle.js');
    return validateCommand({ lab: p[0], runtime: runtimeOf(v) }, ctx);
  },
  async up(p, v, ctx) {
    need(p, 1, 'LAB');
    const { upCommand } = await import('./commands/lifecycle.js');
    return upCommand({ lab: p[0], runtime: runtimeOf(v) }, ctx);
  },
  async down(p, _v, ctx) {
    need(p, 1, 'LAB');
    const { downCommand } = await import('./commands/lifecycle.js');
    return downCommand({ lab: p[0] }, ctx);
  },
  async clean(_p, _v, ctx) {
    const { cleanCommand } = await import('./commands/lifecycle.js');
    return cleanCommand({}, ctx);
  },
  async inspect(p, v, ctx) {
    need(p, 1, 'LAB');
    const { inspectCommand } = await import('./commands/inspect.js');
    return inspectCommand({ lab: p[0], json: v.json === true }, ctx);
  },
  async exec(p, _v, ctx) {
    need(p, 2, 'LAB and NODE');
    const { execCommand } = await import('./commands/inspect.js');
    return execCommand({ lab: p[0], node: p[1], argv: p.slice(2) }, ctx);
  },
  async run(p, v, ctx) {
    need(p, 1, 'LAB');
    const { runCommand } = await import('./commands/run.js');
    return runCommand({ lab: p[0], runtime: runtimeOf(v), outDir: v.out as string | undefined, keepUp: v['keep-up'] === true }, ctx);
  },
  async test(p, v, ctx) {
    need(p, 1, 'LAB');
    const { testCommand } = await import('./commands/run.js');
    return testCommand({ labs: p, runtime: runtimeOf(v), outDir: v.out as string | undefined, junit: v.junit as string | undefined }, ctx);
  },
  async trace(p, v, ctx) {
    need(p, 3, 'LAB, FROM and TO');
    const { traceCommand } = await import('./commands/trace.js');
    return traceCommand({ lab: p[0], from: p[1], to: p[2], json: v.json === true }, ctx);
  },
  async labs(_p, _v, ctx) {
    const { labsCommand } = await import('./commands/labs.js');
    return labsCommand({}, (line) => ctx.out(`${line}\n`));
  },
  async pcap(p, v, ctx) {
    need(p, 1, 'FILE');
    const { pcapCommand } = await import('./commands/pcap.js');
    return pcapCommand({ file: p[0], json: v.json === true }, (line) => ctx.out(`${line}\n`), ctx.out);
  },
  async images(p, v, ctx) {
    const action = p[0] ?? 'list';
    if (action !== 'build' && action !== 'list') throw new LabError('input', `unknown images action '${action}'`, { hint: 'asymlab images build | list' });
    const { imagesCommand } = await import('./commands/images.js');
    return imagesCommand({ action, force: v.force === true }, (line) => ctx.out(`${line}\n`));
  },
};

export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        force: { type: 'boolean' },
        runtime: { type: 'string' },
        out: { type: 'string', short: 'o' },
        junit: { type: 'string' },
        'keep-up': { type: 'boolean' },
      },
    });
  } catch (e) {
    io.err(`asymlab: ${(e as Error).message}\n(see asymlab --help)\n`);
    return exitCodes.input;
  }
  const { positionals, values } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out('asymlab 0.1.0\n');
    return 0;
  }
  if (values.runtime !== undefined && values.runtime !== 'netns' && values.runtime !== 'docker') {
    io.err(`asymlab: --runtime must be netns or docker, not '${values.runtime}'\n`);
    return exitCodes.input;
  }
  const [name, ...rest] = positionals;
  const handler = commands[name];
  if (!handler) {
    io.err(`asymlab: unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}\n`);
    return exitCodes.input;
  }
  if (!NO_ROOT.has(name) && process.getuid?.() !== 0) {
    io.err(`asymlab: '${name}' needs root: it works with network namespaces, iptables and FRR\n  hint: run it with sudo\n`);
    return exitCodes.environment;
  }
  // Ctrl-C aborts the command; the command removes what it created and exits 130.
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
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await handler(rest, values, { out: io.out, err: io.err, signal: ac.signal, quiet: values.quiet === true });
  } catch (e) {
    if (e instanceof LabError) {
      io.err(`asymlab: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
      return exitCodes[e.kind];
    }
    io.err(`asymlab: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
