/**
 * The NFLOG prefix contract between the rules asymlab writes and the analysis that cites them:
 * `asymlab:<node>:<chain>:<rule>:<why>`, e.g. `asymlab:fw-inet:FORWARD:4:invalid`. Every firewall
 * backend builds it for every drop rule it logs to NFLOG_GROUP (iptables-render.ts); the analysis
 * reads it back from the NFLOG capture to name the rule. Node and chain names hold no ':', so the
 * parse is unambiguous; `why` may.
 */

/** The NFLOG group every drop rule logs to; captured as `nflog:<group>` inside the node. */
export const NFLOG_GROUP = 1;

/** xtables keeps 63 characters of a prefix (64 with the NUL). */
export const NFLOG_PREFIX_MAX = 63;

export interface NflogRule {
  node: string;
  chain: string;
  /** 1-based position of the logging rule in its chain. */
  index: number;
  /** Why the rule drops: invalid, default-drop, or a user label. */
  label: string;
}

export function nflogPrefix(node: string, chain: string, index: number, label: string): string {
  return `asymlab:${node}:${chain}:${index}:${label}`.slice(0, NFLOG_PREFIX_MAX);
}

/** The rule a prefix names; undefined for a prefix asymlab did not write. */
export function parseNflogPrefix(prefix: string): NflogRule | undefined {
  const m = /^asymlab:([^:]+):([^:]+):(\d+):(.+)$/.exec(prefix.trim());
  return m ? { node: m[1], chain: m[2], index: Number(m[3]), label: m[4] } : undefined;
}
