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
 *   2. Check the tools: python3 (extraction, node-gyp), make, a C++ compiler, node-gyp.
 *   3. Find the wheel: --wheel PATH, else $LSTM_TF_WHEEL, else the per-user cache
 *      (${XDG_CACHE_HOME:-~/.cache}/lstm/), else `pip download` it into that cache.
 *   4. If npm removed tfjs-node (its failed install script makes npm drop the optional
 *      dependency), install its files with `npm install --no-save --ignore-scripts`
 *      at the version in package-lock.json; package.json and package-lock.json stay as they were.
 *   5. Extract the two shared libraries into tfjs-node's deps/lib (plus the symlinks its
 *      build and install script look for) and the few C API headers its binding includes
 *      into deps/include, after checking there is room.
 *   6. Build the N-API addon with node-gyp (no network; the addon finds deps/lib by rpath).
 *   7. Load it in a child process and print the TensorFlow version.
 *
 * If a step fails it prints one line and exits 1; the wasm and cpu backends are untouched,
 * and tfjs-node is left either working or without an addon (its import then fails cleanly).
 *
 * Plain Node ESM, no dependencies. Linux x86-64 only (the wheel's platform).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TF_WHEEL = { name: 'tensorflow-cpu', version: '2.21.0', file: 'tensorflow_cpu' };
const WHEEL_MB = 274;
/** The name tfjs-node's scripts/install.js checks before it would download libtensorflow. */
const INSTALL_MARKER = 'libtensorflow.so.2.9.1';
const LIB_LINKS = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow.so.2': 'libtensorflow_cc.so.2',
  [INSTALL_MARKER]: 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
};
/** Variables that silence TensorFlow's start-up lines on stderr in the probe (lstm sets them itself). */
const QUIET_TF = { TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '0' };
const PROBE_TIMEOUT_MS = 120_000;
/** Written into deps/ after a complete extraction: which wheel, and the library sizes. */
const STAMP = '.lstm-native.json';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tfjsNodeDir = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lstm');
const buildLog = join(cacheDir, 'native-build.log');
const started = Date.now();

