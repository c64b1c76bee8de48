/**
 * The parameter layout: the one description of the network's parameters that net/,
 * store/, train/ and cli/ share. Pure TypeScript, no TensorFlow, so every layer may import
 * it (it imports nothing but types).
 *
 * Training form (`paramSpecs`), what the fused LSTM, Adam, worker threads and
 * `optimizer.bin` use: per LSTM layer l ONE matrix `lstm{l}/W` of shape [I + 1 + U, 4U],
 * the Keras kernel [I, 4U], then the bias as one row, then the recurrent kernel [U, 4U],
 * stacked. A step is then a single matmul of [x_t, 1, h_{t-1}] with W, and the weight
 * gradient, bias included, one large matmul after the backward loop. Then `dense/W`
 * [U, V] and `dense/b` [V].
 *
 * Layers form (`layersWeightSpecs`), what `weights.bin` holds and `tf.loadLayersModel`
 * reads: per layer `lstm_{l+1}/kernel`, `/recurrent_kernel`, `/bias`, then `dense/kernel`,
 * `dense/bias`. Both forms use the Keras gate order (`GATES`) in the 4U columns.
 *
 * Flat form: arrays concatenated in spec order, float32. It is the byte layout of
 * `weights.bin` and `optimizer.bin` and of the shared buffer worker threads read.
 *
 * Legend: I layer input width (V for the first layer, U above), U units, V vocabulary.
 */

/** The network a bundle describes; everything else about a model is training history. */
export type NetConfig = {
  vocabSize: number;
  layers: number;
  units: number;
  dropout: number;
  /** Training only (net/dropout.ts): one dropout mask per sequence for all its steps, instead of one per step. */
  variationalDropout?: boolean;
  /** Training only (net/dropout.ts): DropConnect on the recurrent weights, this rate (0 or absent: off). */
  weightDrop?: number;
};

export type ArraySpec = { name: string; shape: number[] };
/** Named float32 arrays: parameters, gradients, optimizer moments, Layers weights. */
export type Named = Map<string, Float32Array>;
/** The training parameters, named and shaped by `paramSpecs`. */
export type Params = Named;

/**
 * Gate order in the 4U columns of every LSTM matrix: input, forget, cell candidate,
 * output (Keras's and TensorFlow's BlockLSTMV2's order). Column block k holds GATES[k].
 */
export const GATES = ['i', 'f', 'c', 'o'] as const;
/** Column block of each gate: W[:, k*U : (k+1)*U] belongs to the gate with GATE[gate] === k. */
export const GATE = Object.fromEntries(GATES.map((g, k) => [g, k])) as Record<(typeof GATES)[number], number>;

/** The NetConfig of a bundle's `network` record (lstm.json). */
export function netConfig(network: { vocabSize: number; layers: number; units: number; dropout: number }): NetConfig {
  return { vocabSize: network.vocabSize, layers: network.layers, units: network.units, dropout: network.dropout };
}

/** Input width of LSTM layer l: the one-hot vocabulary for the first, units above it. */
export const inputSize = (cfg: NetConfig, l: number) => (l === 0 ? cfg.vocabSize : cfg.units);

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The training parameters, in the order every array list and flat buffer uses. */
export function paramSpecs(cfg: NetConfig): ArraySpec[] {
  const specs: ArraySpec[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    specs.push({ name: `lstm${l}/W`, shape: [inputSize(cfg, l) + 1 + cfg.units, 4 * cfg.units] });
  }
  specs.push({ name: 'dense/W', shape: [cfg.units, cfg.vocabSize] });
  specs.push({ name: 'dense/b', shape: [cfg.vocabSize] });
  return specs;
}

export const paramCount = (cfg: NetConfig) => paramSpecs(cfg).reduce((n, s) => n + sizeOf(s.shape), 0);

/** Adam's state in `optimizer.bin`: the first moments, then the second, each in paramSpecs order. */
export function optimizerSpecs(cfg: NetConfig, averaged = false): ArraySpec[] {
  const specs = paramSpecs(cfg);
  return [
    ...specs.map((s) => ({ name: `m/${s.name}`, shape: s.shape })),
    ...specs.map((s) => ({ name: `v/${s.name}`, shape: s.shape })),
    // With a weight average (--ema) the model is the average: the weights training goes on from are kept here.
    ...(averaged ? specs.map((s) => ({ name: `w/${s.name}`, shape: s.shape })) : []),
  ];
}

