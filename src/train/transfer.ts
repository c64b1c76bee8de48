/**
 * Where a new run starts when `--from` is not given: from a bundled base that knows most of
 * the text's characters (`defaults.transfer`), else from scratch. It also scores the base and
 * an untrained network of the same shape on the same characters (the start of the text's
 * held-out tail, cold windows, without those the base never saw), each through the network a
 * fine-tune would start with (net/init.ts `initFromBase`: the vocabulary widened to the
 * text's), and says both: they show what the base knows, though by experiment they do not
 * tell whether starting from it helps (docs/training.md, "Starting from a base").
 *
 * Only bases that a run's network fits are candidates; the run keeps its own recipe (fitted
 * to its text), not the base's.
 */
import { defaults } from '../config.js';
import { initParams } from '../net/init.js';
import { coldScore } from '../net/score.js';
import { netConfig, type NetConfig, type Params } from '../params.js';
import type { Checkpoint } from '../store/parse.js';
import type { Ids } from '../text/vocab.js';
import { startFrom, type FineTuneStart } from './from.js';

/** A bundled base as read: the name a run reports it by and records as its --from (which takes it from anywhere). */
export type Candidate = { name: string; checkpoint: Checkpoint };

/**
 * One base's figures on the text: the share of the text's characters it knows, and bits per
 * character of the base and of an untrained network on the held-out ones it knows.
 */
export type Measured = { name: string; knownShare: number; baseBits: number; untrainedBits: number };

export type TransferChoice = {
  /** The base to start from, when one is taken, and its figures. */
  start?: { candidate: Candidate; from: FineTuneStart; measured: Measured };
  measured: Measured[];
};

/** The first characters of the text's held-out tail that both networks are scored on. */
function heldOutSample(text: string, valFraction: number): string {
  const chars = Array.from(text);
  const tail = chars.slice(Math.round(chars.length * (1 - valFraction)));
  return tail.slice(0, defaults.transfer.sampleChars).join('');
}

const bitsOn = (cfg: NetConfig, params: Params, ids: Ids, seqLength: number) => {
  const s = coldScore(cfg, params, ids, seqLength, defaults.batchSize);
  return s.lossSum / s.chars / Math.LN2;
};

/**
 * Scores each candidate and an untrained network of its shape on `text` (as the model reads
 * it) and returns the best base that passes the rule, if any. `text` must hold at least
 * two held-out characters. Candidates whose network differs from `network` are skipped.
 */
export function chooseStart(
  candidates: readonly Candidate[],
  text: string,
  run: {
    layers: number;
    units: number;
    lowercase: boolean;
    valFraction: number;
    seqLength: number;
    randomSeed: number;
  },
): TransferChoice {
  const sample = heldOutSample(text, run.valFraction);
  const measured: Measured[] = [];
  let best: TransferChoice['start'];
  let bestBits = Number.POSITIVE_INFINITY; // among bases the rule takes, the one that predicts best
  for (const candidate of candidates) {
    const m = candidate.checkpoint.manifest;
    const fits =
      m.network.layers === run.layers &&
      m.network.units === run.units &&
      Boolean(m.hyperparameters.lowercase) === run.lowercase;
    if (!fits) continue;
    const from = startFrom(candidate.checkpoint, candidate.name, text, run.randomSeed);
    const cfg = netConfig({ ...m.network, vocabSize: from.vocab.size });
    // Scored on the characters the base knows: one it never saw gets a fresh output column,
    // which says nothing of what the base knows of the rest.
    const known = new Set(m.vocab);
    const chars = Array.from(text);
    const knownShare = chars.filter((c) => known.has(c)).length / chars.length;
    const ids = from.vocab.encode(
      Array.from(sample)
        .filter((c) => known.has(c))
        .join(''),
    );
    if (ids.length < 2) continue;
    const untrainedBits = bitsOn(cfg, initParams(cfg, run.randomSeed), ids, run.seqLength);
    const baseBits = bitsOn(cfg, from.params, ids, run.seqLength);
    const figures = { name: candidate.name, knownShare, baseBits, untrainedBits };
    measured.push(figures);
    if (knownShare >= defaults.transfer.minKnownShare && baseBits < bestBits) {
      best = { candidate, from, measured: figures };
      bestBits = baseBits;
    }
  }
  return { start: best, measured };
}

const share = (x: number) => `${Math.floor(x * 1000) / 10}%`;

/** Why a base was taken or not, in its figures. */
export const baseFigures = (m: Measured) =>
  `it knows ${share(m.knownShare)} of the text's characters, and predicts the held-out ones it knows at ${m.baseBits.toFixed(2)} bits each, an untrained network at ${m.untrainedBits.toFixed(2)}`;

/** The line a run from scratch says about its start (a run from a base says it with its lineage). */
export function scratchLine(choice: TransferChoice, fallback: string): string {
  if (!choice.measured.length) return `training from scratch: ${fallback}`;
  const m = choice.measured.reduce((a, b) => (b.knownShare > a.knownShare ? b : a));
  return `training from scratch, not from ${m.name}: ${baseFigures(m)}; a base is taken from ${share(defaults.transfer.minKnownShare)} (--from ${m.name} starts from it)`;
}
