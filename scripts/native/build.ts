/**
 * Step 6: build the N-API addon with node-gyp, offline (Node's headers come from this Node's
 * own install when node-gyp has not cached them), into a staging directory that is moved
 * into place only when the build succeeded. The addon finds deps/lib by rpath.
 */
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildLog, cacheDir, root, tfjsNodeDir, userCacheDir } from './config.js';
import { fail, say, seconds } from './output.js';
import { gist, onPath, type RunResult, run, temporaries } from './process.js';
import type { Layout } from './tfjs-node.js';
import { unpackAllHeaders } from './unpack.js';

/** node-gyp as a command and its leading arguments. It ships inside npm; `npm run` names it in npm_config_node_gyp. */
export function findNodeGyp(): string[] {
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
function nodedirArgs(): string[] {
  if (process.env.npm_config_nodedir) return [];
  const gypCache = join(userCacheDir, 'node-gyp', process.versions.node);
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

/** One `node-gyp rebuild` into `staging`, its output written to the build log. */
function rebuild(nodeGyp: string[], args: string[], staging: string): RunResult {
  rmSync(staging, { recursive: true, force: true });
  const result = run(nodeGyp[0], args, { cwd: tfjsNodeDir });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(
    buildLog,
    `$ ${nodeGyp.join(' ')} ${args.slice(nodeGyp.length - 1).join(' ')}\n${result.stdout}\n${result.stderr}`,
  );
  return result;
}

/** Builds the addon into layout.modulePath; `getWheel` is asked only if headers are missing. */
export function build(pythonCmd: string, layout: Layout, getWheel: () => string): void {
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
  say('building the tfjs-node addon with node-gyp ...');
  const t0 = Date.now();
  temporaries.add(staging);
  let result = rebuild(nodeGyp, args, staging);
  const missingHeader = /fatal error: ([^:]+): No such file or directory/.exec(result.stdout + result.stderr);
  if (!result.ok && missingHeader) {
    // A header the #include scan missed (e.g. one chosen by a macro): take the whole header trees.
    say(`header ${missingHeader[1]} was not unpacked; unpacking all TensorFlow headers and retrying ...`);
    unpackAllHeaders(pythonCmd, getWheel());
    result = rebuild(nodeGyp, args, staging);
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