/** The TF.js Layers model's weights in file order (names as tfjs-layers gives them). */
export function layersWeightSpecs(cfg: NetConfig): ArraySpec[] {
  const G = 4 * cfg.units;
  const specs: ArraySpec[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const layer = `lstm_${l + 1}`;
    specs.push(
      { name: `${layer}/kernel`, shape: [inputSize(cfg, l), G] },
      { name: `${layer}/recurrent_kernel`, shape: [cfg.units, G] },
      { name: `${layer}/bias`, shape: [G] },
    );
  }
  specs.push(
    { name: 'dense/kernel', shape: [cfg.units, cfg.vocabSize] },
    { name: 'dense/bias', shape: [cfg.vocabSize] },
  );
  return specs;
}

/**
 * The recurrent state of one layer for each row of a batch: h and c, each [B, U] (host).
 * Stateful training carries it from one window into the next (truncated backpropagation
 * through time: the gradient stops at the window's edge); absent means zeros.
 */
export type LayerState = { h: Float32Array; c: Float32Array };

/**
 * The LSTM state a stateful run carries across batches, saved after Adam's moments in
 * `optimizer.bin` by a checkpoint taken inside an epoch (`streams` rows), so a resume
 * continues the epoch exactly: `state/lstm{l}/h` then `/c` [streams, U] per layer.
 */
export function carriedStateSpecs(cfg: NetConfig, streams: number): ArraySpec[] {
  if (streams <= 0) return [];
  const specs: ArraySpec[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    specs.push(
      { name: `state/lstm${l}/h`, shape: [streams, cfg.units] },
      { name: `state/lstm${l}/c`, shape: [streams, cfg.units] },
    );
  }
  return specs;
}

/** Rows [from, to) of a carried state (copies); undefined (zeros) stays undefined. */
export function stateRows(
  state: readonly LayerState[] | undefined,
  from: number,
  to: number,
  units: number,
): LayerState[] | undefined {
  return state?.map((s) => ({ h: s.h.slice(from * units, to * units), c: s.c.slice(from * units, to * units) }));
}

/** The carried state as named arrays (carriedStateSpecs), and back. */
export function namedState(state: readonly LayerState[]): Named {
  const named: Named = new Map();
  state.forEach((s, l) => named.set(`state/lstm${l}/h`, s.h).set(`state/lstm${l}/c`, s.c));
  return named;
}
export function stateFromNamed(cfg: NetConfig, named: Named): LayerState[] {
  return Array.from({ length: cfg.layers }, (_, l) => ({
    h: need(named, `state/lstm${l}/h`),
    c: need(named, `state/lstm${l}/c`),
  }));
}

/** What a checkpoint's array files hold: the specs store/ checks files against. */
export const checkpointSpecs = {
  weights: (network: NetConfig) => layersWeightSpecs(netConfig(network)),
  /**
   * Adam's moments (and a weight average's training weights, `hyper.ema`), then the carried
   * LSTM state when the checkpoint saved some (`progress.streams`).
   */
  optimizer: (network: NetConfig, progress: { streams?: number }, hyper?: { ema?: number }) => [
    ...optimizerSpecs(netConfig(network), Boolean(hyper?.ema)),
    ...carriedStateSpecs(netConfig(network), progress.streams ?? 0),
  ],
};

/** Training parameters as Layers weights: W split into kernel, bias row and recurrent kernel. */
export function toLayersWeights(cfg: NetConfig, params: Params): Named {
  const out: Named = new Map();
  const G = 4 * cfg.units;
  for (let l = 0; l < cfg.layers; l++) {
    const W = need(params, `lstm${l}/W`);
    const I = inputSize(cfg, l);
    out.set(`lstm_${l + 1}/kernel`, W.slice(0, I * G));
    out.set(`lstm_${l + 1}/recurrent_kernel`, W.slice((I + 1) * G));
    out.set(`lstm_${l + 1}/bias`, W.slice(I * G, (I + 1) * G));
  }
  out.set('dense/kernel', need(params, 'dense/W'));
  out.set('dense/bias', need(params, 'dense/b'));
  return out;
}

/** The inverse of toLayersWeights. */
export function fromLayersWeights(cfg: NetConfig, weights: Named): Params {
  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) {
    const kernel = need(weights, `lstm_${l + 1}/kernel`);
    const bias = need(weights, `lstm_${l + 1}/bias`);
    const recurrent = need(weights, `lstm_${l + 1}/recurrent_kernel`);
    const W = new Float32Array(kernel.length + bias.length + recurrent.length);
    W.set(kernel, 0);
    W.set(bias, kernel.length);
    W.set(recurrent, kernel.length + bias.length);
    params.set(`lstm${l}/W`, W);
  }
  params.set('dense/W', need(weights, 'dense/kernel'));
  params.set('dense/b', need(weights, 'dense/bias'));
  return params;
}

