/**
 * The lab format's flow protocols, sizes and MTUs: what loads into the Lab, and each mistake
 * reported once with its place and the fix.
 */
import { describe, expect, it } from 'vitest';
import { LabError, type InputProblem } from '../../src/errors.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';
const load = (text: string): Promise<Lab> => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true });

async function problems(text: string): Promise<InputProblem[]> {
  try {
    await load(text);
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    return e.problems;
  }
  throw new Error('the lab loaded, but problems were expected');
}

/** client -- gw ==(mtu)== server; `extra` goes under flows:, `link` after the second link's endpoints. */
const lab = (flows: string, link = '', nodeMtu = '') =>
  yaml(`
    name: p
    topology:
      nodes:
        client: {kind: host, interfaces: {eth1: 10.0.1.10/24}, routes: [{to: default, via: 10.0.1.1}]}
        gw:
          kind: host
          interfaces: {eth1: 10.0.1.1/24, eth2: "2001:db8:2::1/64"}
          sysctls: {net.ipv4.ip_forward: 1}
  ${nodeMtu}
        server: {kind: host, interfaces: {eth1: "2001:db8:2::10/64"}}
      links:
        - endpoints: ["client:eth1", "gw:eth1"]
        - endpoints: ["gw:eth2", "server:eth1"]
  ${link}
    flows:
  ${flows}
  `);

const brief = (ps: InputProblem[]) => ps.map((p) => `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);

describe('flow protocols in the lab format', () => {
  it('reads proto, source-port and size; icmp goes to an address alone (port 0)', async () => {
    const l = await load(
      lab(`
      - {name: ike, proto: udp, from: client, to: "[2001:db8:2::10]:500", source-port: 500, count: 3}
      - {name: ping, proto: icmp, from: client, to: "2001:db8:2::10", size: 1400}
      - {name: web, from: client, to: "[2001:db8:2::10]:443"}`),
    );
    expect(l.flows[0]).toMatchObject({ protocol: 'udp', toPort: 500, sourcePort: 500, count: 3, server: 'server' });
    expect(l.flows[1]).toMatchObject({ protocol: 'icmp', toAddress: '2001:db8:2::10', toPort: 0, size: 1400, server: 'server' });
    expect(l.flows[2].protocol).toBeUndefined();
    expect(l.flows[2].sourcePort).toBeUndefined();
  });

  it('refuses a port on an icmp flow and a source-port on one, each with the fix', async () => {
    const ps = await problems(lab(`      - {name: ping, proto: icmp, from: client, to: "[2001:db8:2::10]:80", source-port: 9}`));
    expect(brief(ps)).toEqual([
      "flows[0].to: an icmp flow has no port, but '[2001:db8:2::10]:80' names port 80 (write to: 2001:db8:2::10)",
    ]);
    const ps2 = await problems(lab(`      - {name: ping, proto: icmp, from: client, to: "2001:db8:2::10", source-port: 9}`));
    expect(brief(ps2)).toEqual([
      'flows[0].source-port: an icmp flow has no source port (remove source-port: (icmp echo requests are told apart by their id, which asymlab picks))',
    ]);
    expect(ps2[0].file).toMatch(/^\/lab\/lab\.yaml:\d+:\d+$/);
  });

  it('refuses a size above 65000, an unknown proto, and two udp flows from one fixed port', async () => {
    const ps = await problems(
      lab(`
      - {name: a, proto: udp, from: client, to: "[2001:db8:2::10]:500", source-port: 500, size: 65001}
      - {name: b, proto: udp, from: client, to: "[2001:db8:2::10]:501", source-port: 500}`),
    );
    expect(brief(ps)).toEqual([
      'flows[0].size: size 65001 is more than 65000 bytes (a payload must fit one IP datagram with its headers: use at most 65000)',
      "flows[1].source-port: flow 'a' also sends udp from client port 500 (flows run at the same time: give each its own source-port)",
    ]);
    expect(brief(await problems(lab(`      - {name: a, proto: sctp, from: client, to: "[2001:db8:2::10]:500"}`)))).toEqual(['flows[0].proto: must be one of tcp, udp, icmp']);
  });
});

describe('MTUs', () => {
  it('a link sets both ends; a node map overrides its own end', async () => {
    const l = await load(lab(`      - {name: web, from: client, to: "[2001:db8:2::10]:443"}`, '        mtu: 1400', '        mtu: {eth1: 9000}'));
    const mtu = (node: string, iface: string) => l.nodes.find((n) => n.name === node)!.interfaces.find((i) => i.name === iface)!.mtu;
    expect([mtu('gw', 'eth1'), mtu('gw', 'eth2'), mtu('server', 'eth1'), mtu('client', 'eth1')]).toEqual([9000, 1400, 1400, undefined]);
  });

  it('refuses an MTU below 576 or above 9000, one too small for IPv6, and an unknown interface', async () => {
    const ps = await problems(lab(`      - {name: web, from: client, to: "[2001:db8:2::10]:443"}`, '        mtu: 500', '        mtu: {eth1: 9001, eth7: 1500}'));
    expect(brief(ps)).toEqual([
      "topology.nodes.gw.mtu.eth7: gw has no interface 'eth7' (its interfaces: eth1, eth2)",
      'topology.links[1].mtu: MTU 500 is out of range (an MTU is 576 to 9000 bytes)',
      'topology.nodes.gw.mtu.eth1: MTU 9001 is out of range (an MTU is 576 to 9000 bytes)',
    ]);
    const v6 = await problems(lab(`      - {name: web, from: client, to: "[2001:db8:2::10]:443"}`, '        mtu: 1000'));
    expect(brief(v6)).toEqual([
      'topology.links[1].mtu: gw:eth2 has IPv6 addresses but MTU 1000 (IPv6 needs an MTU of at least 1280; the kernel turns IPv6 off below it)',
      'topology.links[1].mtu: server:eth1 has IPv6 addresses but MTU 1000 (IPv6 needs an MTU of at least 1280; the kernel turns IPv6 off below it)',
    ]);
  });
});
