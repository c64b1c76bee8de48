/**
 * The training loop: epochs and batches, validation, early stopping, the
 * time limit, interruption, divergence, per-epoch samples and checkpoints. It joins
 * text/ (windows), net/ (the step) and store/ (checkpoints), and reports only through
 * the callbacks in `events`; it never prints.
 *
 * Reproducibility: every random stream is keyed by (seed, purpose, epoch, batch), so a
 * run resumed from any checkpoint continues exactly as the uninterrupted run would have.
 */
import { EXPLODING_LOSS_FACTOR, type Hyperparameters } from '../config.js';
import { runtimeError } from '../errors.js';
import { generate } from '../generate/generate.js';
import {
  fromLayersWeights, layersWeightSpecs, optimizerSpecs, paramCount, toLayersWeights, type NetConfig, type Params,
} from '../layout.js';
import { Adam, ADAM, type AdamState } from '../net/adam.js';
import type { BackendName } from '../net/backend.js';
import { initParams } from '../net/init.js';
import { layersTopology } from '../net/keras.js';
import { StatefulLstm } from '../net/stateful.js';
import type { Checkpoint } from '../store/read.js';
import { buildManifest, INITIAL_PROGRESS, type EpochRecord, type Progress } from '../store/manifest.js';
import { saveCheckpoint, type SaveStage } from '../store/write.js';
import type { Corpus } from '../text/corpus.js';
import type { Vocab } from '../text/vocab.js';
import { epochPlan, planBatch, split, trainChars, validationBatches, valChars, type Batch } from '../text/windows.js';
import { makeTrainStep, type TrainStep } from './step.js';

export type RunOptions = {
  corpus: Corpus;
  encoding: string;
  vocab: Vocab;
  hyper: Hyperparameters;
  epochs: number;
  maxTimeSeconds?: number;
  patience: number;
  keep: number;
  workers: number;
  out: string;
  sample: boolean;
  samplePrompt: string;
  sampleLength: number;
  sampleTemperature: number;
  backend: BackendName;
  command: string;
  resume?: Checkpoint;
  notes?: Record<string, unknown>;
  /** Called at each stage of every save (tests use it to crash or fail a save on purpose). */
  onSaveStage?: (stage: SaveStage) => void | Promise<void>;
  /** Polled after every batch; true finishes the batch, saves and returns 'interrupted'. */
  shouldStop: () => boolean;
  events: RunEvents;
};

export type StartInfo = {
  params: number; trainChars: number; valChars: number; batchesPerEpoch: number; batchSize: number;
  epoch: number; batch: number; resumed: boolean; workers: number;
};
export type BatchInfo = { epoch: number; batch: number; batches: number; loss: number; charsPerSecond: number; epochEtaSeconds: number };
export type EpochInfo = EpochRecord & { best: boolean; elapsedSeconds: number; etaSeconds: number | null; epochs: number; sample?: string };
export type StopReason = 'epochs' | 'patience' | 'time' | 'interrupted';

