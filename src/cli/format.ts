/** Small formatting helpers for human-readable stderr lines. */
import { bits } from '../figures.js';

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A loss as `1.234 nats (1.780 bpc)`. */
export const loss = (nats: number) => `${nats.toFixed(3)} nats (${bits(nats).toFixed(3)} bpc)`;

/** Words after which a note's value reads on without a colon: "Trained with lstm train ...". */
const READS_ON = new Set(['with', 'by', 'on', 'from', 'for', 'in', 'at', 'to', 'of', 'via', 'using', 'is', 'was']);

/**
 * A bundle's notes (lstm.json `notes`, free-form) as sentences, one per key, in order: the
 * key in words ("trainedWith" and "trained_with" are "Trained with"; acronyms keep their
 * capitals), then the value, ending in a full stop: "Reason: dropout 0.5 beat 0.2.",
 * "Trained with lstm train macbeth.txt." Lists are joined with commas, objects read as
 * "key: value" pairs, true and false as yes and no.
 */
export function noteSentences(notes: Record<string, unknown>): string[] {
  return Object.entries(notes).map(([key, value]) => {
    const words = noteWords(key);
    const label = words.charAt(0).toUpperCase() + words.slice(1);
    const sentence = `${label}${READS_ON.has(words.split(' ').at(-1)!) ? '' : ':'} ${noteValue(value)}`;
    return /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`;
  });
}

/** A key in words: camelCase, snake_case and kebab-case split, lowercased but for acronyms. */
function noteWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => (/^[A-Z0-9]{2,}$/.test(w) ? w : w.toLowerCase()))
    .join(' ');
}

function noteValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(noteValue).join(', ');
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${noteWords(k)}: ${noteValue(v)}`)
      .join('; ');
  return String(value)
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}
