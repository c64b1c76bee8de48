/**
 * The backend the test suite runs on: wasm by default; `LSTM_TEST_BACKEND=tensorflow`
 * runs the same tests on tfjs-node (CI does both). Module tests initialise it; CLI tests
 * pass it to every `lstm` process (helpers/cli.ts).
 */
import { isBackendName, type BackendName } from '../../src/net/backend.js';

const chosen = process.env.LSTM_TEST_BACKEND ?? 'wasm';
if (!isBackendName(chosen)) throw new Error(`LSTM_TEST_BACKEND must be tensorflow, wasm or cpu, got '${chosen}'`);

export const TEST_BACKEND: BackendName = chosen;
