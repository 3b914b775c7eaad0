import { LabError } from '../errors.js';
import { RUNTIME_NAMES } from '../runtime/registry.js';
import type { RuntimeKind } from '../topology/types.js';
import { orList, type CommandSpec, type OptionSpec, type OptionValues } from './spec.js';

/** Every command: its arguments, its own options and its handler (loaded on demand). */
const runtimeOption: OptionSpec = { type: 'string', value: 'NAME', help: `override the lab's runtime (${RUNTIME_NAMES.join(', ')})` };
const jsonOption: OptionSpec = { type: 'boolean', help: 'machine-readable output' };
const outsideOption: OptionSpec = { type: 'boolean', help: 'let the lab name files outside its folder (only for lab files you trust)' };
/** Commands that load a lab file take --allow-outside-paths; the context carries it to the loader. */
const withPaths = <T extends { allowOutsidePaths?: boolean }>(ctx: T, v: OptionValues): T => ({ ...ctx, allowOutsidePaths: v['allow-outside-paths'] === true });

function runtimeOf(v: OptionValues): RuntimeKind | undefined {
  const r = v.runtime;
  if (r === undefined) return undefined;
  if (typeof r !== 'string' || !RUNTIME_NAMES.includes(r)) {
    throw new LabError('input', `--runtime must be ${orList(RUNTIME_NAMES)}, not '${String(r)}'`);
  }
  return r as RuntimeKind;
}
const str = (v: OptionValues, k: string) => v[k] as string | undefined;

