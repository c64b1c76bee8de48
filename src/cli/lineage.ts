/** A fine-tune's lineage (lstm.json `lineage`) in words: for `lstm info` and the start of `lstm train --from`. */
import type { Lineage } from '../store/manifest.js';
import { showChar } from '../text/show.js';
import { bits, count } from '../figures.js';

/** Characters as `'a' 'b' '␠'`, at most `max` of them (then how many more). */
export function charList(chars: readonly string[], max = 20): string {
  const shown = chars
    .slice(0, max)
    .map((c) => `'${showChar(c)}'`)
    .join(' ');
  return chars.length > max ? `${shown} and ${chars.length - max} more` : shown;
}

const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** One base in a sentence: what it was and how good. */
function baseSentence(b: Lineage['base']): string {
  const n = b.network;
  const at =
    b.bestEpoch === null
      ? ''
      : b.bestBatch
        ? ` at epoch ${b.bestEpoch}, batch ${b.bestBatch}`
        : ` at epoch ${b.bestEpoch}`;
  const best =
    b.bestValLoss === null
      ? 'no validation figure'
      : `best validation ${bits(b.bestValLoss).toFixed(3)} bits per character${at}`;
  const position =
    b.batch > 0 ? `${plural(b.epoch, 'epoch')} and ${plural(b.batch, 'batch', 'batches')}` : plural(b.epoch, 'epoch');
  return `${b.model}, a ${n.layers}x${n.units} LSTM trained for ${position} on ${b.corpus.name} (${count(b.corpus.characters)} characters, sha256 ${b.corpus.sha256.slice(0, 12)}…); ${best}.`;
}

/**
 * The lineage as sentences, nearest base first: where the model started, what the new text
 * added to the vocabulary and what it kept without seeing, then each earlier base.
 */
export function lineageSentences(l: Lineage): string[] {
  const out = [`Fine-tuned from ${baseSentence(l.base)}`];
  out.push(
    l.added.length
      ? `Its text added ${plural(l.added.length, 'character')} the base did not know: ${charList(l.added)}.`
      : "Its text added no characters to the base's vocabulary.",
  );
  if (l.unseen.length) {
    out.push(
      `${plural(l.unseen.length, 'character')} of the base ${l.unseen.length === 1 ? 'is' : 'are'} not in its text and kept as the base had ${l.unseen.length === 1 ? 'it' : 'them'}: ${charList(l.unseen)}.`,
    );
  }
  for (let up = l.base.lineage, name = l.base.model; up; name = up.base.model, up = up.base.lineage) {
    out.push(`${name} was itself fine-tuned from ${baseSentence(up.base)}`);
  }
  return out;
}

/** The line `lstm train --from` starts with. */
export function startingFrom(l: Lineage, vocabSize: number, lowercase: boolean): string {
  const b = l.base;
  const added = l.added.length ? `${l.added.length} new (${charList(l.added)})` : 'none new';
  const unseen = l.unseen.length ? `, ${l.unseen.length} not in this text kept (${charList(l.unseen)})` : '';
  return (
    `starting from ${b.model} (${b.network.layers}x${b.network.units}, ${plural(b.epoch, 'epoch')} on ${b.corpus.name}): vocabulary ${vocabSize}, ${added}${unseen}` +
    (lowercase ? `; the text is lowercased, as ${b.model}'s was` : '')
  );
}
