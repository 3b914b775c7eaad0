/** One top-level section of an FRR config and the lines under it (trimmed; nested ones included). */
export interface ConfigBlock {
  /** The section line, trimmed: `interface eth1`, `router ospf`. */
  header: string;
  lines: string[];
}

/**
 * Splits an integrated config into its sections: a line at column 0 opens one, indented lines
 * belong to it, `exit` and `!` close it. Top-level one-liners (`ip route ...`) are blocks with no
 * lines. Comments are dropped. Pure.
 */
export function configBlocks(text: string): ConfigBlock[] {
  const out: ConfigBlock[] = [];
  let open: ConfigBlock | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('!') || trimmed.startsWith('#')) {
      if (trimmed.startsWith('!') && !/^\s/.test(line)) open = undefined;
      continue;
    }
    if (/^\s/.test(line)) {
      if (trimmed === 'exit' || trimmed === 'exit-address-family' || trimmed === 'exit-vrf') continue;
      open?.lines.push(trimmed);
      continue;
    }
    if (trimmed === 'exit' || trimmed === 'end') {
      open = undefined;
      continue;
    }
    open = { header: trimmed, lines: [] };
    out.push(open);
  }
  return out;
}

/** Blocks whose header's words start with `words` (`interface`, `router ospf`), with the rest of the header. */
export function blocksOf(blocks: ConfigBlock[], words: string): { args: string[]; block: ConfigBlock }[] {
  const want = words.split(' ');
  return blocks.flatMap((block) => {
    const w = block.header.split(/\s+/);
    return want.every((x, i) => w[i] === x) ? [{ args: w.slice(want.length), block }] : [];
  });
}
