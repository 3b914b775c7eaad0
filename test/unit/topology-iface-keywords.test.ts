/**
 * Interface names that `ip -batch` would read as keywords (`link add up ...`, `link set help up`)
 * are refused by validation, with a hint, instead of breaking `ip` at `up` with exit 255.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { ipKeywordProblem } from '../../src/topology/names.js';
import { loadLab } from '../../src/topology/load.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';

const lab = (iface: string) =>
  yaml(`
    name: t
    topology:
      nodes:
        a: {kind: host, interfaces: {IF: 10.0.0.1/24}}
        b: {kind: host, interfaces: {eth1: 10.0.0.2/24}}
      links:
        - endpoints: ["a:IF", "b:eth1"]
  `).replaceAll('IF', iface);

async function problems(text: string) {
  try {
    await loadLab(FILE, { fs: memFs({ [FILE]: text }) });
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return (e as LabError).problems;
  }
  return [];
}

describe('interface names that are ip keywords', () => {
  it.each(['help', 'name', 'dev', 'type', 'up', 'down', 'link', 'master', 'netns', 'address', 'mtu', 'index', 'peer', 'add', 'del', 'all', 'default'])(
    "refuses '%s' at the link endpoint, with a hint",
    async (name) => {
      const ps = await problems(lab(name));
      expect(ps.map((p) => `${p.file} ${p.path}`)).toEqual([`${FILE}:7:19 topology.links[0].endpoints[0]`]);
      expect(ps[0].message).toMatch(new RegExp(`^interface name ('${name}' is a keyword of ip|ip reads '${name}' as an abbreviation)`));
      expect(ps[0].hint).toMatch(/rename the interface, e\.g\. eth1/);
    },
  );

  it('refuses one named only under interfaces:, at its key', async () => {
    const text = lab('eth9').replace('{eth1: 10.0.0.2/24}', '{eth1: 10.0.0.2/24, type: 10.0.1.2/24}');
    const ps = await problems(text);
    expect(ps.find((p) => p.path === 'topology.nodes.b.interfaces.type')?.message).toBe("interface name 'type' is a keyword of ip, which would not read it as a name");
  });

  it('refuses an abbreviation ip expands (a = address, ty = type, h = help) and says which', () => {
    expect(ipKeywordProblem('a')).toBe("ip reads 'a' as an abbreviation of its keyword 'address', not as a name");
    // ip tries txqueuelen before type
    expect(ipKeywordProblem('t')).toMatch(/'txqueuelen'/);
    expect(ipKeywordProblem('ty')).toMatch(/'type'/);
    expect(ipKeywordProblem('hel')).toMatch(/'help'/);
    expect(ipKeywordProblem('lin')).toMatch(/'link'/);
  });

  it('takes ordinary names, including ones that merely start like a keyword', async () => {
    for (const name of ['eth1', 'uplink', 'lan', 'wan0', 'dev1', 'typhoon', 'Up', 'e', 'x']) expect(ipKeywordProblem(name), name).toBeUndefined();
    expect(await problems(lab('uplink'))).toEqual([]);
  });
});
