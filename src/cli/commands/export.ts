/**
 * `lstm export`: one checkpoint of a bundle as a flat model for inference (no optimizer
 * state), its weights float32 or, with --float16, half floats (half the size).
 */
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { layersWeightSpecs, netConfig } from '../../params.js';
import { holdsModel, isEmptyOrAbsent } from '../../store/bundle.js';
import { isLocked } from '../../store/lock.js';
import { buildManifest, type CorpusRecord } from '../../store/manifest.js';
import { exportCheckpoint } from '../../store/write.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { HeldLocks } from '../locks.js';
import { trainCommandInUserForm } from '../invocation.js';
import { checkpointOption, origin } from '../options.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('export')
    .description('write one checkpoint of a bundle as a standalone model for inference (smaller: no optimizer state)')
    .requiredOption('-m, --model <dir>', 'model bundle')
    .requiredOption('--out <dir>', 'directory to write (must not hold a model unless --force)')
    .addOption(checkpointOption())
    .option(
      '--float16',
      'store the weights as half floats (TF.js float16 quantization): half the size, each weight rounded to 11 significant bits',
    )
    .option('--force', 'replace a model already in --out')
    .option('--note <key=value...>', 'record notes in lstm.json (e.g. how it was trained)')
    .option(
      '--origin <text>',
      "where the training text comes from, recorded with the corpus (replaces the bundle's)",
      origin,
    )
    .action(
      async (
        flags: {
          model: string;
          out: string;
          checkpoint?: string;
          float16?: boolean;
          force?: boolean;
          note?: string[];
          origin?: string;
        },
        cmd: Command,
      ) => {
        const ctx = context();
        // Only a model is ever replaced, never some other directory the user named by mistake.
        const refusal = async () => {
          if (await holdsModel(flags.out))
            return flags.force
              ? undefined
              : usageError(`${flags.out} already holds a model`, 'pass --force to replace it');
          if (!(await isEmptyOrAbsent(flags.out)))
            return usageError(
              `${flags.out} exists and is not a model; export writes a new directory`,
              'choose a new --out path',
            );
        };
        // Refused before anything is written into --out, unless a run holds it: then the lock names it.
        const early = (await isLocked(flags.out)) ? undefined : await refusal();
        if (early) throw early;
        const { readModelCheckpoint } = await import('../model.js');
        const ckpt = await readModelCheckpoint(flags.model, flags.checkpoint);
        const manifest = ckpt.manifest;
        const notes = { ...(manifest.notes ?? {}) } as Record<string, unknown>;
        for (const kv of flags.note ?? []) {
          const at = kv.indexOf('=');
          if (at < 1) throw usageError(`--note must be key=value, got '${kv}'`);
          notes[kv.slice(0, at)] = kv.slice(at + 1);
        }
        const locks = new HeldLocks(ctx.reporter);
        try {
          const lock = await locks.take(flags.out, 'export to');
          const late = await refusal(); // again under the lock: nothing changes --out now
          if (late) throw late;
          // The topology is made afresh from the network description, so an export always has
          // the current Layers form (bundles written before lstm set sigmoid gates are repaired).
          const { initBackend } = await import('../../net/backend.js');
          await initBackend(ctx.flags.backend, COMMAND_JOBS.export);
          const { layersTopology } = await import('../../net/keras.js');
          const cfg = netConfig(manifest.network);
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
              modelTopology: await layersTopology(cfg),
              weights: {
                specs: layersWeightSpecs(cfg),
                arrays: ckpt.weights,
                dtype: flags.float16 ? 'float16' : 'float32',
              },
            },
            lock,
          );
        } finally {
          await locks.release();
        }
        ctx.reporter.info(`exported ${ckpt.dir} to ${flags.out}${flags.float16 ? ' (float16 weights)' : ''}`);
      },
    );
}

/** A corpus record without the absolute paths training keeps (to resume without naming the corpus). */
function withoutPaths(c: CorpusRecord): CorpusRecord {
  const { path: _path, files, ...rest } = c;
  return { ...rest, ...(files ? { files: files.map(({ path: _p, ...f }) => f) } : {}) };
}
