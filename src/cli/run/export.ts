/**
 * `lstm export`: one checkpoint of a bundle as a flat model for inference (no optimizer
 * state), its weights float32 or, with --float16, half floats (half the size).
 */
import type { Command } from 'commander';
import { usageError, type LstmError } from '../../errors.js';
import { initBackend } from '../../net/backend.js';
import { layersTopology } from '../../store/topology.js';
import { layersWeightSpecs } from '../../params.js';
import { holdsModel, isEmptyOrAbsent } from '../../store/bundle.js';
import { loadModel } from '../../store/load.js';
import { isLocked } from '../../store/lock.js';
import { buildManifest, type CorpusRecord } from '../../store/manifest.js';
import { exportCheckpoint } from '../../store/write.js';
import type { ExportFlags } from '../commands/export.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { trainCommandInUserForm } from '../invocation.js';
import { HeldLocks } from '../locks.js';
import { modelPath } from '../model.js';

export async function run(flags: ExportFlags, cmd: Command, ctx: Context): Promise<void> {
  // Refused before anything is written into --out, unless a run holds it: then the lock names it.
  const early = (await isLocked(flags.out)) ? undefined : await refusal(flags);
  if (early) throw early;
  const model = await loadModel(modelPath(flags.model), { which: flags.checkpoint });
  const manifest = model.checkpoint.manifest;
  const notes = { ...(manifest.notes ?? {}) } as Record<string, unknown>;
  for (const kv of flags.note ?? []) {
    const at = kv.indexOf('=');
    if (at < 1) throw usageError(`--note must be key=value, got '${kv}'`);
    notes[kv.slice(0, at)] = kv.slice(at + 1);
  }
  const locks = new HeldLocks(ctx.reporter);
  try {
    const lock = await locks.take(flags.out, 'export to');
    const late = await refusal(flags); // again under the lock: nothing changes --out now
    if (late) throw late;
    // The topology is made afresh from the network description, so an export always has
    // the current Layers form (bundles written before lstm set sigmoid gates are repaired).
    await initBackend(ctx.flags.backend, COMMAND_JOBS.export);
    await exportCheckpoint(
      flags.out,
      {
        manifest: buildManifest({
          ...manifest,
          optimizer: null,
          notes: Object.keys(notes).length ? notes : undefined,
          // An export is for inference, never resumed: this machine's paths to the corpus stay behind.
          corpus: withoutPaths(
            flags.origin === undefined ? manifest.corpus : { ...manifest.corpus, origin: flags.origin },
          ),
          // A published model says how it was trained as a user would type it (bundles from older
          // versions recorded the exact line: it is kept as the invocation).
          command: trainCommandInUserForm(manifest.command, cmd),
          invocation: manifest.invocation ?? manifest.command,
        }),
        modelTopology: layersTopology(model.cfg),
        weights: {
          specs: layersWeightSpecs(model.cfg),
          arrays: model.checkpoint.weights,
          dtype: flags.float16 ? 'float16' : 'float32',
        },
      },
      lock,
    );
  } finally {
    await locks.release();
  }
  ctx.reporter.info(`exported ${model.checkpoint.dir} to ${flags.out}${flags.float16 ? ' (float16 weights)' : ''}`);
}

/**
 * Why --out cannot take the export, if it cannot: only a model is ever replaced, never some
 * other directory the user named by mistake.
 */
async function refusal(flags: ExportFlags): Promise<LstmError | undefined> {
  if (await holdsModel(flags.out))
    return flags.force ? undefined : usageError(`${flags.out} already holds a model`, 'pass --force to replace it');
  if (!(await isEmptyOrAbsent(flags.out)))
    return usageError(
      `${flags.out} exists and is not a model; export writes a new directory`,
      'choose a new --out path',
    );
}

/** A corpus record without the absolute paths training keeps (to resume without naming the corpus). */
function withoutPaths(corpus: CorpusRecord): CorpusRecord {
  const { path: _path, files, ...rest } = corpus;
  return { ...rest, ...(files ? { files: files.map(({ path: _p, ...file }) => file) } : {}) };
}
