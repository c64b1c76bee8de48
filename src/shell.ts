/** Command lines as text: what `lstm info` records and the web page shows. Pure, for both. */

/** Joins argv into a command line a POSIX shell reads back as the same words. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
