/**
 * Picks the Debian mirror the host's apt uses, so the offline image build (debootstrap) fetches
 * from the same place as `apt-get`. Reads both formats: deb822 `.sources` files and one-line
 * `.list` files. Pure: the caller reads the files.
 */

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  /** The file it came from, for messages. */
  file: string;
}

export interface SourceFile {
  name: string;
  text: string;
}

export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

/** deb822: stanzas separated by blank lines, `Key: value` fields, continuation lines indented. */
function parseDeb822(file: SourceFile): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of file.text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (m) {
        last = m[1].toLowerCase();
        fields.set(last, m[2].trim());
      }
    }
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb')) continue;
    if (/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes')) continue;
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components'), file: file.name });
  }
  return out;
}

/** One-line format: `deb [opt=val ...] URI SUITE COMPONENT...` */
function parseOneLine(file: SourceFile): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of file.text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m) out.push({ uri: m[1], suites: [m[2]], components: m[3].split(/\s+/).filter(Boolean), file: file.name });
  }
  return out;
}

export function parseAptSources(files: SourceFile[]): AptSource[] {
  return files.flatMap((f) => (f.name.endsWith('.sources') ? parseDeb822(f) : f.name.endsWith('.list') ? parseOneLine(f) : []));
}

/**
 * The mirror to debootstrap `suite` from: the first source that carries exactly that suite with
 * the `main` component (not -updates or -security, which debootstrap cannot use as a base).
 * Falls back to deb.debian.org.
 */
export function pickMirror(sources: AptSource[], suite: string): string {
  const hit = sources.find((s) => s.suites.includes(suite) && (s.components.length === 0 || s.components.includes('main')) && /^https?:\/\//.test(s.uri));
  return (hit?.uri ?? FALLBACK_MIRROR).replace(/\/+$/, '');
}
