// Builds the browser pages into dist/web/ (run by `npm run build` after tsc):
// - inspect-page.js: the script `lstm inspect --html` inlines into its page (one classic
//   script: the page must open from file://, where modules cannot load);
// - app.js: the `lstm web` page's script; TensorFlow.js stays outside it: `lstm web` serves
//   TF.js's own browser builds from node_modules as classic scripts, globals `tf` and
//   `tf.wasm` (their ES-module builds import Node's fs and path, and the CPU backend's
//   CommonJS seedrandom, which no browser resolves);
// - the pages' HTML and CSS, copied.
// tsc compiles this file with the rest, just before `npm run build` runs it as dist/scripts/build-web.js.
// rolldown bundles our TypeScript modules (imports written `.js`, as Node needs) and
// seedrandom's CommonJS for the browser.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'rolldown';

const root = new URL('../..', import.meta.url).pathname;
const pageDir = join(root, 'src/web/page');
const outDir = join(root, 'dist/web');
const TFJS_GLOBALS = { '@tensorflow/tfjs-core': 'tf', '@tensorflow/tfjs-backend-wasm': 'tf.wasm' };

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
// net/tf.ts loads TF.js with Node's require; the page's bundle takes ./tf.ts instead.
const nodeTf = join(root, 'src/net/tf.ts');
const common: BuildOptions = {
  platform: 'browser',
  plugins: [
    {
      name: 'page-tf',
      async resolveId(source, importer, options) {
        if (!importer || !source.endsWith('/tf.js')) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved?.id === nodeTf ? join(pageDir, 'tf.ts') : null;
      },
    },
  ],
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
  logLevel: 'warn',
};
await build({
  ...common,
  input: join(pageDir, 'inspect-page.ts'),
  output: { file: join(outDir, 'inspect-page.js'), format: 'iife', minify: true },
});
await build({
  ...common,
  input: join(pageDir, 'app.ts'),
  external: Object.keys(TFJS_GLOBALS),
  output: { file: join(outDir, 'app.js'), format: 'iife', globals: TFJS_GLOBALS, minify: true },
});
for (const name of await readdir(pageDir)) {
  if (/\.(html|css)$/.test(name)) await copyFile(join(pageDir, name), join(outDir, name));
}