class Failure extends Error {}
const fail = (message) => {
  throw new Failure(message);
};
const say = (message) => console.log(`native: ${message}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;

// Temporary paths removed on any exit, including Ctrl-C.
// The steps run synchronously, so a signal sent to this process alone is handled only when
// they end; Ctrl-C reaches the child processes too, and `run` reports their interruption.
const temporaries = new Set();
let finished = false;
process.on('exit', () => {
  for (const path of temporaries) rmSync(path, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (finished) return;
    console.error(`native: interrupted (${signal}); run 'npm run native' again to finish`);
    process.exit(130);
  });
}
class Interrupted extends Error {}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { wheel: process.env.LSTM_TF_WHEEL || undefined, force: false };
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

const HELP = `usage: npm run native [-- [--wheel PATH] [--force]]

Builds the optional tensorflow backend (@tensorflow/tfjs-node) against TensorFlow's C library
taken from the ${TF_WHEEL.name}==${TF_WHEEL.version} Python wheel, without tfjs-node's own download.

  --wheel PATH   use this wheel instead of downloading one (same as LSTM_TF_WHEEL=PATH)
  --force        rebuild even if the tensorflow backend already loads

The wheel (~${WHEEL_MB} MB) is downloaded with pip once into ${cacheDir}
(\${XDG_CACHE_HOME:-~/.cache}/lstm). Needs python3, make and a C++ compiler; about 900 MB of
disk under node_modules. Run it again after 'npm ci' or 'npm install', which remove the build.
lstm silences TensorFlow's own start-up messages (LSTM_DEBUG=1 shows them).`;

// ---------------------------------------------------------------- processes

/** Runs a command; never throws. Output is captured unless `inherit` is set. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.inherit ? ['ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    timeout: options.timeout,
    killSignal: 'SIGKILL',
  });
  const interrupted =
    ['SIGINT', 'SIGTERM', 'SIGHUP'].includes(result.signal) ||
    (result.status !== 0 && /^KeyboardInterrupt\s*$/m.test(result.stderr ?? ''));
  if (interrupted && !result.error)
    throw new Interrupted(`interrupted (${command} ${result.signal ?? 'KeyboardInterrupt'})`);
  return {
    ok: !result.error && result.status === 0,
    status: result.status,
    signal: result.signal,
    missing: result.error?.code === 'ENOENT',
    timedOut: result.error?.code === 'ETIMEDOUT',
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
}

/** The most telling line of a failed command's output, for a one-line error. */
function gist(text, pattern = /\b(error|ERR!|fatal)\b/i) {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/Unknown (user|env|project) config/.test(line));
  const hit = lines.find((line) => pattern.test(line));
  return (hit ?? lines.at(-1) ?? 'no output').replace(/\s+/g, ' ').slice(0, 300);
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// ---------------------------------------------------------------- python helper

/**
 * Wheel work in Python (zipfile streams the 788 MB member without holding it in memory).
 * `inspect`: member sizes and the wheel's version. `extract`: the libraries, symlinks and
 * headers into a fresh directory. Headers: the #include closure of the binding's own
 * includes (14 files, ~150 kB for TF 2.21), or with `full` the whole tensorflow/, tsl/ and
 * xla/ trees (~100 MB).
 */
const PY_HELPER = String.raw`
import json, os, re, shutil, sys, zipfile
req = json.loads(sys.argv[1])
LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2']
INC = 'tensorflow/include/'
try:
    z = zipfile.ZipFile(req['wheel'])
except (OSError, zipfile.BadZipFile) as e:
    print(json.dumps({'error': 'not a readable wheel (zip): %s' % e})); sys.exit(0)
info = {i.filename: i for i in z.infolist()}
missing = [m for m in LIBS if m not in info]
if missing:
    print(json.dumps({'error': 'the wheel has no ' + ', '.join(missing)})); sys.exit(0)
def headers(full):
    if full:
        return [n[len(INC):] for n in info if n.startswith(tuple(INC + d + '/' for d in ('tensorflow', 'tsl', 'xla'))) and not n.endswith('/')]
    rx = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
    seen, stack = set(), list(req.get('roots', []))
    while stack:
        h = os.path.normpath(stack.pop())
        if h in seen or INC + h not in info:
            continue
        seen.add(h)
        for inc in rx.findall(z.read(INC + h)):
            inc = inc.decode()
            local = os.path.normpath(os.path.join(os.path.dirname(h), inc))
            stack.append(local if INC + local in info else inc)
    return sorted(seen)
if req['mode'] == 'inspect':
    version = None
    for n in info:
        if n.endswith('.dist-info/METADATA'):
            for line in z.read(n).decode('utf-8', 'replace').splitlines():
                if line.startswith('Version:'):
                    version = line.split(':', 1)[1].strip(); break
    hs = headers(False)
    need = sum(info[m].file_size for m in LIBS) + sum(info[INC + h].file_size for h in hs)
    print(json.dumps({'version': version, 'bytes': need, 'headers': len(hs)})); sys.exit(0)
dest = req['dest']
lib = os.path.join(dest, 'lib'); os.makedirs(lib, exist_ok=True)
total = 0
def put(member, target):
    global total
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(info[member]) as src, open(target, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    total += info[member].file_size
if req.get('libs', True):
    for m in LIBS:
        put(m, os.path.join(lib, os.path.basename(m)))
    for name, target in req['links'].items():
        os.symlink(target, os.path.join(lib, name))
hs = headers(req.get('full', False))
for h in hs:
    put(INC + h, os.path.join(dest, 'include', h))
print(json.dumps({'bytes': total, 'headers': len(hs), 'libs': {os.path.basename(m): info[m].file_size for m in LIBS}}))
`;

function python(python, request) {
  const result = run(python, ['-c', PY_HELPER, JSON.stringify(request)]);
  if (!result.ok) {
    const last = gist(result.stderr, /(?!)/); // a traceback's last line names the error
    fail(`python failed while ${request.mode === 'extract' ? 'unpacking' : 'reading'} the wheel: ${last}`);
  }
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
  if (out.error) fail(`${request.wheel}: ${out.error}`);
  return out;
}

// ---------------------------------------------------------------- checks

function findPython() {
  const candidates = [process.env.PYTHON, 'python3', 'python'].filter(Boolean);
  for (const candidate of candidates) {
    const result = run(candidate, ['-c', 'import sys, zipfile; print(sys.version_info >= (3, 6))']);
    if (result.ok && result.stdout.trim() === 'True') return candidate;
  }
  fail(
    'python3 not found (needed to unpack the wheel and by node-gyp); install python3 or set PYTHON=/path/to/python3',
  );
}

function findPip(python) {
  const candidates = [
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

function checkBuildTools() {
  if (!run('make', ['--version']).ok) {
    fail(
      "'make' not found (node-gyp needs it to build the tfjs-node addon); on Debian/Ubuntu: apt-get install build-essential",
    );
  }
  const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  if (!compilers.some((cxx) => run(cxx.split(' ')[0], ['--version']).ok)) {
    fail(
      'no C++ compiler found (tried CXX, c++, g++, clang++; node-gyp needs one); on Debian/Ubuntu: apt-get install build-essential',
    );
  }
}

/** node-gyp ships inside npm; `npm run` names it in npm_config_node_gyp. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npmCli = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : onPath('npm');
  if (npmCli) {
    try {
      const npmDir = dirname(dirname(realpathSync(npmCli)));
      candidates.push(join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
    } catch {
      /* not resolvable */
    }
  }
  const found = candidates.find((path) => path && existsSync(path));
  if (found) return [process.execPath, found];
  const onPathGyp = onPath('node-gyp');
  if (onPathGyp) return [onPathGyp];
  fail('node-gyp not found (it ships with npm); run this as npm run native, or npm install -g node-gyp');
}