export type RunEvents = {
  onStart?: (info: StartInfo) => void;
  onBatch?: (info: BatchInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  onCheckpoint?: (info: { path: string; epoch: number; batch: number; best: boolean }) => void;
};

export type RunResult = { reason: StopReason; epoch: number; bestValLoss: number | null; bestEpoch: number | null; history: EpochRecord[]; out: string };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainModel(o: RunOptions): Promise<RunResult> {
  const h = o.hyper;
  const cfg: NetConfig = { vocabSize: o.vocab.size, layers: h.layers, units: h.units, dropout: h.dropout };
  const ids = o.vocab.encode(o.corpus.text);
  const data = split(ids, { seqLength: h.seqLength, valFraction: h.valFraction });

  const prior = o.resume?.manifest;
  const progress: Progress = prior ? { ...prior.progress } : { ...INITIAL_PROGRESS };
  const history: EpochRecord[] = prior ? [...prior.history] : [];

  let params: Params;
  let state: AdamState | undefined;
  if (o.resume) {
    params = fromLayersWeights(cfg, o.resume.weights);
    if (o.resume.optimizer) state = { step: prior!.optimizer?.step ?? progress.step, moments: o.resume.optimizer };
  } else params = initParams(cfg, h.randomSeed);

  const adam = new Adam(cfg, params, { lr: h.lr, clip: h.clip }, state);
  const trainStep: TrainStep = await makeTrainStep(adam, o.workers, o.backend);
  const topology = await layersTopology(cfg);
  const firstPlan = epochPlan(data, progress.epoch, h.batchSize, h.randomSeed);

  o.events.onStart?.({
    params: paramCount(cfg), trainChars: trainChars(data), valChars: valChars(data), batchesPerEpoch: firstPlan.batches,
    batchSize: firstPlan.batchSize, epoch: progress.epoch, batch: progress.batch, resumed: Boolean(o.resume), workers: trainStep.workers,
  });

  const started = performance.now();
  const baseElapsed = progress.elapsedSeconds; // training time of earlier runs of this bundle
  const elapsed = () => baseElapsed + (performance.now() - started) / 1000;
  const explodeAt = EXPLODING_LOSS_FACTOR * Math.max(Math.log(cfg.vocabSize), history[0]?.trainLoss ?? 0);

  let saved = Boolean(o.resume);
  const checkpoint = async (best: boolean): Promise<string> => {
    progress.elapsedSeconds = elapsed();
    const manifest = buildManifest({
      vocab: [...o.vocab.chars],
      network: { layers: cfg.layers, units: cfg.units, dropout: cfg.dropout, vocabSize: cfg.vocabSize },
      hyperparameters: { ...h, epochs: o.epochs, patience: o.patience, keep: o.keep, workers: trainStep.workers },
      corpus: {
        name: o.corpus.name, bytes: o.corpus.bytes, characters: ids.length, sha256: o.corpus.sha256, textSha256: o.corpus.textSha256,
        encoding: o.encoding, strippedBoilerplate: o.corpus.strippedBoilerplate, keepBoilerplate: o.corpus.keptBoilerplate,
      },
      progress: { ...progress, step: adam.step },
      history,
      optimizer: { name: 'adam', step: adam.step, ...ADAM, lr: adam.hyper.lr, clip: h.clip },
      backend: o.backend,
      command: o.command,
      notes: o.notes,
    });
    const path = await saveCheckpoint(o.out, {
      manifest,
      modelTopology: topology,
      weights: { specs: layersWeightSpecs(cfg), arrays: toLayersWeights(cfg, adam.params()) },
      optimizer: { specs: optimizerSpecs(cfg), arrays: adam.state().moments },
    }, { best, keep: o.keep, onStage: o.onSaveStage });
    saved = true;
    o.events.onCheckpoint?.({ path, epoch: progress.epoch, batch: progress.batch, best });
    return path;
  };

  const finish = (reason: StopReason): RunResult => ({
    reason, epoch: progress.epoch, bestValLoss: progress.bestValLoss, bestEpoch: progress.bestEpoch, history, out: o.out,
  });

  try {
    while (progress.epoch < o.epochs) {
      const epoch = progress.epoch;
      const plan = epochPlan(data, epoch, h.batchSize, h.randomSeed);
      // The schedule is a function of the epoch alone, so resuming needs no extra state.
      adam.setLr(learningRate(h, epoch));
      const epochStart = performance.now();
      let epochChars = 0;
      for (let k = progress.batch; k < plan.batches; k++) {
        const batch = planBatch(data, plan, k);
        const { lossSum, norm } = await trainStep.step(batch, { randomSeed: h.randomSeed, epoch, batch: k });
        const chars = batch.batch * batch.seqLength;
        const loss = lossSum / chars;
        if (!Number.isFinite(loss) || loss > explodeAt || !Number.isFinite(norm)) {
          throw runtimeError(
            `training diverged at epoch ${epoch + 1}, batch ${k + 1}: loss ${Number.isFinite(loss) ? loss.toFixed(2) + ' nats' : String(loss)}${Number.isFinite(norm) ? '' : `, gradient norm ${norm}`}; ${saved ? `the last good checkpoint in ${o.out} is untouched` : 'nothing was saved'}`,
            `lower the learning rate, e.g. --lr ${h.lr / 2}, or the gradient clip, e.g. --clip ${Math.max(1, h.clip / 2)}`,
          );
        }
        progress.partialLossSum += lossSum;
        progress.partialChars += chars;
        progress.batch = k + 1;
        progress.step = adam.step;
        epochChars += chars;
        const seconds = (performance.now() - epochStart) / 1000;
        const cps = epochChars / seconds;
        o.events.onBatch?.({
          epoch: epoch + 1, batch: k + 1, batches: plan.batches, loss: progress.partialLossSum / progress.partialChars,
          charsPerSecond: cps, epochEtaSeconds: ((plan.batches - k - 1) * chars) / cps,
        });
        await yieldToEventLoop(); // lets SIGINT handlers run between batches
        const outOfTime = o.maxTimeSeconds !== undefined && elapsed() - baseElapsed >= o.maxTimeSeconds;
        if ((o.shouldStop() || outOfTime) && k + 1 < plan.batches) {
          await checkpoint(false);
          return finish(o.shouldStop() ? 'interrupted' : 'time');
        }
        if (o.shouldStop()) break;
      }

      // End of epoch: validation, history, checkpoint.
      const seconds = (performance.now() - epochStart) / 1000;
      let valSum = 0;
      let valCount = 0;
      for (const vb of validationBatches(data, h.batchSize)) {
        valSum += trainStep.loss(vb);
        valCount += vb.batch * vb.seqLength;
        await yieldToEventLoop();
      }
      const valLoss = valCount > 0 ? valSum / valCount : null;
      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: progress.partialLossSum / Math.max(1, progress.partialChars),
        valLoss,
        seconds,
        charsPerSecond: epochChars / Math.max(seconds, 1e-9),
        lr: adam.hyper.lr,
      };
      history.push(record);
      const score = valLoss ?? record.trainLoss;
      const best = progress.bestValLoss === null || score < progress.bestValLoss;
      if (best) {
        progress.bestValLoss = score;
        progress.bestEpoch = epoch + 1;
        progress.epochsWithoutImprovement = 0;
      } else progress.epochsWithoutImprovement++;
      progress.epoch = epoch + 1;
      progress.batch = 0;
      progress.partialLossSum = 0;
      progress.partialChars = 0;
      progress.step = adam.step;

      const perEpoch = (elapsed() - baseElapsed) / Math.max(1, history.length - (prior?.history.length ?? 0));
      const sample = o.sample && !o.shouldStop() ? await sampleText(cfg, adam, o, epoch) : undefined;
      o.events.onEpoch?.({
        ...record, best, elapsedSeconds: elapsed(), epochs: o.epochs,
        etaSeconds: Math.min((o.epochs - progress.epoch) * perEpoch, o.maxTimeSeconds === undefined ? Infinity : Math.max(0, o.maxTimeSeconds - (elapsed() - baseElapsed))), sample,
      });
      await checkpoint(best);

      if (o.shouldStop()) return finish('interrupted');
      if (valLoss !== null && progress.epochsWithoutImprovement >= o.patience) return finish('patience');
      if (o.maxTimeSeconds !== undefined && elapsed() - baseElapsed >= o.maxTimeSeconds) return finish('time');
    }
    return finish('epochs');
  } finally {
    await trainStep.dispose();
    adam.dispose();
  }
}

/**
 * Learning rate of an epoch (0-based): `lr` for the first `lrDecayAfter` epochs, then
 * multiplied by `lrDecay` once per later epoch (char-rnn's schedule).
 */
export function learningRate(h: Hyperparameters, epoch: number): number {
  const decay = h.lrDecay ?? 1;
  return h.lr * decay ** Math.max(0, epoch - (h.lrDecayAfter ?? 0) + 1);
}

async function sampleText(cfg: NetConfig, adam: Adam, o: RunOptions, epoch: number): Promise<string> {
  const net = new StatefulLstm(cfg, adam.params());
  try {
    const prompt = [...o.samplePrompt].filter((c) => o.vocab.has(c)).join('');
    const [text] = await generate(net, o.vocab, {
      seed: prompt, length: o.sampleLength, samples: 1, temperature: o.sampleTemperature, randomSeed: o.hyper.randomSeed + epoch,
    }, () => {});
    return text;
  } finally {
    net.dispose();
  }
}

export type { Batch };
