/**
 * The start scripts `asymlab export` writes are shell: every value from the lab reaches them through
 * shq. These tests prove the quoting by running it in a real sh (dash, as containerlab images have),
 * with values built to break out: each must arrive as exactly one argument, unchanged, and nothing
 * it names may run. No root needed: the script's /proc/sys and /sys/class/net are redirected into a
 * temporary folder and `ip`, `iptables-restore` are stand-ins that record their arguments.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shArgv, shq } from '../../src/export/shell-quote.js';
import { renderStartScript, sysctlPath } from '../../src/export/start-script.js';
import { labSysctls } from '../../src/nodes/net-config.js';
import { planLab } from '../../src/plan/plan.js';
import type { Lab, LabNode } from '../../src/topology/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'asymlab-shq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PWNED = join(tmp, 'pwned');
const HOSTILE = [
  '',
  ' ',
  "'",
  "''",
  "'\\''",
  '"',
  '\\',
  '\\\'',
  `$(touch ${PWNED})`,
  `\`touch ${PWNED}\``,
  `'; touch ${PWNED}; echo '`,
  `"; touch ${PWNED}; echo "`,
  `x\ntouch ${PWNED}`,
  `x\r\ntouch ${PWNED}`,
  '$HOME ${HOME} $((1+1)) $1 $@ $*',
  '*',
  '~',
  '~root',
  '-n',
  '--',
  '!',
  '#comment',
  'a b\tc',
  '{a,b}',
  '>out <in |pipe &bg ;semi',
  'üñí €ódé ☃',
  '\x01\x7f',
];

/** What sh receives for a word: printed back with printf, one argument per NUL-terminated record. */
function echoBack(words: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\0' ${words}`], { encoding: 'utf8', cwd: tmp });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shq', () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('keeps %s one word, unchanged, inert', (_shown, value) => {
    expect(echoBack(shq(value))).toEqual([value]);
    expect(existsSync(PWNED)).toBe(false);
  });

  it('keeps every argument of an argv apart', () => {
    expect(echoBack(shArgv(HOSTILE))).toEqual(HOSTILE);
    expect(existsSync(PWNED)).toBe(false);
  });

  it('refuses a NUL, which no argument can hold', () => {
    expect(() => shq('a\0b')).toThrow(/NUL/);
  });
});

describe('sysctlPath', () => {
  it("swaps . and / as sysctl(8) does", () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('net/ipv4/ip_forward');
    expect(sysctlPath('net.ipv6.conf.eth1/100.accept_dad')).toBe('net/ipv6/conf/eth1.100/accept_dad');
  });

  it.each(['net.//.x', 'net..x', 'net.ipv4.', 'net./..', 'kernel.core_pattern', '/etc/passwd'])('refuses %s, which is no plain path below /proc/sys/net', (key) => {
    expect(sysctlPath(key)).toBeUndefined();
  });
});

describe('a start script of hostile values', () => {
  const evil = (s: string) => `${s}$(touch ${PWNED})'\n;touch ${PWNED}`;
  // Loading would refuse all of these names; the script must be safe without that.
  const node: LabNode = {
    name: 'n1',
    kind: 'firewall',
    interfaces: [{ name: evil('e1'), addresses: [evil('10.0.0.1/24')], mtu: 1400 }],
    loopbacks: [evil('lo-addr')],
    routes: [{ to: evil('to'), via: evil('via'), dev: evil('dev') }],
    sysctls: { 'net.ipv4.conf.all.rp_filter': evil('0') },
    exec: [],
    binds: [],
    firewall: { inside: [], allow: [], snat: [], dnat: [] },
  };
  const lab: Lab = { name: 't', file: '/t/lab.yaml', dir: '/t', runtime: 'netns', nodes: [node], links: [], flows: [] };
  const plan = planLab(lab);
  // a file name can hold no `/`: this one runs `touch pwned` in the script's folder if unquoted
  const rulesFile = join(tmp, "rules$(touch pwned)'\n;touch pwned");
  const rulesets = [{ path: rulesFile, loadArgv: ['iptables-restore', evil('--arg')] }];
  const script = renderStartScript({ node: plan.nodes[0], rulesets });

  it('passes sh -n', () => {
    expect(spawnSync('sh', ['-n'], { input: script }).status).toBe(0);
  });

  it('runs with every value arriving as one argument, and nothing it names run', () => {
    const stub = join(tmp, 'bin');
    const proc = join(tmp, 'proc-sys');
    const sysnet = join(tmp, 'sys-class-net');
    const log = join(tmp, 'argv.log');
    mkdirSync(stub, { recursive: true });
    mkdirSync(sysnet, { recursive: true });
    // every interface "exists"; every sysctl folder too
    mkdirSync(join(sysnet, evil('e1')), { recursive: true });
    for (const key of Object.keys(labSysctls(plan.nodes[0]))) mkdirSync(join(proc, dirname(sysctlPath(key)!)), { recursive: true });
    const recorder = `#!/bin/sh\n{ printf '%s\\0' "$(basename "$0")" "$@"; printf '\\036'; } >> '${log}'\n`;
    for (const tool of ['ip', 'iptables-restore']) {
      writeFileSync(join(stub, tool), recorder);
      chmodSync(join(stub, tool), 0o755);
    }
    writeFileSync(rulesFile, '*filter\nCOMMIT\n');
    const sandboxed = script.replaceAll('"/proc/sys/$1"', `"${proc}/$1"`).replaceAll('"/sys/class/net/$1"', `"${sysnet}/$1"`);
    const r = spawnSync('sh', ['-c', sandboxed], { encoding: 'utf8', cwd: tmp, env: { PATH: `${stub}:/usr/bin:/bin` } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(PWNED)).toBe(false);
    const calls = readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((l) => l.split('\0').slice(0, -1));
    expect(calls).toContainEqual(['ip', 'addr', 'replace', evil('10.0.0.1/24'), 'dev', evil('e1')]);
    expect(calls).toContainEqual(['ip', 'addr', 'replace', evil('lo-addr'), 'dev', 'lo']);
    expect(calls).toContainEqual(['ip', 'link', 'set', 'dev', evil('e1'), 'mtu', '1400']);
    expect(calls).toContainEqual(['ip', 'route', 'replace', evil('to'), 'via', evil('via'), 'dev', evil('dev')]);
    expect(calls).toContainEqual(['iptables-restore', evil('--arg')]);
    expect(readFileSync(join(proc, 'net/ipv4/conf/all/rp_filter'), 'utf8')).toBe(`${evil('0')}\n`);
  });
});
