/**
 * Step 4: the @tensorflow/tfjs-node package itself. npm drops the optional dependency when its
 * install script fails (no download here), so its files may have to be installed without
 * scripts; and where its loader expects the addon (node-pre-gyp's layout in its package.json).
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { root, tfjsNodeDir } from './config.js';
import { readJson } from './files.js';
import { fail, say, seconds } from './output.js';
import { gist, run } from './process.js';

/** Where the built addon goes, and the values node-gyp builds it with. */
export type Layout = { moduleName: string; modulePath: string; napi: number; addon: string };

type PackageJson = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  binary?: { module_name?: string; module_path?: string; napi_versions?: number[] };
};
type PackageLock = { packages?: Record<string, { version?: string }> };

/** The tfjs-node version to install: package-lock.json's, else package.json's range. */
function wantedTfjsNodeSpec(): string {
  const lock = readJson<PackageLock>(join(root, 'package-lock.json'));
  const locked = lock?.packages?.['node_modules/@tensorflow/tfjs-node']?.version;
  if (locked) return locked;
  const pkg = readJson<PackageJson>(join(root, 'package.json'));
  const range = pkg?.optionalDependencies?.['@tensorflow/tfjs-node'] ?? pkg?.dependencies?.['@tensorflow/tfjs-node'];
  if (range) return range;
  fail('package.json does not list @tensorflow/tfjs-node');
}

/**
 * Installs tfjs-node's files with `npm install --no-save --ignore-scripts` when they are
 * missing; package.json and package-lock.json are put back byte for byte if npm touched them.
 * Returns whether it installed.
 */
export function ensureTfjsNodePackage(): boolean {
  if (existsSync(join(tfjsNodeDir, 'package.json')) && existsSync(join(tfjsNodeDir, 'binding.gyp'))) return false;
  const spec = `@tensorflow/tfjs-node@${wantedTfjsNodeSpec()}`;
  say(`installing ${spec} package files (npm removed it when its own install script failed) ...`);
  const t0 = Date.now();
  const guarded = ['package.json', 'package-lock.json'].map((name) => join(root, name)).filter((p) => existsSync(p));
  const before = new Map(guarded.map((path) => [path, readFileSync(path)]));
  const npmCli = process.env.npm_execpath;
  const npm = npmCli?.endsWith('npm-cli.js') ? [process.execPath, npmCli] : ['npm'];
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
export function addonLayout(): Layout {
  const pkg = readJson<PackageJson>(join(tfjsNodeDir, 'package.json'));
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
export function removeAddon(layout: Layout): void {
  const lib = dirname(layout.modulePath);
  for (const name of existsSync(lib) ? readdirSync(lib) : []) {
    if (/^(\.staging-)?napi-v\d+$/.test(name)) rmSync(join(lib, name), { recursive: true, force: true });
  }
  rmSync(join(tfjsNodeDir, 'build'), { recursive: true, force: true });
}
