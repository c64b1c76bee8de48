/** Shared by the `lstm train` e2e tests (test/e2e/train/): reading what a run wrote, and its errors. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect } from 'vitest';
import { checkpointSpecs } from '../../src/params.js';
import { readCheckpoint } from '../../src/store/read.js';
import { tempDir } from './bundles.js';
import type { RunResult } from './cli.js';
import { textFile, words } from './tiny.js';

/** A file of a bundle's checkpoint (`latest` unless said). */
export const bin = (bundle: string, file: string, which = 'latest') => readFile(path.join(bundle, which, file));

/** The manifest of a bundle's latest checkpoint. */
export const latestManifest = async (bundle: string) =>
  (await readCheckpoint(path.join(bundle, 'latest'), checkpointSpecs)).manifest;

/** One `error:` line (plus an optional hint), no stack trace. */
export function expectOneLineError(r: RunResult, code: number): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => l.startsWith('error: '))).toHaveLength(1);
  expect(r.stderr).not.toContain('    at ');
}

/**
 * A train test file's temp dir (`out(...parts)`), with `words` written into it and its first
 * ~900 characters (quick epochs for the bit-identity tests), once its beforeAll has run.
 */
export function trainTexts(label: string) {
  const out = tempDir(label);
  const texts = { dir: '', words: '', short: '' };
  beforeAll(async () => {
    texts.dir = out();
    texts.words = await textFile(texts.dir, 'words.txt', words);
    texts.short = await textFile(texts.dir, 'short.txt', words.slice(0, 900));
  });
  return { out, texts };
}
