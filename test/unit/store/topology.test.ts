/**
 * model.json's topology, written out by store/topology.ts, is byte for byte what tfjs-layers
 * saves for the same model (built by the tests' reference, test/helpers/keras.ts), for any
 * shape: with and without dropout, one layer or several.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/net/backend.js';
import type { NetConfig } from '../../../src/params.js';
import { layersTopology } from '../../../src/store/topology.js';
import { TEST_BACKEND } from '../../helpers/backend.js';
import { savedTopology } from '../../helpers/keras.js';

beforeAll(async () => {
  await initBackend(TEST_BACKEND, 'steps');
});

describe('the Layers topology', () => {
  it.each<NetConfig>([
    { vocabSize: 5, layers: 2, units: 3, dropout: 0.2 },
    { vocabSize: 72, layers: 2, units: 300, dropout: 0.5 },
    { vocabSize: 9, layers: 1, units: 4, dropout: 0 },
    { vocabSize: 7, layers: 3, units: 6, dropout: 0.3 },
  ])('is what tfjs-layers saves for $layers x $units, vocabulary $vocabSize, dropout $dropout', async (cfg) => {
    expect(JSON.stringify(layersTopology(cfg))).toBe(JSON.stringify(await savedTopology(cfg)));
  });
});
