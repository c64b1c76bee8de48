/**
 * The bridge to the standard TF.js Layers format, so a saved `model.json` + `weights.bin`
 * is an ordinary model that `tf.loadLayersModel` loads in Node or a browser without this
 * tool: LSTM layers (returnSequences) with dropout between, then a softmax Dense applied
 * at every step. Input is one-hot [batch, time, V].
 *
 * The topology is made once by building the model with cheap initializers: loading runs
 * the initializers named in the topology before the weights overwrite them, and the
 * default orthogonal one takes minutes at 300x1200 in JS.
 */
import * as tf from '@tensorflow/tfjs';
import { inputSize, splitLstmW, joinLstmW, type NetConfig, type Params } from './params.js';

export type WeightSpec = { name: string; shape: number[]; dtype: 'float32' };
export type LayersArtifacts = { modelTopology: object; weightSpecs: WeightSpec[] };

/** Builds the equivalent tf.LayersModel (used for the topology, and by tests). */
export function buildLayersModel(cfg: NetConfig): tf.Sequential {
  const model = tf.sequential({ name: 'lstm' });
  for (let l = 0; l < cfg.layers; l++) {
    model.add(tf.layers.lstm({
      name: `lstm_${l + 1}`,
      units: cfg.units,
      returnSequences: true,
      unitForgetBias: true,
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
      ...(l === 0 ? { inputShape: [null, cfg.vocabSize] } : {}),
    }));
    if (cfg.dropout > 0) model.add(tf.layers.dropout({ name: `dropout_${l + 1}`, rate: cfg.dropout }));
  }
  model.add(tf.layers.dense({ name: 'dense', units: cfg.vocabSize, activation: 'softmax', kernelInitializer: 'zeros' }));
  return model;
}

/** The topology and weight specs of the Layers model for a config (no weights). */
export async function layersArtifacts(cfg: NetConfig): Promise<LayersArtifacts> {
  const model = buildLayersModel(cfg);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return { modelTopology: artifacts!.modelTopology as object, weightSpecs: artifacts!.weightSpecs as WeightSpec[] };
}

/** Our parameters as the Layers model's weights, in its order: per layer kernel, recurrent, bias; dense kernel, bias. */
export function toLayersWeights(cfg: NetConfig, params: Params): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const { kernel, recurrent, bias } = splitLstmW(params.get(`lstm${l}/W`)!, inputSize(cfg, l), cfg.units);
    out.push(kernel, recurrent, bias);
  }
  out.push(params.get('dense/W')!, params.get('dense/b')!);
  return out;
}

/** The inverse of toLayersWeights. */
export function fromLayersWeights(cfg: NetConfig, weights: Float32Array[]): Params {
  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) {
    const [kernel, recurrent, bias] = weights.slice(3 * l, 3 * l + 3);
    params.set(`lstm${l}/W`, joinLstmW(kernel, recurrent, bias));
  }
  params.set('dense/W', weights[3 * cfg.layers]);
  params.set('dense/b', weights[3 * cfg.layers + 1]);
  return params;
}

/** The expected shapes of the Layers weights for a config, in order. */
export function layersWeightShapes(cfg: NetConfig): number[][] {
  const shapes: number[][] = [];
  const G = 4 * cfg.units;
  for (let l = 0; l < cfg.layers; l++) shapes.push([inputSize(cfg, l), G], [cfg.units, G], [G]);
  shapes.push([cfg.units, cfg.vocabSize], [cfg.vocabSize]);
  return shapes;
}
