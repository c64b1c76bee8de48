// Builds the browser pages into dist/web/ (run by `npm run build` after tsc):
// - inspect-page.js: the script `lstm inspect --html` inlines into its page (one classic
//   script: the page must open from file://, where modules cannot load);
// - app.js: the `lstm web` page, an ES module; TensorFlow.js stays outside it and is served
//   from node_modules by `lstm web` (the page's import map names the files);
// - the pages' HTML and CSS, copied.
// rolldown bundles our TypeScript modules (imports written `.js`, as Node needs) and
// seedrandom's CommonJS for the browser.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('..', import.meta.url).pathname;
const pageDir = join(root, 'src/web/page');
const outDir = join(root, 'dist/web');
const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'];

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
const common = {
  platform: 'browser',
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
  logLevel: 'warn',
};
await build({ ...common, input: join(pageDir, 'inspect-page.ts'), output: { file: join(outDir, 'inspect-page.js'), format: 'iife', minify: true } });
await build({ ...common, input: join(pageDir, 'app.ts'), external: TFJS, output: { file: join(outDir, 'app.js'), format: 'esm', minify: true } });
for (const name of await readdir(pageDir)) {
  if (/\.(html|css)$/.test(name)) await copyFile(join(pageDir, name), join(outDir, name));
}
