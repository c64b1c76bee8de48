#!/usr/bin/env node
/**
 * `npm run native`: makes the optional `tensorflow` backend (@tensorflow/tfjs-node) work on a
 * machine where tfjs-node's own install script cannot download libtensorflow.
 *
 * TensorFlow's C library comes from the `tensorflow-cpu` Python wheel instead (its
 * `tensorflow/libtensorflow_cc.so.2` exports the whole C API tfjs-node's binding calls and
 * needs no Python at run time). Steps, each skipped when already done:
 *
 *   1. If the addon is already built and loads, stop (a second run takes a second or two).
 *   2. Check the tools: python3 (extraction, node-gyp), make, a C++ compiler, node-gyp (tools.ts).
 *   3. Find the wheel: --wheel PATH, else $LSTM_TF_WHEEL, else the per-user cache
 *      (${XDG_CACHE_HOME:-~/.cache}/lstm/), else `pip download` it into that cache (wheel.ts).
 *   4. If npm removed tfjs-node (its failed install script makes npm drop the optional
 *      dependency), install its files with `npm install --no-save --ignore-scripts`
 *      at the version in package-lock.json; package.json and package-lock.json stay as they were (tfjs-node.ts).
 *   5. Extract the two shared libraries into tfjs-node's deps/lib (plus the symlinks its
 *      build and install script look for) and the few C API headers its binding includes
 *      into deps/include, after checking there is room (unpack.ts, python.ts).
 *   6. Build the N-API addon with node-gyp (no network; the addon finds deps/lib by rpath) (build.ts).
 *   7. Load it in a child process and print the TensorFlow version, then run `lstm backends` (verify.ts).
 *
 * If a step fails it prints one line and exits 1 (130 when interrupted); the wasm and cpu
 * backends are untouched, and tfjs-node is left either working or without an addon (its
 * import then fails cleanly).
 *
 * Compiled by `npm run build` to dist/scripts/native/; no dependencies beyond Node.
 * Linux x86-64 only (the wheel's platform).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, findNodeGyp } from './build.js';
import { depsDir, tfjsNodeDir } from './config.js';
import { HELP, type Options, parseArgs } from './options.js';
import { Failure, fail, say } from './output.js';
import { cleanUpOnExit, Interrupted } from './process.js';
import { addonLayout, ensureTfjsNodePackage, removeAddon } from './tfjs-node.js';
import { checkBuildTools, findPython } from './tools.js';
import { checkRoom, extract, INSTALL_MARKER, reusableDeps, reuseDeps } from './unpack.js';
import { probe, report } from './verify.js';
import { wheelSource } from './wheel.js';

const started = Date.now();

/** Step 1: true when an earlier build loads (and has been reported); removes it when it crashed its probe. */
function alreadyWorks(opts: Options): boolean {
  const layout = addonLayout();
  if (opts.force || !existsSync(layout.addon) || !existsSync(join(depsDir, 'lib', INSTALL_MARKER))) return false;
  const loaded = probe();
  if (loaded.ok) {
    report(loaded, 'nothing to do', started);
    return true;
  }
  say(`the existing build does not load (${loaded.reason}); rebuilding`);
  if (loaded.broken) removeAddon(layout);
  return false;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(HELP);
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `npm run native supports Linux x86-64 only (this is ${process.platform}-${process.arch}); tfjs-node's own install may work here`,
    );
  }
  if (opts.wheel && !existsSync(opts.wheel)) fail(`wheel not found: ${opts.wheel}`);

  const present = existsSync(join(tfjsNodeDir, 'binding.gyp'));
  if (present && alreadyWorks(opts)) return;

  // Everything that can be checked before the slow steps.
  const pythonCmd = findPython();
  checkBuildTools();
  findNodeGyp();
  const getWheel = wheelSource(opts.wheel, pythonCmd);

  const reuse = present && !opts.force ? reusableDeps(opts.wheel) : undefined;
  // Wheel and disk first: if either fails, node_modules is left as it was.
  const contents = reuse ? undefined : checkRoom(pythonCmd, getWheel());
  ensureTfjsNodePackage();
  const layout = addonLayout();
  if (reuse) reuseDeps(reuse, layout);
  else if (contents) extract(pythonCmd, getWheel(), layout, contents);
  build(pythonCmd, layout, getWheel);

  const loaded = probe();
  if (!loaded.ok) {
    removeAddon(layout);
    fail(`the built addon does not load: ${loaded.reason}; removed it (wasm and cpu still work)`);
  }
  report(loaded, 'done', started);
}

const finish = cleanUpOnExit();
try {
  main();
} catch (err) {
  if (err instanceof Interrupted) {
    console.error("native: interrupted; run 'npm run native' again to finish (node_modules is left usable)");
    process.exitCode = 130;
  } else if (err instanceof Failure) {
    console.error(`native: error: ${err.message}`);
  } else {
    console.error(`native: unexpected error: ${(err as { message?: unknown } | null | undefined)?.message ?? err}`);
  }
  process.exitCode ||= 1;
} finally {
  finish();
}
