/**
 * Golden tests of the pure renderers: each test/golden/<name>/lab.yaml renders, per node, to
 *   <node>.frr.conf      renderFrr      (nodes that run FRR from the lab)
 *   <node>.<backend>.<name>  every firewall backend's render (iptables.v4, iptables.v6, nftables.nft)
 *   <node>.ip-batch      renderNetBatch (every node)
 * which must equal the files beside it: the goldens are the spec. UPDATE_GOLDEN=1 rewrites them
 * (review the diff by eye before committing it).
 *
 * The outputs are also checked by the real tools: FRR's `vtysh -C -f` dry run (no daemon needed),
 * each backend's own check (`iptables-restore --test` / `ip6tables-restore --test`, `nft -c`), and `ip -batch`
 * on veths of the node's interfaces, all inside network namespaces this test creates and deletes,
 * never in the host's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNetBatch } from '../../src/nodes/net-config.js';
import { planLab, type LabPlan } from '../../src/plan/plan.js';
import { renderFrr, renderFrrDaemons } from '../../src/render/frr.js';
import { daemonsFor } from '../../src/nodes/frr.js';
import { loadLab } from '../../src/topology/load.js';
import { FIREWALL_BACKENDS } from '../../src/firewall/registry.js';

const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const labs = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(GOLDEN, d.name, 'lab.yaml')))
  .map((d) => d.name)
  .sort();

/** Every rendered file of a lab, by golden file name. */
function render(plan: LabPlan): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of plan.nodes) {
    const name = n.node.name;
    if (n.frr && !n.node.frrConfig) {
      out.set(`${name}.frr.conf`, renderFrr(n.node));
      // what each daemon reads at start (-f): checked by vtysh like the integrated file
      const daemons = renderFrrDaemons(n.node);
      for (const d of daemonsFor(n)) out.set(`${name}.${d}.frr.conf`, daemons[d]);
    }
    // every backend renders every firewall's intent: the same policy, in each one's syntax
    if (n.firewall && n.node.firewall && !n.node.iptables && !n.node.ip6tables && !n.node.nftables) {
      const ctx = n.frrConfigText !== undefined ? { frrConfigText: n.frrConfigText } : {};
      for (const backend of FIREWALL_BACKENDS) {
        for (const [file, text] of Object.entries(backend.render(n.node, ctx))) out.set(`${name}.${backend.name}.${file}`, text);
      }
    }
    out.set(`${name}.ip-batch`, renderNetBatch(n));
  }
  return out;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const isRoot = process.getuid?.() === 0;

/** A network namespace of this test's own, so iptables-restore --test never touches the host's tables. */
const NETNS = `asymlab-golden-test-${process.pid}`;
let netnsReady: string | undefined; // undefined = ready; else why not

beforeAll(() => {
  if (!isRoot) netnsReady = 'not root: iptables-restore --test needs CAP_NET_ADMIN in a namespace of our own';
  else if (!has('ip') || !has('iptables-restore') || !has('ip6tables-restore') || !has('nft')) netnsReady = 'ip, iptables-restore, ip6tables-restore or nft is not installed (scripts/setup.sh)';
  else {
    const r = spawnSync('ip', ['netns', 'add', NETNS], { encoding: 'utf8' });
    if (r.status !== 0) netnsReady = `ip netns add ${NETNS} failed: ${r.stderr.trim()}`;
  }
});

afterAll(() => {
  if (netnsReady === undefined) execFileSync('ip', ['netns', 'delete', NETNS]);
});

describe.each(labs)('golden %s', (name) => {
  const dir = join(GOLDEN, name);
  let files: Map<string, string>;

  beforeAll(async () => {
    files = render(planLab(await loadLab(join(dir, 'lab.yaml'))));
  });

  it('renders exactly the golden files', () => {
    const present = readdirSync(dir).filter((f) => f !== 'lab.yaml');
    if (UPDATE) {
      for (const f of present) if (!files.has(f)) unlinkSync(join(dir, f));
      for (const [f, text] of files) writeFileSync(join(dir, f), text);
      return;
    }
    expect(present.sort(), `files in ${dir} (UPDATE_GOLDEN=1 rewrites them)`).toEqual([...files.keys()].sort());
    for (const [f, text] of files) {
      expect(text, `${name}/${f} differs from the golden (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(join(dir, f), 'utf8'));
    }
  });

  it('FRR accepts every rendered frr.conf (vtysh -C)', (ctx) => {
    const confs = [...files].filter(([f]) => f.endsWith('.frr.conf'));
    if (confs.length === 0) return;
    if (!has('vtysh')) ctx.skip('vtysh is not installed: FRR configs not checked');
    const tmp = mkdtempSync(join(tmpdir(), 'asymlab-golden-'));
    try {
      for (const [f, text] of confs) {
        const path = join(tmp, f);
        writeFileSync(path, text);
        const r = spawnSync('vtysh', ['-C', '-f', path], { encoding: 'utf8', timeout: 20_000 });
        expect(r.status, `vtysh -C -f ${name}/${f}:\n${r.stdout}${r.stderr}`).toBe(0);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the kernel accepts every ip-batch, in a throwaway namespace per node', (ctx) => {
    if (netnsReady !== undefined) ctx.skip(netnsReady);
    let k = 0;
    for (const [f, text] of files) {
      if (!f.endsWith('.ip-batch')) continue;
      const ns = `${NETNS}-${k++}`;
      const ip = (...args: string[]) => spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8', timeout: 20_000 });
      execFileSync('ip', ['netns', 'add', ns]);
      try {
        // each interface named in the batch, as one end of a veth whose other end is up beside it
        const ifaces = [...new Set([...text.matchAll(/^link set (\S+) up$/gm)].map((m) => m[1]).filter((i) => i !== 'lo'))];
        ifaces.forEach((iface, i) => {
          const r = ip('link', 'add', iface, 'type', 'veth', 'peer', 'name', `gpeer${i}`);
          expect(r.status, r.stderr).toBe(0);
          expect(ip('link', 'set', `gpeer${i}`, 'up').status).toBe(0);
        });
        const r = spawnSync('ip', ['-n', ns, '-batch', '-'], { input: text, encoding: 'utf8', timeout: 20_000 });
        expect(r.status, `ip -batch < ${name}/${f}:\n${r.stderr}`).toBe(0);
      } finally {
        execFileSync('ip', ['netns', 'delete', ns]);
      }
    }
  });

  it('iptables-restore --test and nft -c accept every rendered ruleset, in a throwaway namespace', (ctx) => {
    const sets = [...files].flatMap(([f, text]) => {
      const backend = FIREWALL_BACKENDS.find((b) => f.split('.')[1] === b.name);
      return backend ? [{ f, text, argv: backend.checkArgv(f.split('.').slice(2).join('.')) }] : [];
    });
    if (sets.length === 0) return;
    if (netnsReady !== undefined) ctx.skip(netnsReady);
    for (const { f, text, argv } of sets) {
      const r = spawnSync('ip', ['netns', 'exec', NETNS, ...argv], { input: text, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `${argv.join(' ')} < ${name}/${f}:\n${r.stderr}`).toBe(0);
    }
  });
});

describe('the golden test itself', () => {
  it('has labs to check', () => {
    expect(labs.length).toBeGreaterThanOrEqual(3);
  });
});
