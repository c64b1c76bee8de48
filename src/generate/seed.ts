/**
 * How the text a user gives becomes the seed a model is fed: the one home of the seed
 * policy. It is read the way the model's training text was (text/normalise.ts), then
 * fitted to the vocabulary: one trailing newline is dropped when the vocabulary has none
 * (`echo` and editors end a text with one; a model that never saw a newline cannot read
 * it, and the user did not mean it), and any other character outside the vocabulary is
 * refused or dropped as `--unknown` says.
 */
import { usageError } from '../errors.js';
import { plural } from '../figures.js';
import { toModelText, type TextSettings } from '../text/normalise.js';
import { showChar } from '../text/show.js';
import type { Vocab } from '../text/vocab.js';

/** What to do with seed characters outside the vocabulary. */
export type UnknownPolicy = 'error' | 'skip';

export type Seed = {
  /** The seed as the model reads it. */
  text: string;
  /** Characters outside the vocabulary that were dropped (`skip`), each once. */
  dropped: string[];
};

/**
 * The seed a model is fed from the user's text; refuses unknown characters under `error` (a
 * usage error). `what` names the text in that message (inspect reads a text, not a seed).
 */
export function seedText(
  raw: string,
  settings: TextSettings,
  vocab: Vocab,
  unknown: UnknownPolicy,
  what = 'the seed',
): Seed {
  let text = toModelText(raw, settings).text;
  if (text.endsWith('\n') && !vocab.has('\n')) text = text.slice(0, -1);
  const outside = vocab.unknown(text);
  if (!outside.length) return { text, dropped: [] };
  if (unknown === 'error') {
    throw usageError(
      `${what} has ${plural(outside.length, 'character')} outside the model's vocabulary: ${outside.map((ch) => `'${showChar(ch)}'`).join(' ')}`,
      `the vocabulary is: ${vocab.chars.map(showChar).join('')} ; pass --unknown skip to drop the others`,
    );
  }
  return { text: [...text].filter((ch) => vocab.has(ch)).join(''), dropped: outside };
}
