/** A fine-tune's lineage (lstm.json `lineage`) in words: for `lstm info` and the start of `lstm train --from`. */
import type { Lineage } from '../store/manifest.js';
import { showChar } from '../text/show.js';
import { bits, noun, plural } from '../figures.js';

/** Characters as `'a' 'b' '␠'`, at most `max` of them (then how many more). */
export function charList(chars: readonly string[], max = 20): string {
  const shown = chars
    .slice(0, max)
    .map((c) => `'${showChar(c)}'`)
    .join(' ');
  return chars.length > max ? `${shown} and ${chars.length - max} more` : shown;
}

/** One base in a sentence: what it was and how good. */
function baseSentence(base: Lineage['base']): string {
  const network = base.network;
  const at =
    base.bestEpoch === null
      ? ''
      : base.bestBatch
        ? ` at epoch ${base.bestEpoch}, batch ${base.bestBatch}`
        : ` at epoch ${base.bestEpoch}`;
  const best =
    base.bestValLoss === null
      ? 'no validation figure'
      : `best validation ${bits(base.bestValLoss).toFixed(3)} bits per character${at}`;
  const position =
    base.batch > 0 ? `${plural(base.epoch, 'epoch')} and ${plural(base.batch, 'batch')}` : plural(base.epoch, 'epoch');
  return `${base.model}, a ${network.layers}x${network.units} LSTM trained for ${position} on ${base.corpus.name} (${plural(base.corpus.characters, 'character')}, sha256 ${base.corpus.sha256.slice(0, 12)}…); ${best}.`;
}

/**
 * The lineage as sentences, nearest base first: where the model started, what the new text
 * added to the vocabulary and what it kept without seeing, then each earlier base.
 */
export function lineageSentences(lineage: Lineage): string[] {
  const out = [`Fine-tuned from ${baseSentence(lineage.base)}`];
  out.push(
    lineage.added.length
      ? `Its text added ${plural(lineage.added.length, 'character')} the base did not know: ${charList(lineage.added)}.`
      : "Its text added no characters to the base's vocabulary.",
  );
  if (lineage.unseen.length) {
    out.push(
      `${plural(lineage.unseen.length, 'character')} of the base ${noun(lineage.unseen.length, 'is', 'are')} not in its text and kept as the base had ${noun(lineage.unseen.length, 'it', 'them')}: ${charList(lineage.unseen)}.`,
    );
  }
  for (let up = lineage.base.lineage, name = lineage.base.model; up; name = up.base.model, up = up.base.lineage) {
    out.push(`${name} was itself fine-tuned from ${baseSentence(up.base)}`);
  }
  return out;
}

/** The line a fine-tune starts with; a base a run chose itself goes by its name, with why. */
export function startingFrom(
  lineage: Lineage,
  vocabSize: number,
  lowercase: boolean,
  chosen?: { name: string; why: string },
): string {
  const base = lineage.base;
  const name = chosen?.name ?? base.model;
  const added = lineage.added.length ? `${lineage.added.length} new (${charList(lineage.added)})` : 'none new';
  const unseen = lineage.unseen.length
    ? `, ${lineage.unseen.length} not in this text kept (${charList(lineage.unseen)})`
    : '';
  return (
    `starting from ${name} (${base.network.layers}x${base.network.units}, ${plural(base.epoch, 'epoch')} on ${base.corpus.name}): vocabulary ${vocabSize}, ${added}${unseen}` +
    (lowercase ? `; the text is lowercased, as ${name}'s was` : '') +
    (chosen ? `; ${chosen.why}` : '')
  );
}
