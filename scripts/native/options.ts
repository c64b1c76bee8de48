/** The command line of `npm run native` and its help. */
import { resolve } from 'node:path';
import { cacheDir, TF_WHEEL, WHEEL_MB } from './config.js';
import { fail } from './output.js';

export type Options = {
  /** An absolute path to a wheel to use: --wheel, else LSTM_TF_WHEEL; unset: the cache or pip. */
  wheel?: string;
  force: boolean;
  help?: boolean;
};

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const opts: Options = { wheel: env.LSTM_TF_WHEEL || undefined, force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--force') opts.force = true;
    else if (arg === '--wheel') {
      if (!argv[i + 1]) fail('--wheel needs a path to a tensorflow-cpu wheel');
      opts.wheel = argv[++i];
    } else if (arg.startsWith('--wheel=')) opts.wheel = arg.slice('--wheel='.length);
    else fail(`unknown argument '${arg}' (see npm run native -- --help)`);
  }
  if (opts.wheel) opts.wheel = resolve(opts.wheel);
  return opts;
}

export const HELP = `usage: npm run native [-- [--wheel PATH] [--force]]

Builds the optional tensorflow backend (@tensorflow/tfjs-node) against TensorFlow's C library
taken from the ${TF_WHEEL.name}==${TF_WHEEL.version} Python wheel, without tfjs-node's own download.

  --wheel PATH   use this wheel instead of downloading one (same as LSTM_TF_WHEEL=PATH)
  --force        rebuild even if the tensorflow backend already loads

The wheel (~${WHEEL_MB} MB) is downloaded with pip once into ${cacheDir}
(\${XDG_CACHE_HOME:-~/.cache}/lstm). Needs python3, make and a C++ compiler; about 900 MB of
disk under node_modules. Run it again after 'npm ci' or 'npm install', which remove the build.
lstm silences TensorFlow's own start-up messages (LSTM_DEBUG=1 shows them).`;
