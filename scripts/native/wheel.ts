/**
 * Step 3: find the tensorflow-cpu wheel: --wheel PATH, else $LSTM_TF_WHEEL, else the
 * per-user cache, else `pip download` it into that cache.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, TF_WHEEL, WHEEL_MB } from './config.js';
import { freeBytes } from './files.js';
import { fail, mb, say, seconds } from './output.js';
import { gist, run, temporaries } from './process.js';

/**
 * The wheel's path, looked for only when a step first needs it (a rebuild that reuses the
 * unpacked libraries may never need it); `given` is --wheel or LSTM_TF_WHEEL, already resolved.
 */
export function wheelSource(given: string | undefined, python: string): () => string {
  let wheel: string | undefined;
  return () => {
    if (wheel) return wheel;
    wheel = given;
    if (wheel) say(`using wheel ${wheel}`);
    else {
      wheel = findCachedWheel();
      if (wheel) say(`using cached wheel ${wheel}`);
      else wheel = downloadWheel(python);
    }
    return wheel;
  };
}

function findCachedWheel(): string | undefined {
  if (!existsSync(cacheDir)) return undefined;
  const prefix = `${TF_WHEEL.file}-${TF_WHEEL.version}-`;
  const name = readdirSync(cacheDir).find((n) => n.startsWith(prefix) && n.endsWith('.whl'));
  return name && join(cacheDir, name);
}

/** pip as a command and its leading arguments: `python -m pip`, else pip3, else pip. */
function findPip(python: string): [string, string[]] {
  const candidates: [string, string[]][] = [
    [python, ['-m', 'pip']],
    ['pip3', []],
    ['pip', []],
  ];
  for (const [command, prefix] of candidates) {
    if (run(command, [...prefix, '--version']).ok) return [command, prefix];
  }
  fail(
    `pip not found (tried ${python} -m pip, pip3, pip); install pip, or download ${TF_WHEEL.name}==${TF_WHEEL.version} ` +
      'elsewhere and pass --wheel PATH (or LSTM_TF_WHEEL=PATH)',
  );
}

/** pip's temporary copy lands in tmpdir() before it is moved to --dest: room for it in both places. */
function checkDownloadRoom(): void {
  const need = (WHEEL_MB + 50) * 1e6;
  const sameDevice = statSync(cacheDir).dev === statSync(tmpdir()).dev;
  if (freeBytes(cacheDir) < (sameDevice ? 2 : 1) * need) {
    fail(
      `not enough disk to download the wheel: ${mb(freeBytes(cacheDir))} free in ${cacheDir}, need ${mb((sameDevice ? 2 : 1) * need)}`,
    );
  }
  if (!sameDevice && freeBytes(tmpdir()) < need) {
    fail(`not enough disk in ${tmpdir()} for pip's download: ${mb(freeBytes(tmpdir()))} free, need ${mb(need)}`);
  }
}

/** Downloads into a staging directory and moves the wheel into the cache, so the cache never holds a partial one. */
function downloadWheel(python: string): string {
  const [pip, prefix] = findPip(python);
  mkdirSync(cacheDir, { recursive: true });
  checkDownloadRoom();
  const staging = join(cacheDir, `.download-${process.pid}`);
  temporaries.add(staging);
  say(`downloading ${TF_WHEEL.name}==${TF_WHEEL.version} (~${WHEEL_MB} MB) with pip into ${cacheDir} ...`);
  const t0 = Date.now();
  // The library inside does not depend on Python, so ask for the cp311 manylinux wheel
  // whatever Python pip runs on.
  const args = [
    ...prefix,
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--no-cache-dir',
    '--disable-pip-version-check',
    '--python-version=3.11',
    '--implementation=cp',
    '--abi=cp311',
    '--platform=manylinux_2_27_x86_64',
    '--dest',
    staging,
    `${TF_WHEEL.name}==${TF_WHEEL.version}`,
  ];
  const result = run(pip, args, { inherit: process.stdout.isTTY });
  if (result.missing) fail(`pip not found (${pip})`);
  const name = existsSync(staging) ? readdirSync(staging).find((n) => n.endsWith('.whl')) : undefined;
  if (!result.ok || !name) {
    fail(
      `pip could not download ${TF_WHEEL.name}==${TF_WHEEL.version}: ${gist(result.stderr, /^ERROR/)} ` +
        '(or pass an already downloaded wheel with --wheel PATH / LSTM_TF_WHEEL)',
    );
  }
  const wheel = join(cacheDir, name);
  renameSync(join(staging, name), wheel);
  rmSync(staging, { recursive: true, force: true });
  temporaries.delete(staging);
  say(`downloaded ${name} (${mb(statSync(wheel).size)}) in ${seconds(Date.now() - t0)}`);
  return wheel;
}
