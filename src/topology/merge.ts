/**
 * Deep merge for `extends` and for containerlab-style inheritance (defaults < kinds < groups < node).
 * Maps merge key by key, lists and scalars in `over` replace those in `base`, and `null` in `over`
 * deletes the key. One list is special in `extends`: see mergeLabDocs.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isMap(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Json | undefined, over: Json | undefined): Json | undefined {
  if (over === undefined) return base;
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(base[k], v) as Json;
  }
  return out;
}

function linkKey(link: Json): string {
  const eps = isMap(link) && Array.isArray(link.endpoints) ? link.endpoints.map(String) : [];
  return [...eps].sort().join(' ');
}

/**
 * A lab that `extends` a base: deep merge, except that `topology.links` adds to the base's links
 * (a link with the same endpoints replaces the base's), and links of a node deleted with `null`
 * go with it. `extends` itself and `name` never come from the base.
 */
export function mergeLabDocs(base: Record<string, Json>, over: Record<string, Json>): Record<string, Json> {
  const { extends: _e, name: _n, ...baseRest } = base;
  const merged = deepMerge(baseRest, { ...over, extends: null }) as Record<string, Json>;
  const baseTopo = isMap(base.topology) ? base.topology : {};
  const overTopo = isMap(over.topology) ? over.topology : {};
  const overNodes = isMap(overTopo.nodes) ? overTopo.nodes : {};
  const deleted = new Set(Object.entries(overNodes).filter(([, v]) => v === null).map(([k]) => k));
  if (isMap(merged.topology) && (Array.isArray(baseTopo.links) || Array.isArray(overTopo.links))) {
    const links = new Map<string, Json>();
    for (const l of [...(Array.isArray(baseTopo.links) ? baseTopo.links : []), ...(Array.isArray(overTopo.links) ? overTopo.links : [])]) {
      links.set(linkKey(l), l);
    }
    const kept = [...links.values()].filter(
      (l) => !(isMap(l) && Array.isArray(l.endpoints) && l.endpoints.some((e) => deleted.has(String(e).split(':')[0]))),
    );
    merged.topology.links = kept;
  }
  return merged;
}
