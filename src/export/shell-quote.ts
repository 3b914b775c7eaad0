/**
 * POSIX shell quoting for the scripts `asymlab export` writes. Every value that comes from a lab
 * file (names, addresses, sysctl keys and values, paths) reaches a script only through `shq`, so
 * no value can end a word, start a command or expand anything, whatever it holds. Pure.
 */

/**
 * One shell word that stands for exactly `value`: single quotes, inside which nothing is special,
 * with each `'` written as `'\''` (close, an escaped quote, reopen). A NUL cannot be passed in an
 * argument at all, so it is refused rather than silently cut.
 */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('a shell word cannot hold a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A command line of quoted words: each argument stays one argument. */
export function shArgv(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}
