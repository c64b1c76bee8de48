/** `lstm export`: one checkpoint of a bundle as a flat model for inference (no optimizer state). */
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { layersWeightSpecs, netConfig } from '../../layout.js';
import { holdsModel, isEmptyOrAbsent } from '../../store/bundle.js';
import { buildManifest } from '../../store/manifest.js';
import { exportCheckpoint } from '../../store/write.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { checkpointOption } from '../options.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('export')
    .description('write one checkpoint of a bundle as a standalone model for inference (smaller: no optimizer state)')
    .requiredOption('-m, --model <dir>', 'model bundle')
    .requiredOption('--out <dir>', 'directory to write (must not hold a model unless --force)')
    .addOption(checkpointOption())
    .option('--force', 'replace a model already in --out')
    .option('--note <key=value...>', 'record notes in lstm.json (e.g. how it was trained)')
    .action(async (flags: { model: string; out: string; checkpoint?: string; force?: boolean; note?: string[] }) => {
      const ctx = context();
      // Only a model is ever replaced, never some other directory the user named by mistake.
      if (await holdsModel(flags.out)) {
        if (!flags.force) throw usageError(`${flags.out} already holds a model`, 'pass --force to replace it');
      } else if (!(await isEmptyOrAbsent(flags.out))) {
        throw usageError(`${flags.out} exists and is not a model; export writes a new directory`, 'choose a new --out path');
      }
      const { readModelCheckpoint } = await import('../model.js');
      const ckpt = await readModelCheckpoint(flags.model, flags.checkpoint);
      const manifest = ckpt.manifest;
      const notes = { ...(manifest.notes ?? {}) } as Record<string, unknown>;
      for (const kv of flags.note ?? []) {
        const at = kv.indexOf('=');
        if (at < 1) throw usageError(`--note must be key=value, got '${kv}'`);
        notes[kv.slice(0, at)] = kv.slice(at + 1);
      }
      // The topology is made afresh from the network description, so an export always has
      // the current Layers form (bundles written before lstm set sigmoid gates are repaired).
      const { initBackend } = await import('../../net/backend.js');
      await initBackend(ctx.flags.backend, COMMAND_JOBS.export);
      const { layersTopology } = await import('../../net/keras.js');
      const cfg = netConfig(manifest.network);
      await exportCheckpoint(flags.out, {
        manifest: buildManifest({ ...manifest, optimizer: null, notes: Object.keys(notes).length ? notes : undefined }),
        modelTopology: await layersTopology(cfg),
        weights: { specs: layersWeightSpecs(cfg), arrays: ckpt.weights },
      });
      ctx.reporter.info(`exported ${ckpt.dir} to ${flags.out}`);
    });
}
