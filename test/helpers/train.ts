/** Shared by the `lstm train` e2e tests (test/e2e/train/): reading what a run wrote, and its errors. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { checkpointSpecs } from '../../src/params.js';
import { readCheckpoint } from '../../src/store/read.js';
import type { RunResult } from './cli.js';

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
