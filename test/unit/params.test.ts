/**
 * The parameter layout: specs, gate order, the Keras mapping and the flat form, held
 * together with what tfjs-layers itself produces for the same network.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  byName,
  flatten,
  fromLayersWeights,
  GATE,
  GATES,
  inOrder,
  layersWeightSpecs,
  netConfig,
  optimizerSpecs,
  paramCount,
  paramSpecs,
  remapVocab,
  toLayersWeights,
  unflatten,
  type NetConfig,
  type Params,
} from '../../src/params.js';
import { initBackend } from '../../src/net/backend.js';
import { TEST_BACKEND } from '../helpers/backend.js';
import { randomParams } from '../helpers/net.js';
import { initFromBase, initParams, newCharBias } from '../../src/net/init.js';
import { buildLayersModel } from '../helpers/keras.js';
import { StatefulLstm } from '../../src/net/stateful.js';

const cfg: NetConfig = { vocabSize: 5, layers: 2, units: 3, dropout: 0.2 };

/** Parameters whose every value says where it is: layer, row, column. */
function labelled(c: NetConfig): Params {
  return new Map(
    paramSpecs(c).map((s, k) => [
      s.name,
      Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, (_, i) => k * 1000 + i),
    ]),
  );
}

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'batches');
});

describe('paramSpecs: the training form', () => {
  it.each<[string, NetConfig, [string, number[]][]]>([
    [
      '2 layers',
      cfg,
      [
        ['lstm0/W', [5 + 1 + 3, 12]],
        ['lstm1/W', [3 + 1 + 3, 12]],
        ['dense/W', [3, 5]],
        ['dense/b', [5]],
      ],
    ],
    [
      '1 layer',
      { ...cfg, layers: 1 },
      [
        ['lstm0/W', [9, 12]],
        ['dense/W', [3, 5]],
        ['dense/b', [5]],
      ],
    ],
  ])('%s: one fused [I + 1 + U, 4U] matrix per layer, then the dense layer', (_name, c, expected) => {
    expect(paramSpecs(c).map((s) => [s.name, s.shape])).toEqual(expected);
  });

  it('counts the parameters of the default network (2x300 over 72 characters) as Keras does', () => {
    const c = { vocabSize: 72, layers: 2, units: 300, dropout: 0.2 };
    // Keras: 4U(I + U + 1) per LSTM layer, U*V + V for the dense layer.
    expect(paramCount(c)).toBe(4 * 300 * (72 + 300 + 1) + 4 * 300 * (300 + 300 + 1) + 300 * 72 + 72);
  });

  it('gate order is i, f, c, o and GATE gives each gate its column block', () => {
    expect(GATES).toEqual(['i', 'f', 'c', 'o']);
    expect(GATE).toEqual({ i: 0, f: 1, c: 2, o: 3 });
  });

  it('initParams sets the forget-gate bias block to 1 and the other biases to 0', () => {
    const W = initParams(cfg, 1).get('lstm0/W')!;
    const bias = W.subarray(5 * 12, 6 * 12); // the row after the 5 input rows
    expect(Array.from(bias)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('initParams without the recurrent kernels leaves them at zero and every other parameter bit for bit the same', () => {
    const full = initParams(cfg, 7);
    const partial = initParams(cfg, 7, { recurrent: false });
    expect([...partial.keys()]).toEqual([...full.keys()]);
    for (const [name, values] of full) {
      // The rows before a layer's recurrent block: its input rows and the bias row (5 characters, 3 units).
      const head = name === 'lstm0/W' ? (5 + 1) * 12 : name === 'lstm1/W' ? (3 + 1) * 12 : values.length;
      expect(Array.from(partial.get(name)!.subarray(0, head)), name).toEqual(Array.from(values.subarray(0, head)));
      const recurrent = Array.from(partial.get(name)!.subarray(head));
      expect(
        recurrent.every((x) => x === 0),
        name,
      ).toBe(true);
      if (name.startsWith('lstm')) expect(Array.from(values.subarray(head)).some((x) => x !== 0)).toBe(true);
    }
  });

  it('netConfig reads a manifest network record and drops anything else', () => {
    expect(netConfig({ ...cfg, extra: 1 } as NetConfig)).toEqual(cfg);
  });
});

describe('the Keras mapping', () => {
  it('layersWeightSpecs names and shapes the weights exactly as tfjs-layers does for the same network', () => {
    const model = buildLayersModel(cfg);
    const theirs = model.weights.map((w) => ({ name: w.originalName, shape: w.shape }));
    model.dispose();
    expect(layersWeightSpecs(cfg)).toEqual(theirs);
  });

  it('splits W into kernel (input rows), bias (the next row) and recurrent kernel (the rest)', () => {
    const p = labelled(cfg);
    const k = toLayersWeights(cfg, p);
    const W = p.get('lstm1/W')!; // [3 + 1 + 3, 12]
    expect(Array.from(k.get('lstm_2/kernel')!)).toEqual(Array.from(W.subarray(0, 3 * 12)));
    expect(Array.from(k.get('lstm_2/bias')!)).toEqual(Array.from(W.subarray(3 * 12, 4 * 12)));
    expect(Array.from(k.get('lstm_2/recurrent_kernel')!)).toEqual(Array.from(W.subarray(4 * 12)));
    expect(k.get('dense/kernel')).toBe(p.get('dense/W'));
  });

  it('fromLayersWeights inverts toLayersWeights exactly', () => {
    const p = initParams(cfg, 3);
    const back = fromLayersWeights(cfg, toLayersWeights(cfg, p));
    for (const [name, a] of p) expect(Array.from(back.get(name)!), name).toEqual(Array.from(a));
  });

  it('a missing weight is named', () => {
    const k = toLayersWeights(cfg, labelled(cfg));
    k.delete('lstm_1/bias');
    expect(() => fromLayersWeights(cfg, k)).toThrow('parameter lstm_1/bias is missing');
  });
});

describe('the flat form', () => {
  it('flatten concatenates in spec order and unflatten gives views back', () => {
    const specs = paramSpecs(cfg);
    const p = labelled(cfg);
    const flat = flatten(specs, p);
    expect(flat.length).toBe(paramCount(cfg));
    expect(flat[0]).toBe(0);
    expect(flat[9 * 12]).toBe(1000); // first value of lstm1/W
    const back = unflatten(specs, flat);
    for (const [name, a] of p) expect(Array.from(back.get(name)!), name).toEqual(Array.from(a));
    flat[0] = -1;
    expect(back.get('lstm0/W')![0]).toBe(-1); // a view, not a copy
  });

  it("flatten writes into a given buffer (the workers' shared memory)", () => {
    const into = new Float32Array(paramCount(cfg));
    flatten(paramSpecs(cfg), labelled(cfg), into);
    expect(into[paramCount(cfg) - 1]).toBe(3000 + 4);
  });

  it('refuses arrays that do not fit their specs', () => {
    const specs = paramSpecs(cfg);
    const p = labelled(cfg);
    p.set('dense/b', new Float32Array(4));
    expect(() => flatten(specs, p)).toThrow('dense/b has 4 values, its shape [5] needs 5');
    expect(() => unflatten(specs, new Float32Array(3))).toThrow();
  });

  it('optimizerSpecs: first moments, then second, each named after its parameter', () => {
    expect(optimizerSpecs(cfg).map((s) => s.name)).toEqual([
      'm/lstm0/W',
      'm/lstm1/W',
      'm/dense/W',
      'm/dense/b',
      'v/lstm0/W',
      'v/lstm1/W',
      'v/dense/W',
      'v/dense/b',
    ]);
  });

  it('inOrder and byName convert between a list and named arrays', () => {
    const specs = paramSpecs(cfg);
    const p = labelled(cfg);
    const list = inOrder(specs, p);
    expect(list.map((a) => a[0])).toEqual([0, 1000, 2000, 3000]);
    expect(byName(specs, list)).toEqual(p);
  });

  it('the tfjs model loads our weights in our order (its weight list is layersWeightSpecs)', () => {
    const before = tf.memory().numTensors;
    const model = buildLayersModel(cfg);
    const specs = layersWeightSpecs(cfg);
    const k = toLayersWeights(cfg, initParams(cfg, 5));
    const got = tf.tidy(() => {
      model.setWeights(inOrder(specs, k).map((a, i) => tf.tensor(a, specs[i].shape)));
      return model.getWeights().map((w) => w.dataSync());
    });
    inOrder(specs, k).forEach((a, i) => expect(Array.from(got[i])).toEqual(Array.from(a)));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('remapVocab: a fine-tune moves weights by character', () => {
  const from = { chars: ['a', 'c', 'e'], cfg: { ...cfg, vocabSize: 3 } };
  /** Every value of the base positive and of the fresh parameters negative, each unique: a copied value says where it came from. */
  const baseParams = labelled(from.cfg);
  const freshOf = (V: number) =>
    new Map([...labelled({ ...cfg, vocabSize: V })].map(([k, a]) => [k, a.map((x) => -1 - x)]));
  const G = 4 * cfg.units;
  const U = cfg.units;
  const row = (W: Float32Array, r: number) => Array.from(W.subarray(r * G, (r + 1) * G));
  const column = (W: Float32Array, V: number, v: number) => Array.from({ length: U }, (_, u) => W[u * V + v]);

  it.each<[string, string[]]>([
    ['the same vocabulary', ['a', 'c', 'e']],
    ['new characters between known ones', ['a', 'b', 'c', 'd', 'e']],
    ['a new character first (every known id moves)', ['A', 'a', 'c', 'e']],
    ['a new character last', ['a', 'c', 'e', 'z']],
    ['only new characters around one known', ['0', '1', 'c', 'x', 'y']],
  ])(
    "%s: known rows, columns and biases are the base's bit for bit, new ones the fresh ones, the rest the base's",
    (_name, chars) => {
      const V = chars.length;
      const fresh = freshOf(V);
      const p = remapVocab(from.cfg, { params: baseParams, chars: from.chars }, { chars, fresh });
      expect(paramSpecs({ ...cfg, vocabSize: V }).map((s) => [s.name, s.shape.reduce((a, b) => a * b, 1)])).toEqual(
        [...p].map(([k, a]) => [k, a.length]),
      );
      const bW0 = baseParams.get('lstm0/W')!;
      const W0 = p.get('lstm0/W')!;
      for (const [j, ch] of chars.entries()) {
        const i = from.chars.indexOf(ch);
        const [srcW0, srcDW, srcB, srcV, k] =
          i < 0
            ? [fresh.get('lstm0/W')!, fresh.get('dense/W')!, fresh.get('dense/b')!, V, j]
            : [bW0, baseParams.get('dense/W')!, baseParams.get('dense/b')!, 3, i];
        expect(row(W0, j), `input row of ${ch}`).toEqual(row(srcW0, k));
        expect(column(p.get('dense/W')!, V, j), `output column of ${ch}`).toEqual(column(srcDW, srcV, k));
        expect(p.get('dense/b')![j], `output bias of ${ch}`).toBe(srcB[k]);
      }
      expect(Array.from(W0.subarray(V * G)), 'bias and recurrent rows').toEqual(Array.from(bW0.subarray(3 * G)));
      expect(Array.from(p.get('lstm1/W')!), 'the layer above').toEqual(Array.from(baseParams.get('lstm1/W')!));
    },
  );

  it('refuses a base vocabulary that does not fit its network', () => {
    expect(() =>
      remapVocab(from.cfg, { params: baseParams, chars: ['a'] }, { chars: ['a'], fresh: freshOf(1) }),
    ).toThrow('the base vocabulary has 1 characters, its network 3');
  });
});

describe('initFromBase: the start of a fine-tune', () => {
  const baseCfg: NetConfig = { vocabSize: 6, layers: 2, units: 8, dropout: 0 };
  const baseChars = ['\n', ' ', 'a', 'b', 'c', 'd'];
  const chars = ['\n', ' ', '!', 'A', 'a', 'b', 'c', 'd', 'z'];
  const V = chars.length;
  // Every entry random, biases included: a trained network's are not zero.
  const base = { cfg: baseCfg, params: randomParams(baseCfg, 11), chars: baseChars };

  it("new characters get initParams's rows and columns for this vocabulary and the base's lowest output bias", () => {
    const p = initFromBase(base, chars, 5);
    const fresh = initParams({ ...baseCfg, vocabSize: V }, 5);
    const G = 4 * baseCfg.units;
    const lowest = Math.min(...base.params.get('dense/b')!);
    for (const j of [2, 3, 8]) {
      expect(Array.from(p.get('lstm0/W')!.subarray(j * G, (j + 1) * G))).toEqual(
        Array.from(fresh.get('lstm0/W')!.subarray(j * G, (j + 1) * G)),
      );
      expect(Array.from({ length: 8 }, (_, u) => p.get('dense/W')![u * V + j])).toEqual(
        Array.from({ length: 8 }, (_, u) => fresh.get('dense/W')![u * V + j]),
      );
      expect(p.get('dense/b')![j]).toBe(lowest);
    }
  });

  it.each<[string, number[], number]>([
    ['the lowest bias', [0.3, -0.46, 0.29], Math.fround(-0.46)],
    ['shifts with the biases (softmax ignores a common offset)', [5.3, 4.54, 5.29], Math.fround(4.54)],
    ['one character', [2], 2],
  ])('newCharBias: %s', (_name, biases, expected) => {
    expect(newCharBias(Float32Array.from(biases))).toBe(expected);
  });

  it("for the known characters, the output probabilities at every step equal the base's renormalised, and their logits are bit-identical", () => {
    const before = tf.memory().numTensors;
    const wide = new StatefulLstm({ ...baseCfg, vocabSize: V }, initFromBase(base, chars, 5));
    const narrow = new StatefulLstm(baseCfg, base.params);
    const text = 'abc d\nbad cab\n';
    const known = baseChars.map((c) => chars.indexOf(c)); // base id -> new id
    const softmax = (z: ArrayLike<number>) => {
      const m = Math.max(...Array.from(z));
      const e = Array.from(z, (x) => Math.exp(x - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / s);
    };
    try {
      wide.reset(1);
      narrow.reset(1);
      let newMass = 0;
      // Step 0 is the start (zero state), then one step per character of the text.
      for (let t = 0; t <= text.length; t++) {
        if (t > 0) {
          narrow.feed([baseChars.indexOf(text[t - 1])]);
          wide.feed([chars.indexOf(text[t - 1])]);
        }
        expect(
          known.map((j) => wide.logits[j]),
          `logits at step ${t}`,
        ).toEqual(Array.from(narrow.logits));
        const p = softmax(wide.logits);
        const kept = known.reduce((s, j) => s + p[j], 0);
        const q = softmax(narrow.logits);
        known.forEach((j, i) => expect(p[j] / kept).toBeCloseTo(q[i], 12));
        newMass = Math.max(newMass, 1 - kept);
      }
      expect(newMass).toBeGreaterThan(0);
      expect(newMass).toBeLessThan(0.5); // three new characters at the lowest bias take a share, not the lead
    } finally {
      wide.dispose();
      narrow.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
