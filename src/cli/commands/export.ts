/** `lstm export`: one checkpoint of a bundle as a flat model for inference (no optimizer state). */
import type { Command } from 'commander';
import { exportCheckpoint, holdsModel, isEmptyOrAbsent, readCheckpoint, resolveCheckpoint } from '../../store/checkpoint.js';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('export')
    .description('write one checkpoint of a bundle as a standalone model for inference (smaller: no optimizer state)')
    .requiredOption('-m, --model <dir>', 'model bundle')
    .requiredOption('--out <dir>', 'directory to write (must not hold a model unless --force)')
    .option('--checkpoint <name>', 'best (default), latest, or an epoch number')
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
      const ckpt = await readCheckpoint(await resolveCheckpoint(flags.model, flags.checkpoint));
      const { files: _files, savedAt: _savedAt, ...manifest } = ckpt.manifest;
      const notes = { ...(manifest.notes ?? {}) } as Record<string, unknown>;
      for (const kv of flags.note ?? []) {
        const at = kv.indexOf('=');
        if (at < 1) throw usageError(`--note must be key=value, got '${kv}'`);
        notes[kv.slice(0, at)] = kv.slice(at + 1);
      }
      // The topology is made afresh from the network description, so an export always has
      // the current Layers form (bundles written before lstm set sigmoid gates are repaired).
      const { initBackend } = await import('../../net/backend.js');
      await initBackend(ctx.flags.backend);
      const { layersArtifacts } = await import('../../net/keras.js');
      const n = manifest.network;
      const artifacts = await layersArtifacts({ vocabSize: n.vocabSize, layers: n.layers, units: n.units, dropout: n.dropout });
      await exportCheckpoint(flags.out, {
        manifest: { ...manifest, optimizer: null, ...(Object.keys(notes).length ? { notes } : {}) },
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs,
        weights: ckpt.weights,
      });
      ctx.reporter.info(`exported ${ckpt.dir} to ${flags.out}`);
    });
}
