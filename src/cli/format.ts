/** Small formatting helpers for human-readable stderr lines. */
export const LN2 = Math.log(2);

export const bits = (nats: number) => nats / LN2;

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** A loss as `1.234 nats (1.780 bpc)`. */
export const loss = (nats: number) => `${nats.toFixed(3)} nats (${bits(nats).toFixed(3)} bpc)`;

/** Joins argv into a command line a POSIX shell reads back as the same words. */
export function shellCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
