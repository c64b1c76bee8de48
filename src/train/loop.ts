/**
 * The training loop: plan the epoch, step through its batches, validate when due,
 * checkpoint, and decide whether to stop. It joins text/ (windows), net/ (the step),
 * train/start.ts, validation.ts, schedule.ts and checkpoint.ts, and reports only through
 * the callbacks in `events`; it never prints.
 *
 * Reproducibility: every random stream is keyed by (seed, purpose, epoch, batch), so a
 * run resumed from any checkpoint continues exactly as the uninterrupted run would have.
 */
import { runtimeError } from '../errors.js';
import { generate } from '../generate/generate.js';
import { StatefulLstm } from '../net/stateful.js';
import type { EpochRecord } from '../store/manifest.js';
import { planBatch, type EpochPlan } from '../text/windows.js';
import { saveRunCheckpoint } from './checkpoint.js';
import type { RunOptions, RunResult } from './run.js';
import * as schedule from './schedule.js';
import { planOf, startRun, type Run } from './start.js';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainModel(options: RunOptions): Promise<RunResult> {
  const run = await startRun(options);
  const { progress } = run;
  try {
    while (progress.epoch < options.epochs) {
      const epoch = progress.epoch;
      const plan = startEpoch(run, epoch);
      for (let k = progress.batch; k < plan.batches; k++) {
        await trainBatch(run, plan, k);
        if (k + 1 === plan.batches) break; // the epoch's end validates and saves below
        // Stopping mid-epoch (Ctrl-C, SIGTERM, --max-time) saves a validated checkpoint that
        // --resume continues from the exact batch; it is `best` when it is the best so far.
        const reason = schedule.stopInEpoch(options.shouldStop(), run.clock.outOfTime());
        if (reason) {
          if (reason === 'time') await fullPasses(run);
          await validateInEpoch(run, epoch);
          return finish(run, reason);
        }
        if (evaluationDue(run)) {
          await validateInEpoch(run, epoch);
          run.sinceEval = { at: performance.now(), batches: 0 };
        }
      }
      const reason = await endEpoch(run, epoch);
      if (reason) return finish(run, reason);
    }
    return finish(run, 'epochs');
  } finally {
    await run.step.dispose();
    run.adam.dispose();
  }
}

/** An epoch's plan and learning rate; every epoch's streams start from zeros. */
function startEpoch(run: Run, epoch: number): EpochPlan {
  const { options, progress } = run;
  const plan = planOf(options, run.data, epoch);
  // The schedule is a function of the epoch and the halvings so far (saved in progress).
  run.adam.setLr(schedule.learningRate(options.hyper, epoch, progress.lrHalvings ?? 0));
  if (progress.batch === 0) run.carried = undefined;
  // A resume on another text (allowed, with a warning) may have another number of streams: from zeros then.
  if (run.carried && run.carried[0].h.length !== plan.batchSize * run.cfg.units) run.carried = undefined;
  run.epochStart = performance.now();
  run.epochChars = 0;
  return plan;
}

/** One optimizer step on batch `k` of the epoch; refuses a diverged step, reports `onBatch`. */
async function trainBatch(run: Run, plan: EpochPlan, k: number): Promise<void> {
  const { options, progress } = run;
  const epoch = plan.epoch;
  const batch = planBatch(run.data, plan, k);
  const key = { randomSeed: options.hyper.randomSeed, epoch, batch: k };
  const out = await run.clock.timed('batch', () => run.step.step(batch, key, plan.carry ? run.carried : undefined));
  if (plan.carry) run.carried = out.state;
  const chars = batch.batch * batch.seqLength;
  const loss = out.lossSum / chars;
  if (schedule.diverged(loss, out.norm, run.explodeAt)) throw divergence(run, epoch, k, loss, out.norm);
  progress.partialLossSum += out.lossSum;
  progress.partialChars += chars;
  progress.batch = k + 1;
  progress.step = run.adam.step;
  run.epochChars += chars;
  run.sinceEval.batches++;
  const cps = run.epochChars / ((performance.now() - run.epochStart) / 1000);
  const epochEta = ((plan.batches - k - 1) * chars) / cps;
  const toEpochLimit = epochEta + (options.epochs - epoch - 1) * ((plan.batches * chars) / cps);
  options.events.onBatch?.({
    epoch: epoch + 1,
    batch: k + 1,
    batches: plan.batches,
    loss: progress.partialLossSum / progress.partialChars,
    charsPerSecond: cps,
    epochEtaSeconds: epochEta,
    runEtaSeconds: schedule.runEta(toEpochLimit, options, run.clock.runSeconds()),
    lastValLoss: progress.lastValLoss ?? null,
  });
  await yieldToEventLoop(); // lets SIGINT handlers run between batches
}