/** Node's own headers, so node-gyp does not download them (npm's nodedir setting wins). */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const gypCache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp', process.versions.node);
  if (existsSync(join(gypCache, 'include', 'node', 'common.gypi'))) return [];
  const prefix = dirname(dirname(process.execPath));
  if (
    existsSync(join(prefix, 'include', 'node', 'common.gypi')) &&
    existsSync(join(prefix, 'include', 'node', 'node_api.h'))
  ) {
    return [`--nodedir=${prefix}`];
  }
  return [];
}

function freeBytes(path) {
  let dir = path;
  while (!existsSync(dir)) dir = dirname(dir);
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function sizeOf(path) {
  let total = 0;
  const walk = (p) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else total += st.size;
  };
  if (existsSync(path)) walk(path);
  return total;
}

// ---------------------------------------------------------------- tfjs-node package

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The tfjs-node version to install: package-lock.json's, else package.json's range. */
function wantedTfjsNodeSpec() {
  const lock = readJson(join(root, 'package-lock.json'));
  const locked = lock?.packages?.['node_modules/@tensorflow/tfjs-node']?.version;
  if (locked) return locked;
  const pkg = readJson(join(root, 'package.json'));
  const range = pkg?.optionalDependencies?.['@tensorflow/tfjs-node'] ?? pkg?.dependencies?.['@tensorflow/tfjs-node'];
  if (range) return range;
  fail('package.json does not list @tensorflow/tfjs-node');
}

function ensureTfjsNodePackage() {
  if (existsSync(join(tfjsNodeDir, 'package.json')) && existsSync(join(tfjsNodeDir, 'binding.gyp'))) return false;
  const spec = `@tensorflow/tfjs-node@${wantedTfjsNodeSpec()}`;
  say(`installing ${spec} package files (npm removed it when its own install script failed) ...`);
  const t0 = Date.now();
  const guarded = ['package.json', 'package-lock.json'].map((name) => join(root, name)).filter(existsSync);
  const before = new Map(guarded.map((path) => [path, readFileSync(path)]));
  const npm = process.env.npm_execpath?.endsWith('npm-cli.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const result = run(npm[0], [
    ...npm.slice(1),
    'install',
    '--no-save',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    spec,
  ]);
  for (const [path, bytes] of before) {
    if (!readFileSync(path).equals(bytes)) {
      writeFileSync(path, bytes);
      say(`restored ${path.slice(root.length + 1)} (npm changed it)`);
    }
  }
  if (result.missing) fail('npm not found on PATH');
  if (!result.ok || !existsSync(join(tfjsNodeDir, 'binding.gyp'))) {
    fail(`npm could not install ${spec}: ${gist(result.stderr + result.stdout)}`);
  }
  say(`installed ${spec} without scripts in ${seconds(Date.now() - t0)}`);
  return true;
}

