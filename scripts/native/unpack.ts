/**
 * Step 5: unpack from the wheel the two shared libraries into tfjs-node's deps/lib (plus the
 * symlinks its build and install script look for) and the few C API headers its binding
 * includes into deps/include, after checking there is room. A stamp records a complete
 * unpacking, so a rebuild can reuse it.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { depsDir, root, tfjsNodeDir } from './config.js';
import { freeBytes, readJson, sizeOf } from './files.js';
import { fail, mb, say, seconds } from './output.js';
import { temporaries } from './process.js';
import { extractWheel, inspectWheel, type WheelContents } from './python.js';
import { type Layout, removeAddon } from './tfjs-node.js';

/** The name tfjs-node's scripts/install.js checks before it would download libtensorflow. */
export const INSTALL_MARKER = 'libtensorflow.so.2.9.1';
const LIB_LINKS = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow.so.2': 'libtensorflow_cc.so.2',
  [INSTALL_MARKER]: 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
};
/** Written into deps/ after a complete extraction: which wheel, and the library sizes. */
const STAMP = '.lstm-native.json';

type Stamp = { wheel: string; version: string | null; libs: Record<string, number>; headers: number };

/** The binding's own #include lines: the roots of the header closure taken from the wheel. */
function bindingIncludes(): string[] {
  const dir = join(tfjsNodeDir, 'binding');
  const roots = new Set<string>();
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
export function checkRoom(pythonCmd: string, wheel: string): WheelContents {
  const contents = inspectWheel(pythonCmd, wheel, bindingIncludes());
  // What is unpacked now is replaced, so its room counts as free.
  const free = freeBytes(tfjsNodeDir) + sizeOf(depsDir);
  const need = contents.bytes + 100e6;
  if (free < need) {
    fail(
      `not enough disk to unpack TensorFlow: ${mb(free)} free under ${join(root, 'node_modules')}, need ${mb(need)}`,
    );
  }
  return contents;
}

/** Unpacks into a staging directory renamed to deps/ when complete, so deps/ is never half there. */
export function extract(pythonCmd: string, wheel: string, layout: Layout, { bytes, version }: WheelContents): void {
  const roots = bindingIncludes();
  say(
    `unpacking TensorFlow ${version ?? '(unknown version)'} libraries and C API headers (${mb(bytes)}) into node_modules/@tensorflow/tfjs-node/deps ...`,
  );
  const t0 = Date.now();
  removeAddon(layout); // never leave an addon next to libraries it was not built against
  rmSync(depsDir, { recursive: true, force: true });
  const staging = join(tfjsNodeDir, `deps.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  temporaries.add(staging);
  const out = extractWheel(pythonCmd, { wheel, dest: staging, roots, links: LIB_LINKS });
  const stamp: Stamp = { wheel: basename(wheel), version, libs: out.libs, headers: out.headers };
  writeFileSync(join(staging, STAMP), `${JSON.stringify(stamp)}\n`);
  renameSync(staging, depsDir);
  temporaries.delete(staging);
  say(
    `unpacked 2 libraries, ${Object.keys(LIB_LINKS).length} symlinks and ${out.headers} headers in ${seconds(Date.now() - t0)}`,
  );
}

/** The stamp of a complete earlier extraction whose files are still intact (and from the wanted wheel, if one was named). */
export function reusableDeps(wheel: string | undefined): Stamp | undefined {
  const stamp = readJson<Stamp>(join(depsDir, STAMP));
  if (!stamp?.libs || (wheel && basename(wheel) !== stamp.wheel)) return undefined;
  for (const [name, size] of Object.entries(stamp.libs)) {
    const path = join(depsDir, 'lib', name);
    if (!existsSync(path) || statSync(path).size !== size) return undefined;
  }
  for (const name of Object.keys(LIB_LINKS)) if (!existsSync(join(depsDir, 'lib', name))) return undefined;
  return stamp;
}

/** Keeps an intact earlier extraction: only the addon is rebuilt. */
export function reuseDeps(stamp: Stamp, layout: Layout): void {
  say(`TensorFlow ${stamp.version} libraries already unpacked (from ${stamp.wheel}); building the addon only`);
  removeAddon(layout);
}

/** Adds every TensorFlow header to deps/include, for a header the #include scan missed. */
export function unpackAllHeaders(pythonCmd: string, wheel: string): void {
  extractWheel(pythonCmd, { wheel, dest: depsDir, libs: false, full: true, links: {} });
}
