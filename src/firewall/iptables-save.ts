/**
 * `iptables-save -c` (and `ip6tables-save -c`) dumps: every rule and chain policy with its packet
 * counter, and the counters of two dumps paired into RuleCounters. Pure.
 */
import type { RuleCounter } from '../analysis/types.js';

/** One rule (or chain policy, index 0) of an `iptables-save -c` dump: a RuleCounter at one moment. */
export type SavedRule = Omit<RuleCounter, 'node' | 'packetsBefore' | 'packetsAfter'> & { packets: number; bytes: number };

const COUNTER = /^\[(\d+):(\d+)\]\s*/;

/** `--nflog-prefix "a b"` or `--nflog-prefix word`; xtables quotes anything beyond [A-Za-z0-9_-]. */
export function nflogPrefixOf(rule: string): string | undefined {
  const m = /--nflog-prefix\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))/.exec(rule);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]);
}

/** Every rule and chain policy of an `iptables-save -c` (or ip6tables-save -c) dump, with counters. */
export function parseIptablesSave(text: string): SavedRule[] {
  const out: SavedRule[] = [];
  let table = '';
  const positions = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      table = line.slice(1);
      positions.clear();
      continue;
    }
    if (line.startsWith(':')) {
      // :FORWARD DROP [12:720]; user chains show '-' as policy and carry no counter of their own.
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?/.exec(line);
      if (m && m[2] !== '-') {
        out.push({ table, chain: m[1], index: 0, rule: `:${m[1]} ${m[2]}`, policy: m[2], packets: Number(m[3] ?? 0), bytes: Number(m[4] ?? 0) });
      }
      continue;
    }
    let rest = line;
    let packets = 0;
    let bytes = 0;
    const c = COUNTER.exec(rest);
    if (c) {
      packets = Number(c[1]);
      bytes = Number(c[2]);
      rest = rest.slice(c[0].length);
    }
    const a = /^-A\s+(\S+)/.exec(rest);
    if (!a) continue;
    // Legacy form: -A CHAIN ... -c <packets> <bytes>
    const legacy = /\s-c\s+(\d+)\s+(\d+)/.exec(rest);
    if (!c && legacy) {
      packets = Number(legacy[1]);
      bytes = Number(legacy[2]);
      rest = rest.replace(legacy[0], '');
    }
    const chain = a[1];
    const index = (positions.get(chain) ?? 0) + 1;
    positions.set(chain, index);
    const prefix = nflogPrefixOf(rest);
    out.push({ table, chain, index, rule: rest, ...(prefix !== undefined ? { nflogPrefix: prefix } : {}), packets, bytes });
  }
  return out;
}

/**
 * Pairs the before and after dumps of one node by table, chain and position. A rule only in
 * `after` counts from 0; one only in `before` is kept with its last count (the ruleset changed).
 */
export function ruleCounters(node: string, before: string, after: string): RuleCounter[] {
  const key = (r: SavedRule) => `${r.table}\0${r.chain}\0${r.index}`;
  const prior = new Map(parseIptablesSave(before).map((r) => [key(r), r]));
  const out: RuleCounter[] = [];
  const toCounter = (r: SavedRule, packetsBefore: number, packetsAfter: number): RuleCounter => ({
    node,
    table: r.table,
    chain: r.chain,
    index: r.index,
    rule: r.rule,
    ...(r.nflogPrefix !== undefined ? { nflogPrefix: r.nflogPrefix } : {}),
    ...(r.policy !== undefined ? { policy: r.policy } : {}),
    packetsBefore,
    packetsAfter,
  });
  for (const r of parseIptablesSave(after)) {
    const b = prior.get(key(r));
    prior.delete(key(r));
    out.push(toCounter(r, b?.packets ?? 0, r.packets));
  }
  for (const b of prior.values()) out.push(toCounter(b, b.packets, b.packets));
  return out;
}
