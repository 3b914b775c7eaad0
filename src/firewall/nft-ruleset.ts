/**
 * An nftables ruleset as evidence: `nft -j list ruleset` gives every rule with its handle, its
 * counter (when it has a `counter` statement), its log prefix and its verdict; `nft -a list
 * ruleset` gives the same rules as the user wrote them, tagged `# handle N`, which is how a fact
 * quotes one. Two snapshots pair by handle, which nft keeps for a rule's life. A base chain's
 * policy has no counter in nftables: it is listed (index 0) but `uncounted`. Pure.
 */
import type { RuleCounter } from '../analysis/types.js';

/** One rule (or base chain policy, index 0) of a ruleset at one moment. */
export type NftRule = Omit<RuleCounter, 'node' | 'packetsBefore' | 'packetsAfter'> & { handle: number; packets: number };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const FAMILY: Record<string, 4 | 6 | undefined> = { ip: 4, ip6: 6 };

/** `fam table chain handle` → the rule's text, without its counter's values or handle comment. */
export function nftRuleTexts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let table = '';
  let chain = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const t = /^table\s+(\S+)\s+(\S+)\s*\{/.exec(line);
    if (t) {
      table = `${t[1]} ${t[2]}`;
      continue;
    }
    const c = /^chain\s+(\S+)\s*\{/.exec(line);
    if (c) {
      chain = c[1];
      continue;
    }
    const h = /^(.*?)\s*# handle (\d+)$/.exec(line);
    if (h && table && chain && !/^(table|chain|set|map)\s/.test(line)) {
      out.set(`${table} ${chain} ${h[2]}`, h[1].replace(/\bcounter packets \d+ bytes \d+/g, 'counter'));
    }
  }
  return out;
}

/** Every rule and every base chain policy of a ruleset, with packet counts. Malformed JSON gives none. */
export function parseNftRuleset(json: string, text = ''): NftRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return [];
  }
  const items = isObj(doc) && Array.isArray(doc.nftables) ? (doc.nftables as unknown[]) : [];
  const texts = nftRuleTexts(text);
  const out: NftRule[] = [];
  const positions = new Map<string, number>();
  for (const item of items) {
    if (!isObj(item)) continue;
    const chain = isObj(item.chain) ? item.chain : undefined;
    if (chain && typeof chain.hook === 'string' && typeof chain.policy === 'string') {
      const family = FAMILY[String(chain.family)];
      out.push({
        table: `${String(chain.family)} ${String(chain.table)}`,
        chain: String(chain.name),
        index: 0,
        handle: Number(chain.handle ?? 0),
        rule: `policy ${chain.policy} (${String(chain.type ?? 'filter')} hook ${chain.hook})`,
        policy: chain.policy,
        hook: chain.hook,
        uncounted: true,
        drops: chain.policy === 'drop',
        ...(family ? { family } : {}),
        packets: 0,
      });
      continue;
    }
    const rule = isObj(item.rule) ? item.rule : undefined;
    if (!rule) continue;
    const table = `${String(rule.family)} ${String(rule.table)}`;
    const chainName = String(rule.chain);
    const where = `${table} ${chainName}`;
    const index = (positions.get(where) ?? 0) + 1;
    positions.set(where, index);
    const exprs = Array.isArray(rule.expr) ? (rule.expr as unknown[]).filter(isObj) : [];
    const counter = exprs.map((e) => e.counter).find(isObj);
    const log = exprs.map((e) => e.log).find(isObj);
    const drops = exprs.some((e) => 'drop' in e || 'reject' in e);
    const family = FAMILY[String(rule.family)];
    out.push({
      table,
      chain: chainName,
      index,
      handle: Number(rule.handle ?? 0),
      rule: texts.get(`${where} ${String(rule.handle)}`) ?? `handle ${String(rule.handle)}`,
      ...(log && typeof log.prefix === 'string' ? { nflogPrefix: log.prefix } : {}),
      ...(family ? { family } : {}),
      drops,
      ...(counter ? {} : { uncounted: true }),
      packets: counter ? Number(counter.packets ?? 0) : 0,
    });
  }
  return out;
}

/** The dumps of one snapshot: `json` (nft -j list ruleset) and `text` (nft -a list ruleset). */
export interface NftDumps {
  json?: string;
  text?: string;
}

/** Pairs two snapshots by rule handle; a rule only in `after` counts from 0. */
export function nftRuleCounters(node: string, before: NftDumps, after: NftDumps): RuleCounter[] {
  const key = (r: NftRule) => `${r.table} ${r.chain} ${r.index === 0 ? 'policy' : r.handle}`;
  const prior = new Map(parseNftRuleset(before.json ?? '', before.text ?? '').map((r) => [key(r), r]));
  return parseNftRuleset(after.json ?? '', after.text ?? '').map(({ handle: _handle, packets, ...r }) => ({
    node,
    ...r,
    packetsBefore: prior.get(key({ ...r, handle: _handle, packets }))?.packets ?? 0,
    packetsAfter: packets,
  }));
}