/** Where tfjs-node's loader (node-pre-gyp's find) looks for the addon, and the build variables. */
function addonLayout() {
  const pkg = readJson(join(tfjsNodeDir, 'package.json'));
  const binary = pkg?.binary;
  if (!binary?.module_name || !binary?.module_path)
    fail('node_modules/@tensorflow/tfjs-node/package.json has no binary section');
  const ours = Number(process.versions.napi);
  const napi = Math.max(0, ...(binary.napi_versions ?? []).filter((v) => v <= ours));
  if (!napi) fail(`this Node's N-API version ${ours} is not one tfjs-node supports (${binary.napi_versions})`);
  const modulePath = resolve(tfjsNodeDir, binary.module_path.replace('{napi_build_version}', String(napi)));
  return { moduleName: binary.module_name, modulePath, napi, addon: join(modulePath, `${binary.module_name}.node`) };
}

/** Removes the built addon, so tfjs-node's import fails with "can not be found" rather than load a stale one. */
function removeAddon(layout) {
  const lib = dirname(layout.modulePath);
  for (const name of existsSync(lib) ? readdirSync(lib) : []) {
    if (/^(\.staging-)?napi-v\d+$/.test(name)) rmSync(join(lib, name), { recursive: true, force: true });
  }
  rmSync(join(tfjsNodeDir, 'build'), { recursive: true, force: true });
}

// ---------------------------------------------------------------- probe

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

/** Loads tfjs-node in a child process (a broken addon may crash or hang; this process must not). */
function probe() {
  const env = { ...process.env, ...QUIET_TF, LSTM_NATIVE_ROOT: root };
  const result = run(process.execPath, ['-e', PROBE], { env, timeout: PROBE_TIMEOUT_MS });
  if (result.timedOut)
    return { ok: false, broken: true, reason: `loading it did not finish in ${PROBE_TIMEOUT_MS / 1000} s` };
  if (result.signal) return { ok: false, broken: true, reason: `loading it killed the process (${result.signal})` };
  if (!result.ok) return { ok: false, reason: gist(result.stderr, /Error/) };
  try {
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
    if (out.backend !== 'tensorflow' || !out.ok)
      return { ok: false, reason: `unexpected result ${JSON.stringify(out)}` };
    return { ok: true, ...out };
  } catch {
    return { ok: false, reason: `unexpected output: ${gist(result.stdout)}` };
  }
}

// ---------------------------------------------------------------- wheel

function findCachedWheel() {
  if (!existsSync(cacheDir)) return undefined;
  const prefix = `${TF_WHEEL.file}-${TF_WHEEL.version}-`;
  const name = readdirSync(cacheDir).find((n) => n.startsWith(prefix) && n.endsWith('.whl'));
  return name && join(cacheDir, name);
}

function downloadWheel(pythonCmd) {
  const [pip, prefix] = findPip(pythonCmd);
  mkdirSync(cacheDir, { recursive: true });
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
  const name = existsSync(staging) && readdirSync(staging).find((n) => n.endsWith('.whl'));
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

// ---------------------------------------------------------------- build

/** The binding's own #include lines: the roots of the header closure taken from the wheel. */
function bindingIncludes() {
  const dir = join(tfjsNodeDir, 'binding');
  const roots = new Set();
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!/\.(cc|h)$/.test(name)) continue;
    for (const m of readFileSync(join(dir, name), 'utf8').matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm))
      roots.add(m[1]);
  }
  // binding.gyp lists these two as the library's headers.
  roots.add('tensorflow/c/c_api.h');
  roots.add('tensorflow/c/eager/c_api.h');
  return [...roots];
}