/**
 * Training parameters moved to another vocabulary, by character: what a fine-tune starts
 * from. The vocabulary appears in exactly three places: layer 0's input rows (one kernel row
 * per character, `lstm0/W` rows [0, V)), the dense kernel's columns (`dense/W` [U, V]) and the
 * dense bias (`dense/b` [V]). For every character of `to` that `from` knows, those are
 * copied from `from` bit for bit, wherever the character's id now is; for every other
 * character they come from `fresh` (parameters of the new shape, at that character's id).
 * Everything else (layer 0's bias and recurrent rows, the layers above) is `from`'s.
 *
 * So for the known characters the network computes exactly what `from` did: the same
 * states for the same input, the same logits; new characters only add logits, which leaves
 * the known characters' probabilities in the same ratios (softmax).
 */
export function remapVocab(
  cfg: NetConfig,
  from: { params: Params; chars: readonly string[] },
  to: { chars: readonly string[]; fresh: Params },
): Params {
  const U = cfg.units;
  const G = 4 * U;
  const Vf = from.chars.length;
  const Vt = to.chars.length;
  if (Vf !== cfg.vocabSize) throw new Error(`the base vocabulary has ${Vf} characters, its network ${cfg.vocabSize}`);
  const known = new Map(from.chars.map((c, i) => [c, i]));
  const W0f = need(from.params, 'lstm0/W'); // [Vf + 1 + U, 4U]
  const W0n = need(to.fresh, 'lstm0/W'); // [Vt + 1 + U, 4U]
  const dWf = need(from.params, 'dense/W'); // [U, Vf]
  const dWn = need(to.fresh, 'dense/W'); // [U, Vt]
  const dbf = need(from.params, 'dense/b'); // [Vf]
  const dbn = need(to.fresh, 'dense/b'); // [Vt]
  if (W0n.length !== (Vt + 1 + U) * G || dWn.length !== U * Vt || dbn.length !== Vt) {
    throw new Error(`the fresh parameters are not shaped for ${Vt} characters and ${U} units`);
  }

  const W0 = new Float32Array((Vt + 1 + U) * G);
  const dW = new Float32Array(U * Vt);
  const db = new Float32Array(Vt);
  for (const [j, ch] of to.chars.entries()) {
    const i = known.get(ch);
    if (i === undefined) {
      W0.set(W0n.subarray(j * G, (j + 1) * G), j * G);
      for (let u = 0; u < U; u++) dW[u * Vt + j] = dWn[u * Vt + j];
      db[j] = dbn[j];
    } else {
      W0.set(W0f.subarray(i * G, (i + 1) * G), j * G);
      for (let u = 0; u < U; u++) dW[u * Vt + j] = dWf[u * Vf + i];
      db[j] = dbf[i];
    }
  }
  W0.set(W0f.subarray(Vf * G), Vt * G); // the bias row and the recurrent rows, [1 + U, 4U]

  const params: Params = new Map();
  for (let l = 0; l < cfg.layers; l++) params.set(`lstm${l}/W`, l === 0 ? W0 : need(from.params, `lstm${l}/W`).slice());
  params.set('dense/W', dW);
  params.set('dense/b', db);
  return params;
}

/** The flat form: named arrays concatenated in spec order. Sizes must match the specs. */
export function flatten(specs: readonly ArraySpec[], arrays: Named, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(specs.reduce((n, s) => n + sizeOf(s.shape), 0));
  let at = 0;
  for (const s of specs) {
    const a = need(arrays, s.name);
    if (a.length !== sizeOf(s.shape))
      throw new Error(`${s.name} has ${a.length} values, its shape [${s.shape}] needs ${sizeOf(s.shape)}`);
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** The inverse of flatten: views (not copies) on `flat`, named by the specs. */
export function unflatten(specs: readonly ArraySpec[], flat: Float32Array): Named {
  const out: Named = new Map();
  let at = 0;
  for (const s of specs) {
    const n = sizeOf(s.shape);
    out.set(s.name, flat.subarray(at, at + n));
    at += n;
  }
  if (at !== flat.length) throw new Error(`the specs hold ${at} values, the flat array ${flat.length}`);
  return out;
}

/** Named arrays in spec order, as a list (what tensor code indexes). */
export const inOrder = (specs: readonly ArraySpec[], arrays: Named) => specs.map((s) => need(arrays, s.name));

/** Named arrays from a list in spec order. */
export const byName = (specs: readonly ArraySpec[], list: readonly Float32Array[]): Named =>
  new Map(specs.map((s, i) => [s.name, list[i]]));

function need(arrays: Named, name: string): Float32Array {
  const a = arrays.get(name);
  if (!a) throw new Error(`parameter ${name} is missing`);
  return a;
}