function divergence(run: Run, epoch: number, k: number, loss: number, norm: number) {
  const { hyper, out } = run.options;
  const lossText = Number.isFinite(loss) ? `${loss.toFixed(2)} nats` : String(loss);
  return runtimeError(
    `training diverged at epoch ${epoch + 1}, batch ${k + 1}: loss ${lossText}${Number.isFinite(norm) ? '' : `, gradient norm ${norm}`}; ${run.saved ? `the last good checkpoint in ${out} is untouched` : 'nothing was saved'}`,
    `lower the learning rate, e.g. --lr ${hyper.lr / 2}, or the gradient clip, e.g. --clip ${Math.max(1, hyper.clip / 2)}`,
  );
}

/** Whether --eval-every's batches or seconds have passed since the last validation. */
function evaluationDue(run: Run): boolean {
  const every = run.options.evalEvery;
  const { at, batches } = run.sinceEval;
  return (
    (every.batches !== undefined && batches >= every.batches) ||
    (every.seconds !== undefined && (performance.now() - at) / 1000 >= every.seconds)
  );
}

/** Inside an epoch: validate, and save a checkpoint that becomes `best` when it is. */
async function validateInEpoch(run: Run, epoch: number): Promise<void> {
  const { progress } = run;
  const valLoss = await run.clock.timed('validation', () => run.validator.score());
  const trainLoss = progress.partialLossSum / Math.max(1, progress.partialChars);
  progress.lastValLoss = valLoss;
  const best = schedule.recordBest(progress, valLoss ?? trainLoss, epoch + 1, progress.batch, run.options.minGain);
  const sampled = run.validator.sampled;
  run.options.events.onEvaluation?.({ epoch: epoch + 1, batch: progress.batch, valLoss, trainLoss, best, sampled });
  await checkpoint(run, best);
}

async function checkpoint(run: Run, best: boolean): Promise<void> {
  const { progress } = run;
  progress.elapsedSeconds = run.clock.elapsed();
  const path = await run.clock.timed('save', () => saveRunCheckpoint(run.record, run, best));
  run.saved = true;
  const { epoch, batch, elapsedSeconds } = progress;
  run.options.events.onCheckpoint?.({ path, epoch, batch, best, elapsedSeconds });
}