/** Checks the wheel has what is needed and that node_modules has room for it (plus ~100 MB for the package and build). */
function checkRoom(pythonCmd, wheel) {
  const contents = python(pythonCmd, { mode: 'inspect', wheel, roots: bindingIncludes() });
  const free = freeBytes(tfjsNodeDir) + sizeOf(join(tfjsNodeDir, 'deps'));
  const need = contents.bytes + 100e6;
  if (free < need) {
    fail(
      `not enough disk to unpack TensorFlow: ${mb(free)} free under ${join(root, 'node_modules')}, need ${mb(need)}`,
    );
  }
  return contents;
}

function extract(pythonCmd, wheel, layout, { bytes, version }) {
  const deps = join(tfjsNodeDir, 'deps');
  const roots = bindingIncludes();
  say(
    `unpacking TensorFlow ${version ?? '(unknown version)'} libraries and C API headers (${mb(bytes)}) into node_modules/@tensorflow/tfjs-node/deps ...`,
  );
  const t0 = Date.now();
  removeAddon(layout); // never leave an addon next to libraries it was not built against
  rmSync(deps, { recursive: true, force: true });
  const staging = join(tfjsNodeDir, `deps.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  temporaries.add(staging);
  const out = python(pythonCmd, { mode: 'extract', wheel, dest: staging, roots, links: LIB_LINKS });
  writeFileSync(
    join(staging, STAMP),
    `${JSON.stringify({ wheel: basename(wheel), version, libs: out.libs, headers: out.headers })}\n`,
  );
  renameSync(staging, deps);
  temporaries.delete(staging);
  say(
    `unpacked 2 libraries, ${Object.keys(LIB_LINKS).length} symlinks and ${out.headers} headers in ${seconds(Date.now() - t0)}`,
  );
}

/** The stamp of a complete earlier extraction whose files are still intact (and from the wanted wheel, if one was named). */
function reusableDeps(wheel) {
  const deps = join(tfjsNodeDir, 'deps');
  const stamp = readJson(join(deps, STAMP));
  if (!stamp?.libs || (wheel && basename(wheel) !== stamp.wheel)) return undefined;
  for (const [name, size] of Object.entries(stamp.libs)) {
    const path = join(deps, 'lib', name);
    if (!existsSync(path) || statSync(path).size !== size) return undefined;
  }
  for (const name of Object.keys(LIB_LINKS)) if (!existsSync(join(deps, 'lib', name))) return undefined;
  return stamp;
}

function build(pythonCmd, layout, getWheel) {
  const nodeGyp = findNodeGyp();
  const staging = join(tfjsNodeDir, 'lib', `.staging-napi-v${layout.napi}`);
  const args = [
    ...nodeGyp.slice(1),
    'rebuild',
    `--python=${pythonCmd}`,
    `--jobs=2`,
    `--module_name=${layout.moduleName}`,
    // Same depth as the final lib/napi-v*, so the rpath $ORIGIN/../../deps/lib holds; moved into place when built.
    `--module_path=${staging}`,
    `--napi_build_version=${layout.napi}`,
    `--napi_version=${process.versions.napi}`,
    `--node_abi_napi=napi`,
    `--node_napi_label=napi-v${layout.napi}`,
    ...nodedirArgs(),
  ];
  const attempt = () => {
    rmSync(staging, { recursive: true, force: true });
    const result = run(nodeGyp[0], args, { cwd: tfjsNodeDir });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(
      buildLog,
      `$ ${nodeGyp.join(' ')} ${args.slice(nodeGyp.length - 1).join(' ')}\n${result.stdout}\n${result.stderr}`,
    );
    return result;
  };
  say('building the tfjs-node addon with node-gyp ...');
  const t0 = Date.now();
  temporaries.add(staging);
  let result = attempt();
  const missingHeader = /fatal error: ([^:]+): No such file or directory/.exec(result.stdout + result.stderr);
  if (!result.ok && missingHeader) {
    // A header the #include scan missed (e.g. one chosen by a macro): take the whole header trees.
    say(`header ${missingHeader[1]} was not unpacked; unpacking all TensorFlow headers and retrying ...`);
    python(pythonCmd, {
      mode: 'extract',
      wheel: getWheel(),
      dest: join(tfjsNodeDir, 'deps'),
      libs: false,
      full: true,
      links: {},
    });
    result = attempt();
  }
  if (!result.ok || !existsSync(join(staging, `${layout.moduleName}.node`))) {
    rmSync(join(tfjsNodeDir, 'build'), { recursive: true, force: true });
    const why = result.missing ? `${nodeGyp[0]} not found` : gist(`${result.stderr}\n${result.stdout}`, /error/i);
    fail(`building the tfjs-node addon failed: ${why} (log: ${buildLog})`);
  }
  rmSync(layout.modulePath, { recursive: true, force: true });
  renameSync(staging, layout.modulePath);
  temporaries.delete(staging);
  say(`built ${layout.addon.slice(root.length + 1)} in ${seconds(Date.now() - t0)}`);
}

// ---------------------------------------------------------------- main

function report(loaded, action) {
  say(
    `${action}: the tensorflow backend loads — TensorFlow ${loaded.tensorflow} (C library), ` +
      `tfjs-node ${loaded.tfjsNode}; deps ${mb(sizeOf(join(tfjsNodeDir, 'deps')))}; ${seconds(Date.now() - started)} in all`,
  );
  // The proof a user sees: lstm itself loading it (when lstm is built).
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) return say("run 'npm run build', then 'lstm backends' shows it");
  say('lstm backends:');
  const r = spawnSync(process.execPath, [join(root, 'bin', 'lstm.js'), 'backends'], { encoding: 'utf8' });
  process.stdout.write(r.stdout.replace(/^/gm, '  '));
  if (r.status !== 0 || !/^tensorflow +yes/m.test(r.stdout))
    fail(`lstm backends does not list tensorflow as loading: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
}

function main() {
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
  let layout = present ? addonLayout() : undefined;
  if (
    present &&
    !opts.force &&
    existsSync(layout.addon) &&
    existsSync(join(tfjsNodeDir, 'deps', 'lib', INSTALL_MARKER))
  ) {
    const loaded = probe();
    if (loaded.ok) return report(loaded, 'nothing to do');
    say(`the existing build does not load (${loaded.reason}); rebuilding`);
    if (loaded.broken) removeAddon(layout);
  }

  // Everything that can be checked before the slow steps.
  const pythonCmd = findPython();
  checkBuildTools();
  findNodeGyp();

  let wheel;
  const getWheel = () => {
    if (wheel) return wheel;
    wheel = opts.wheel;
    if (wheel) say(`using wheel ${wheel}`);
    else {
      wheel = findCachedWheel();
      if (wheel) say(`using cached wheel ${wheel}`);
      else wheel = downloadWheel(pythonCmd);
    }
    return wheel;
  };

  const reuse = present && !opts.force ? reusableDeps(opts.wheel) : undefined;
  // Wheel and disk first: if either fails, node_modules is left as it was.
  const contents = reuse ? undefined : checkRoom(pythonCmd, getWheel());
  ensureTfjsNodePackage();
  layout = addonLayout();
  if (reuse) {
    say(`TensorFlow ${reuse.version} libraries already unpacked (from ${reuse.wheel}); building the addon only`);
    removeAddon(layout);
  } else extract(pythonCmd, getWheel(), layout, contents);
  build(pythonCmd, layout, getWheel);

  const loaded = probe();
  if (!loaded.ok) {
    removeAddon(layout);
    fail(`the built addon does not load: ${loaded.reason}; removed it (wasm and cpu still work)`);
  }
  report(loaded, 'done');
}

try {
  main();
} catch (err) {
  if (err instanceof Interrupted) {
    console.error("native: interrupted; run 'npm run native' again to finish (node_modules is left usable)");
    process.exitCode = 130;
  } else if (err instanceof Failure) {
    console.error(`native: error: ${err.message}`);
  } else {
    console.error(`native: unexpected error: ${err?.message ?? err}`);
  }
  process.exitCode ||= 1;
} finally {
  finished = true;
}
