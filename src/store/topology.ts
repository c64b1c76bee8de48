/**
 * model.json's `modelTopology`: the standard TF.js Layers description of the network, so a
 * saved `model.json` + `weights.bin` is an ordinary model that `tf.loadLayersModel` loads in
 * Node or a browser without this tool: LSTM layers (returnSequences) with dropout between,
 * then a softmax Dense applied at every step; input one-hot [batch, time, V].
 *
 * Written out here as the JSON tfjs-layers 4.22 saves for that model (a test builds the model
 * with tfjs-layers and compares), rather than built with tfjs-layers at every save: loading
 * it costs ~150 ms and 27 MB per thread. Its initializers are the cheap zeros: loading runs
 * the initializers a topology names before the weights overwrite them, and the default
 * orthogonal one takes minutes at 300x1200 in JS. Its weights are named and ordered as
 * params.ts's layersWeightSpecs.
 */
import type { NetConfig } from '../params.js';

const zeros = { class_name: 'Zeros', config: {} };
const noRegularisers = { kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null };

function lstmLayer(cfg: NetConfig, l: number): object {
  return {
    class_name: 'LSTM',
    config: {
      name: `lstm_${l + 1}`,
      trainable: true,
      ...(l === 0 ? { batch_input_shape: [null, null, cfg.vocabSize], dtype: 'float32' } : {}),
      units: cfg.units,
      activation: 'tanh',
      // tfjs-layers defaults to hardSigmoid gates; the network is trained with the sigmoid.
      recurrent_activation: 'sigmoid',
      use_bias: true,
      kernel_initializer: zeros,
      recurrent_initializer: zeros,
      bias_initializer: zeros,
      unit_forget_bias: true,
      kernel_regularizer: null,
      recurrent_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
      dropout: 0,
      recurrent_dropout: 0,
      implementation: null,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
    },
  };
}

const dropoutLayer = (rate: number, l: number) => ({
  class_name: 'Dropout',
  config: { rate, noise_shape: null, seed: null, name: `dropout_${l + 1}`, trainable: true },
});

const denseLayer = (cfg: NetConfig) => ({
  class_name: 'Dense',
  config: {
    units: cfg.vocabSize,
    activation: 'softmax',
    use_bias: true,
    kernel_initializer: zeros,
    bias_initializer: zeros,
    ...noRegularisers,
    kernel_constraint: null,
    bias_constraint: null,
    name: 'dense',
    trainable: true,
  },
});

/** The Layers topology of the network `cfg` describes. */
export function layersTopology(cfg: NetConfig): object {
  const layers: object[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    layers.push(lstmLayer(cfg, l));
    if (cfg.dropout > 0) layers.push(dropoutLayer(cfg.dropout, l));
  }
  layers.push(denseLayer(cfg));
  return {
    class_name: 'Sequential',
    config: { name: 'lstm', layers },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}
