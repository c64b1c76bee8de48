/**
 * The small bundles the suite shares, trained once per run by test/helpers/global-setup.ts
 * into a temp dir and handed to tests with vitest's provide/inject. A file that needs some
 * calls `useBundles(...)`: its beforeAll asks for them (the first request starts every
 * training, in the background) and waits until those are trained; files that need none
 * run meanwhile, and a run of such files trains none.
 *
 * They are read-only: a test that changes a bundle (or its text) works on a copy
 * (`copyBundle`), and the setup's teardown fails the run if one changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { assertBuilt, makeTempDir, removeDir } from './tiny.js';

/** A shared bundle and the text it was trained on (the path its lstm.json records). */
export type Shared = { model: string; text: string };

export type SharedBundles = {
  /** The temp dir they are in. */
  dir: string;
  /** `abc` (800 characters, period 8) memorised: tinyFlags in batches of 16, ABC_EPOCHS epochs, every checkpoint kept. */
  abc: Shared & {
    /** A file holding the stdout of its `--json` run (JSON lines): the events of every epoch. */ events: string;
  };
  /** `words` (seeded random words): tinyFlags and WORDS_FLAGS (2 layers of 8 units, dropout 0.2, batches of 8), 2 epochs. */
  words: Shared;
  /** The same run as `words` but --stateful, on 2 worker threads. */
  stateful: Shared;
  /** A French sentence with capitals, trained with --lowercase: tinyFlags, 2 epochs. */
  lower: Shared;
  /** a.txt (`sentence`): tinyFlags in batches of 16, 15 epochs. The base of `tuned`. */
  base: Shared;
  /** `lstm train b.txt --from base --epochs 3` (b.txt is `sentenceB`), with no network or recipe flags. */
  tuned: Shared;
};

export type BundleName = Exclude<keyof SharedBundles, 'dir'>;

declare module 'vitest' {
  export interface ProvidedContext {
    bundles: SharedBundles;
  }
}

/**
 * Flags of the `words` and `stateful` bundles, after tinyFlags: what a run on their network and
 * recipe adds. Batches of 8 (17 an epoch): the store tests need a second epoch better than the first.
 */
export const WORDS_FLAGS = [
  '--layers',
  '2',
  '--units',
  '8',
  '--dropout',
  '0.2',
  '--seq-length',
  '8',
  '--batch-size',
  '8',
];

/** The file a test leaves to ask the setup for its bundles. */
export const requestFile = (dir: string) => path.join(dir, 'wanted');

/** The marker the setup writes beside a bundle once it is trained (`.failed`: why it was not). */
export const readyMarker = (model: string) => `${model}.ready`;
export const failedMarker = (model: string) => `${model}.failed`;

/**
 * The shared bundles, for a test file that needs `names`: registers a beforeAll that waits
 * until those are trained. The paths are fixed for the run, so they can be read at once.
 */
export function useBundles(...names: BundleName[]): SharedBundles {
  const bundles = inject('bundles');
  beforeAll(async () => {
    assertBuilt();
    if (!existsSync(requestFile(bundles.dir))) await writeFile(requestFile(bundles.dir), '');
    const end = Date.now() + 170_000;
    for (const name of names) {
      const { model } = bundles[name];
      while (!existsSync(readyMarker(model))) {
        if (existsSync(failedMarker(model)))
          throw new Error(`the shared bundle '${name}' failed to train:\n${readFileSync(failedMarker(model), 'utf8')}`);
        if (Date.now() > end) throw new Error(`the shared bundle '${name}' was not trained within 170 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }, 180_000);
  return bundles;
}

/** A shared bundle's files as they were once trained: sha256 by relative path, as `snapshot` gives them. */
export const trainedSnapshot = async (shared: Shared): Promise<Record<string, string>> =>
  JSON.parse(await readFile(readyMarker(shared.model), 'utf8'));

/** Copies a bundle (its checkpoint pointers stay relative symlinks) to `to`, for a test that changes it. */
export async function copyBundle(bundle: string, to: string): Promise<string> {
  await cp(bundle, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

/**
 * Copies a shared bundle and its text into `dir` (as `model` and the text's own name) and
 * points every checkpoint's record at the copied text: a bundle trained on a file the test
 * may change or move, as if it had been trained there.
 */
export async function copyWithText(shared: Shared, dir: string): Promise<Shared> {
  const model = await copyBundle(shared.model, path.join(dir, 'model'));
  const text = path.join(dir, path.basename(shared.text));
  await copyFile(shared.text, text);
  for (const name of await readdir(model)) {
    const manifest = path.join(model, name, 'lstm.json');
    if ((await lstat(path.join(model, name))).isSymbolicLink() || !existsSync(manifest)) continue;
    const doc = JSON.parse(await readFile(manifest, 'utf8'));
    if (doc.corpus.path !== shared.text) throw new Error(`${manifest} does not record ${shared.text}`);
    doc.corpus.path = text;
    for (const f of doc.corpus.files ?? []) if (f.path === shared.text) f.path = text;
    await writeFile(manifest, JSON.stringify(doc));
  }
  return { model, text };
}

/**
 * Registers beforeAll/afterAll hooks that make a fresh temp dir for the test file's own
 * files and remove it; the returned function names a path in it.
 */
export function tempDir(label: string): (...parts: string[]) => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await makeTempDir(label);
  });
  afterAll(() => removeDir(dir));
  return (...parts) => {
    if (!dir) throw new Error('tempDir: used before beforeAll ran');
    return path.join(dir, ...parts);
  };
}
