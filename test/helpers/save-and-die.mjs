// Saves a copy of BUNDLE's latest checkpoint as the next epoch and kills this process
// with SIGKILL when the save reaches STAGE: a crash landed inside the save on purpose.
// Usage: node save-and-die.mjs BUNDLE STAGE
import { checkpointSpecs } from '../../dist/src/params.js';
import { readCheckpoint, resolveCheckpoint } from '../../dist/src/store/read.js';
import { saveCheckpoint } from '../../dist/src/store/write.js';
import { buildManifest } from '../../dist/src/store/manifest.js';

const [bundle, stage] = process.argv.slice(2);
const ckpt = await readCheckpoint(await resolveCheckpoint(bundle, 'latest'), checkpointSpecs, { optimizer: true });
const m = ckpt.manifest;
const specs = {
  weights: checkpointSpecs.weights(m.network),
  optimizer: checkpointSpecs.optimizer(m.network, m.progress),
};
await saveCheckpoint(
  bundle,
  {
    manifest: buildManifest({ ...m, progress: { ...m.progress, epoch: m.progress.epoch + 1, batch: 0 } }),
    modelTopology: ckpt.modelTopology,
    weights: { specs: specs.weights, arrays: ckpt.weights },
    optimizer: { specs: specs.optimizer, arrays: ckpt.optimizer },
  },
  {
    best: true,
    keep: 1,
    onStage: (s) => {
      if (s === stage) process.kill(process.pid, 'SIGKILL');
    },
  },
);
process.stdout.write('saved without dying\n');