/** An epoch's end: validation, the history record, the schedule, a sample and a checkpoint; why the run stops, if it does. */
async function endEpoch(run: Run, epoch: number): Promise<schedule.StopReason | null> {
  const { options, progress, validator } = run;
  const seconds = (performance.now() - run.epochStart) / 1000;
  const valLoss = await run.clock.timed('validation', () => validator.score());
  const valLossCold = await validator.cold();
  run.sinceEval = { at: performance.now(), batches: 0 };
  const record: EpochRecord = {
    epoch: epoch + 1,
    trainLoss: progress.partialLossSum / Math.max(1, progress.partialChars),
    valLoss,
    seconds,
    charsPerSecond: run.epochChars / Math.max(seconds, 1e-9),
    lr: run.adam.hyper.lr,
    ...(valLossCold !== undefined ? { valLossCold } : {}),
  };
  run.history.push(record);
  const best = schedule.recordBest(progress, valLoss ?? record.trainLoss, epoch + 1, 0, options.minGain);
  const halved = schedule.endOfEpoch(progress, epoch + 1, valLoss, options.hyper.lrPlateau ?? 0);
  Object.assign(progress, { lastValLoss: valLoss, epoch: epoch + 1, batch: 0, partialLossSum: 0, partialChars: 0 });
  progress.step = run.adam.step;

  const stopping = stopReason(run, valLoss);
  if (stopping && stopping !== 'interrupted') await fullPasses(run, record);
  const perEpoch = run.clock.runSeconds() / Math.max(1, run.history.length - run.priorEpochs);
  const sample = options.sample && !options.shouldStop() ? await sampleText(run, epoch) : undefined;
  const halvings = progress.lrHalvings ?? 0;
  options.events.onEpoch?.({
    ...record,
    best,
    elapsedSeconds: run.clock.elapsed(),
    epochs: options.epochs,
    etaSeconds: schedule.runEta((options.epochs - progress.epoch) * perEpoch, options, run.clock.runSeconds()),
    sample,
    ...(halved && !stopping ? { lrHalvedTo: schedule.learningRate(options.hyper, progress.epoch, halvings) } : {}),
  });
  await checkpoint(run, best);
  return stopReason(run, valLoss); // asked again: a signal or the time limit may have come meanwhile
}

function stopReason(run: Run, valLoss: number | null): schedule.StopReason | null {
  const { options } = run;
  return schedule.stopAfterEpoch({
    stopRequested: options.shouldStop(),
    outOfTime: run.clock.outOfTime(),
    validated: valLoss !== null,
    progress: run.progress,
    epochs: options.epochs,
    patience: options.patience,
  });
}

/**
 * When validation used a sample: the whole held-out part once, both readings, recorded with
 * the last epoch (`record`) when the run ends at one. Under --max-time only when it fits in
 * the time left (else `fullPassSkipped` says how long it would take: lstm eval scores it).
 */
async function fullPasses(run: Run, record?: EpochRecord): Promise<void> {
  const { validator, clock } = run;
  const { scored, all, fullPasses } = validator.windows;
  // Inside an epoch only the reading validation chooses by is recorded (in the result).
  const passes = record ? fullPasses : validator.sampled ? 1 : 0;
  if (passes === 0) return;
  const seconds = (clock.durations().validation * passes * all) / Math.max(1, scored);
  if (!clock.fits(seconds)) {
    run.fullPassSkipped = seconds;
    return;
  }
  run.valLossFull = await validator.full();
  if (!record) return;
  if (run.valLossFull !== null) record.valLossFull = run.valLossFull;
  const coldFull = await validator.coldFull();
  if (coldFull !== null) record.valLossColdFull = coldFull;
}

function finish(run: Run, reason: schedule.StopReason): RunResult {
  const { progress, history } = run;
  const atBest = history.find((r) => r.epoch === progress.bestEpoch && !progress.bestBatch);
  return {
    reason,
    epoch: progress.epoch,
    batch: progress.batch,
    bestValLoss: progress.bestValLoss,
    bestEpoch: progress.bestEpoch,
    bestBatch: progress.bestBatch ?? 0,
    valLossFull: run.valLossFull,
    ...(run.fullPassSkipped === undefined ? {} : { fullPassSkippedSeconds: run.fullPassSkipped }),
    valLossCold: atBest?.valLossColdFull ?? atBest?.valLossCold ?? null,
    history,
    out: run.options.out,
  };
}

/** The sample shown after an epoch: the default prompt's known characters, seeded by the epoch. */
async function sampleText(run: Run, epoch: number): Promise<string> {
  const { options } = run;
  const net = new StatefulLstm(run.cfg, run.adam.modelParams());
  try {
    const prompt = [...options.samplePrompt].filter((c) => options.vocab.has(c)).join('');
    const settings = {
      seed: prompt,
      length: options.sampleLength,
      samples: 1,
      temperature: options.sampleTemperature,
      randomSeed: options.hyper.randomSeed + epoch,
    };
    const [text] = await generate(net, options.vocab, settings, () => {});
    return text;
  } finally {
    net.dispose();
  }
}
