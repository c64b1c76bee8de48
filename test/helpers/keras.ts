/**
 * The network as a tfjs-layers model, the reference the tests hold lstm's own code to:
 * store/topology.ts writes out the topology tfjs-layers saves for it, and net/lstm.ts
 * computes what it computes.
 */
import * as tf from '@tensorflow/tfjs';
import type { NetConfig } from '../../src/params.js';

/** Builds the equivalent tf.LayersModel (used for the topology, and by tests). */
export function buildLayersModel(cfg: NetConfig): tf.Sequential {
  let model!: tf.Sequential;
  // tfjs-layers leaves temporaries of its initializers behind (8 tensors for 2 layers);
  // tidy frees them and keeps the weights (variables survive tidy).
  tf.tidy(() => {
    model = build(cfg);
  });
  return model;
}

function build(cfg: NetConfig): tf.Sequential {
  const model = tf.sequential({ name: 'lstm' });
  for (let l = 0; l < cfg.layers; l++) {
    model.add(
      tf.layers.lstm({
        name: `lstm_${l + 1}`,
        units: cfg.units,
        returnSequences: true,
        unitForgetBias: true,
        // tfjs-layers defaults to hardSigmoid gates; the network is trained with the sigmoid.
        recurrentActivation: 'sigmoid',
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
        ...(l === 0 ? { inputShape: [null, cfg.vocabSize] } : {}),
      }),
    );
    if (cfg.dropout > 0) model.add(tf.layers.dropout({ name: `dropout_${l + 1}`, rate: cfg.dropout }));
  }
  model.add(
    tf.layers.dense({ name: 'dense', units: cfg.vocabSize, activation: 'softmax', kernelInitializer: 'zeros' }),
  );
  return model;
}

/** The Layers topology tfjs-layers saves for the model. */
export async function savedTopology(cfg: NetConfig): Promise<object> {
  const model = buildLayersModel(cfg);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return artifacts!.modelTopology as object;
}
