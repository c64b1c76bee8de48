/**
 * Generating text: feed the seed once, then one stateful step per character for S
 * samples in parallel. Characters are handed to `emit` as they are made (awaited, so a
 * slow consumer such as a full pipe slows generation instead of buffering it).
 */
import { rng, type Rng } from '../random.js';
import type { Vocab } from '../text/vocab.js';
import type { StatefulLstm } from '../net/stateful.js';
import { choose, type ChooseOptions } from './sampling.js';

export type GenerateOptions = ChooseOptions & {
  seed: string;
  length: number;
  samples: number;
  randomSeed: number;
  /** A sample ends once it has produced this string (included). */
  stop?: string;
};

/** `chars[s]` is sample s's new character, or undefined once that sample has stopped. */
export type Emit = (chars: (string | undefined)[]) => void | Promise<void>;

/**
 * Generates `options.length` characters per sample (fewer when `stop` ends one). Returns
 * the texts when `collect` is true; otherwise keeps nothing, so memory stays flat for any
 * length (only a tail as long as `stop` is held to detect it).
 */
export async function generate(
  net: StatefulLstm,
  vocab: Vocab,
  options: GenerateOptions,
  emit: Emit,
  collect = true,
): Promise<string[]> {
  const S = options.samples;
  const V = vocab.size;
  net.reset(S);
  for (const ch of options.seed) net.feed(new Array(S).fill(vocab.id(ch)));
  const randoms: Rng[] = Array.from({ length: S }, (_, s) => rng(options.randomSeed, 'generate', s));
  const texts = new Array<string>(S).fill('');
  const tails = new Array<string>(S).fill('');
  const stop = options.stop ?? '';
  const live = new Array<boolean>(S).fill(true);
  for (let n = 0; n < options.length && live.some(Boolean); n++) {
    const ids = new Array<number>(S).fill(0);
    const chars: (string | undefined)[] = new Array(S);
    for (let s = 0; s < S; s++) {
      if (!live[s]) continue;
      ids[s] = choose(net.logits, options, randoms[s], s * V, V);
      chars[s] = vocab.char(ids[s]);
      if (collect) texts[s] += chars[s];
      if (stop) {
        tails[s] = (tails[s] + chars[s]).slice(-stop.length);
        if (tails[s] === stop) live[s] = false;
      }
    }
    await emit(chars);
    if (n + 1 < options.length) net.feed(ids);
  }
  return texts;
}
