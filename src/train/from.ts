/**
 * Fine-tuning (`lstm train --from MODEL`): where a new run starts when it starts from a
 * trained model. The vocabulary becomes the union of the base's and the new text's
 * (text/vocab.ts `Vocab.union`), the parameters are the base's moved to it by character
 * (net/init.ts `initFromBase`), and the lineage records the base for the new bundle.
 * Which settings such a run takes is train/settings.ts's; the loop only receives the
 * result (`RunOptions.from`).
 */
import { fromLayersWeights, netConfig, type Params } from '../params.js';
import { initFromBase } from '../net/init.js';
import { WEIGHTS_BIN, type Lineage } from '../store/manifest.js';
import type { Checkpoint } from '../store/parse.js';
import { Vocab } from '../text/vocab.js';

export type FineTuneStart = { vocab: Vocab; params: Params; lineage: Lineage };

/**
 * The start of a fine-tune of `base` (read from `given`, as --from named it) on `text`
 * (the corpus as the model reads it): the union vocabulary, the base's parameters widened
 * to it, and the lineage.
 */
export function startFrom(base: Checkpoint, given: string, text: string, randomSeed: number): FineTuneStart {
  const m = base.manifest;
  const cfg = netConfig(m.network);
  const { vocab, added, unseen } = Vocab.union(m.vocab, text);
  const params = initFromBase(
    { cfg, params: fromLayersWeights(cfg, base.weights), chars: m.vocab },
    vocab.chars,
    randomSeed,
  );
  return { vocab, params, lineage: lineageOf(base, given, added, unseen) };
}

/** The lineage record of a fine-tune of `base`: the base as read, its own lineage, and the vocabulary's changes. */
function lineageOf(base: Pick<Checkpoint, 'manifest'>, given: string, added: string[], unseen: string[]): Lineage {
  const m = base.manifest;
  const p = m.progress;
  return {
    base: {
      model: given,
      epoch: p.epoch,
      batch: p.batch,
      weightsSha256: m.files[WEIGHTS_BIN].sha256, // readCheckpoint refuses a checkpoint without it
      corpus: { name: m.corpus.name, sha256: m.corpus.sha256, characters: m.corpus.characters },
      network: netConfig(m.network),
      bestValLoss: p.bestValLoss,
      bestEpoch: p.bestEpoch,
      ...(p.bestBatch ? { bestBatch: p.bestBatch } : {}),
      ...(m.lineage ? { lineage: m.lineage } : {}),
    },
    added,
    unseen,
  };
}