/** `--attach [--via netns|exec]`; --via alone is a mistake worth saying. */
function attachOf(v: OptionValues): { via: 'netns' | 'exec' } | undefined {
  const via = v.via;
  if (via !== undefined && via !== 'netns' && via !== 'exec') throw new LabError('input', `--via must be netns or exec, not '${String(via)}'`);
  if (v.attach !== true) {
    if (via !== undefined) throw new LabError('input', '--via goes with --attach', { hint: 'asymlab run LAB --attach --via exec' });
    return undefined;
  }
  return { via: via ?? 'netns' };
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'validate',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'check a lab file; print every problem with file, line and path',
    options: { runtime: runtimeOption, 'allow-outside-paths': outsideOption },
    root: false,
    async run(p, v, ctx) {
      const { validateCommand } = await import('./commands/lifecycle.js');
      return validateCommand({ lab: p[0], runtime: runtimeOf(v) }, withPaths(ctx, v));
    },
  },
  {
    name: 'up',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'build the lab and wait until its routing has converged',
    options: { runtime: runtimeOption, 'allow-outside-paths': outsideOption },
    root: true,
    async run(p, v, ctx) {
      const { upCommand } = await import('./commands/lifecycle.js');
      return upCommand({ lab: p[0], runtime: runtimeOf(v) }, withPaths(ctx, v));
    },
  },
  {
    name: 'inspect',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'nodes, interfaces, addresses, routes, BGP sessions',
    options: { json: jsonOption },
    root: true,
    async run(p, v, ctx) {
      const { inspectCommand } = await import('./commands/inspect.js');
      return inspectCommand({ lab: p[0], json: v.json === true }, ctx);
    },
  },
  {
    name: 'exec',
    section: 'Labs',
    args: 'LAB NODE -- CMD...',
    required: { count: 2, what: 'LAB and NODE' },
    summary: 'run a command inside a node',
    options: {},
    root: true,
    async run(p, _v, ctx) {
      const { execCommand } = await import('./commands/inspect.js');
      return execCommand({ lab: p[0], node: p[1], argv: p.slice(2) }, ctx);
    },
  },
  {
    name: 'down',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'remove the lab (by file or by name)',
    options: {},
    root: true,
    async run(p, _v, ctx) {
      const { downCommand } = await import('./commands/lifecycle.js');
      return downCommand({ lab: p[0] }, ctx);
    },
  },
  {
    name: 'clean',
    section: 'Labs',
    args: '',
    required: { count: 0, what: '' },
    summary: 'remove every asymlab resource on this machine',
    options: {},
    root: true,
    async run(_p, _v, ctx) {
      const { cleanCommand } = await import('./commands/lifecycle.js');
      return cleanCommand({}, ctx);
    },
  },
  {
    name: 'graph',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'draw a lab without building it (html, svg, mermaid, dot, drawio)',
    options: {
      format: { type: 'string', short: 'f', value: 'FORMAT', help: 'html (default), svg, mermaid, dot or drawio' },
      out: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE instead of standard output' },
    },
    root: false,
    async run(p, v, ctx) {
      const { graphCommand, graphFormat } = await import('./commands/graph.js');
      return graphCommand({ lab: p[0], format: graphFormat(v.format), out: str(v, 'out') }, ctx);
    },
  },
  {
    name: 'export',
    section: 'Labs',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'write the lab as a containerlab topology (for containerlab, clabernetes)',
    options: {
      to: { type: 'string', value: 'TARGET', help: 'containerlab' },
      out: { type: 'string', short: 'o', value: 'DIR', help: 'the folder to write into' },
      image: { type: 'string', value: 'IMAGE', multiple: true, help: 'every node\'s image, or KIND=IMAGE for one kind (repeatable)' },
      'allow-outside-paths': outsideOption,
    },
    root: false,
    async run(p, v, ctx) {
      const { exportCommand } = await import('./commands/export.js');
      const images = v.image === undefined ? [] : Array.isArray(v.image) ? v.image : [String(v.image)];
      return exportCommand({ lab: p[0], to: str(v, 'to'), out: str(v, 'out'), images }, withPaths(ctx, v));
    },
  },
  {
    name: 'labs',
    section: 'Labs',
    args: '',
    required: { count: 0, what: '' },
    summary: 'list the bundled labs',
    options: {},
    root: false,
    async run(_p, _v, ctx) {
      const { labsCommand } = await import('./commands/labs.js');
      return labsCommand({}, (line) => ctx.out(`${line}\n`));
    },
  },
  {
    name: 'run',
    section: 'Proof',
    args: 'LAB',
    required: { count: 1, what: 'LAB' },
    summary: 'up, send the flows, capture, analyse, report, down',
    options: {
      runtime: runtimeOption,
      out: { type: 'string', short: 'o', value: 'DIR', help: 'the run folder (default runs/<lab>-<time>)' },
      'keep-up': { type: 'boolean', help: 'leave the lab up afterwards (for inspect and trace)' },
      attach: { type: 'boolean', help: 'prove the flows on the lab containerlab deployed; build and remove nothing' },
      via: { type: 'string', value: 'HOW', help: 'with --attach: netns (host tools in each node, the default) or exec (docker exec only)' },
      'allow-outside-paths': outsideOption,
    },
    root: true,
    async run(p, v, ctx) {
      const { runCommand } = await import('./commands/run.js');
      const attach = attachOf(v);
      return runCommand({ lab: p[0], runtime: runtimeOf(v), outDir: str(v, 'out'), keepUp: v['keep-up'] === true, ...(attach ? { attach } : {}) }, withPaths(ctx, v));
    },
  },
  {
    name: 'test',
    section: 'Proof',
    args: 'LAB...',
    required: { count: 1, what: 'LAB' },
    summary: 'run several labs (a shell glob works); JUnit XML for CI',
    options: {
      runtime: runtimeOption,
      out: { type: 'string', short: 'o', value: 'DIR', help: 'one run folder per lab under DIR' },
      junit: { type: 'string', value: 'FILE', help: 'write JUnit XML' },
      'allow-outside-paths': outsideOption,
    },
    root: true,
    async run(p, v, ctx) {
      const { testCommand } = await import('./commands/run.js');
      return testCommand({ labs: p, runtime: runtimeOf(v), outDir: str(v, 'out'), junit: str(v, 'junit') }, withPaths(ctx, v));
    },
  },
  {
    name: 'trace',
    section: 'Proof',
    args: 'LAB FROM TO[:PORT]',
    required: { count: 3, what: 'LAB, FROM and TO' },
    summary: 'traceroute both ways on a running lab; same edge or not',
    options: { json: jsonOption, proto: { type: 'string', value: 'P', help: 'probe with tcp, udp or icmp (default: tcp to a PORT given, else udp)' } },
    root: true,
    async run(p, v, ctx) {
      const { traceCommand } = await import('./commands/trace.js');
      return traceCommand({ lab: p[0], from: p[1], to: p[2], json: v.json === true, proto: str(v, 'proto') }, ctx);
    },
  },
  {
    name: 'report',
    section: 'Proof',
    args: 'RUN_DIR',
    required: { count: 1, what: 'RUN_DIR' },
    summary: 'write report.html again from a run folder\'s report.json',
    options: { open: { type: 'boolean', help: 'open it in the desktop\'s browser' } },
    root: false,
    async run(p, v, ctx) {
      const { reportCommand } = await import('./commands/report.js');
      return reportCommand({ dir: p[0], open: v.open === true }, ctx);
    },
  },
  {
    name: 'pcap',
    section: 'Proof',
    args: 'FILE',
    required: { count: 1, what: 'FILE' },
    summary: 'decode a capture file',
    options: { json: jsonOption },
    root: false,
    async run(p, v, ctx) {
      const { pcapCommand } = await import('./commands/pcap.js');
      return pcapCommand({ file: p[0], json: v.json === true }, (line) => ctx.out(`${line}\n`), ctx.out);
    },
  },
  {
    name: 'images',
    section: 'Images',
    args: 'build|list',
    required: { count: 0, what: '' },
    summary: 'build asymlab/node:latest offline (debootstrap + docker import), or list it',
    options: { force: { type: 'boolean', help: 'build again even if the image exists' } },
    root: true,
    async run(p, v, ctx) {
      const action = p[0] ?? 'list';
      if (action !== 'build' && action !== 'list') throw new LabError('input', `unknown images action '${action}'`, { hint: 'asymlab images build | list' });
      const { imagesCommand } = await import('./commands/images.js');
      return imagesCommand({ action, force: v.force === true }, (line) => ctx.out(`${line}\n`));
    },
  },
];
