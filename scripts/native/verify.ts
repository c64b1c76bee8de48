/**
 * Step 7: load tfjs-node in a child process and run one matMul (a broken addon may crash or
 * hang; this process must not), then show lstm itself loading it with `lstm backends`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { depsDir, root } from './config.js';
import { sizeOf } from './files.js';
import { fail, mb, say, seconds } from './output.js';
import { gist, run } from './process.js';

/** Variables that silence TensorFlow's start-up lines on stderr in the probe (lstm sets them itself). */
const QUIET_TF = { TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '0' };
const PROBE_TIMEOUT_MS = 120_000;

const PROBE = String.raw`
const { createRequire } = require('module');
const req = createRequire(require('path').join(process.env.LSTM_NATIVE_ROOT, 'package.json'));
const tf = req('@tensorflow/tfjs-node');
const a = tf.tensor2d([[1, 2], [3, 4]]);
const v = tf.matMul(a, a).dataSync();
const backend = tf.backend();
process.stdout.write(JSON.stringify({
  backend: tf.getBackend(),
  tensorflow: backend.binding && backend.binding.TF_Version,
  tfjsNode: tf.version['tfjs-node'],
  ok: v[0] === 7 && v[1] === 10 && v[2] === 15 && v[3] === 22,
}) + '\n');
`;

export type Loaded = { ok: true; backend: string; tensorflow: string; tfjsNode: string };
/** `broken`: the addon crashed or hung the child, so it must go before anything else runs. */
export type NotLoaded = { ok: false; broken?: boolean; reason: string };

/** Whether tfjs-node loads and computes, judged in a child process. */
export function probe(): Loaded | NotLoaded {
  const env = { ...process.env, ...QUIET_TF, LSTM_NATIVE_ROOT: root };
  const result = run(process.execPath, ['-e', PROBE], { env, timeout: PROBE_TIMEOUT_MS });
  if (result.timedOut)
    return { ok: false, broken: true, reason: `loading it did not finish in ${PROBE_TIMEOUT_MS / 1000} s` };
  if (result.signal) return { ok: false, broken: true, reason: `loading it killed the process (${result.signal})` };
  if (!result.ok) return { ok: false, reason: gist(result.stderr, /Error/) };
  try {
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Omit<Loaded, 'ok'> & { ok: boolean };
    if (out.backend !== 'tensorflow' || !out.ok)
      return { ok: false, reason: `unexpected result ${JSON.stringify(out)}` };
    return { ...out, ok: true };
  } catch {
    return { ok: false, reason: `unexpected output: ${gist(result.stdout)}` };
  }
}

/** The closing lines: what loads, then `lstm backends` (when lstm is built), which must list tensorflow. */
export function report(loaded: Loaded, action: string, started: number): void {
  say(
    `${action}: the tensorflow backend loads — TensorFlow ${loaded.tensorflow} (C library), ` +
      `tfjs-node ${loaded.tfjsNode}; deps ${mb(sizeOf(depsDir))}; ${seconds(Date.now() - started)} in all`,
  );
  // The proof a user sees: lstm itself loading it (when lstm is built).
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    say("run 'npm run build', then 'lstm backends' shows it");
    return;
  }
  say('lstm backends:');
  const r = spawnSync(process.execPath, [join(root, 'bin', 'lstm.js'), 'backends'], { encoding: 'utf8' });
  process.stdout.write(r.stdout.replace(/^/gm, '  '));
  if (r.status !== 0 || !/^tensorflow +yes/m.test(r.stdout))
    fail(`lstm backends does not list tensorflow as loading: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
}
