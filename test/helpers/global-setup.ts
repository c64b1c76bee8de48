/**
 * vitest globalSetup: trains the suite's shared bundles (helpers/bundles.ts) once per run,
 * into a temp dir, and provides their paths. The trainings start in the background, side
 * by side, once a test file asks for a bundle (`useBundles` leaves a request in the dir), so
 * a run of files that need none trains none; each bundle gets a marker when it is trained,
 * which `useBundles` waits for. Teardown stops trainings still running, fails the run if a
 * test changed a bundle or its text (tests must copy what they change), and removes them.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type BundleName, failedMarker, readyMarker, requestFile, type SharedBundles, WORDS_FLAGS } from './bundles.js';
import {
  ABC_EPOCHS,
  abc,
  assertBuilt,
  makeTempDir,
  removeDir,
  sentence,
  sentenceB,
  snapshot,
  type Spawned,
  spawnLstm,
  textFile,
  tinyFlags,
  words,
} from './tiny.js';

const cafe = 'Café ABC. Une crème brûlée. '.repeat(40);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertBuilt();
  const dir = await makeTempDir('shared');
  const at = (name: string) => path.join(dir, name);
  const [abcText, wordsText, cafeText, aText, bText] = await Promise.all([
    textFile(dir, 'abc.txt', abc),
    textFile(dir, 'words.txt', words),
    textFile(dir, 'cafe.txt', cafe),
    textFile(dir, 'a.txt', sentence),
    textFile(dir, 'b.txt', sentenceB),
  ]);
  const texts = await snapshot(dir);
  const bundles: SharedBundles = {
    dir,
    abc: { model: at('abc-model'), text: abcText, events: at('abc-events.jsonl') },
    words: { model: at('words-model'), text: wordsText },
    stateful: { model: at('stateful-model'), text: wordsText },
    lower: { model: at('lower-model'), text: cafeText },
    base: { model: at('base'), text: aText },
    tuned: { model: at('tuned'), text: bText },
  };
  project.provide('bundles', bundles);

  const running = new Set<Spawned>();
  let stopping = false;
  /** `lstm -q train ...args`; resolves to its stdout. */
  const train = async (args: string[]): Promise<string> => {
    if (stopping) throw new Error('stopped: the test run ended');
    const p = spawnLstm(['-q', 'train', ...args]);
    running.add(p);
    const { code, signal } = await p.exited;
    running.delete(p);
    if (code !== 0) throw new Error(`lstm -q train ${args.join(' ')} failed (${code ?? signal}):\n${p.stderr()}`);
    return p.stdout();
  };
  /** Each bundle's files once trained, to compare at the end. */
  const trained = new Map<BundleName, Record<string, string>>();
  const make = async (name: BundleName, args: string[], then?: (stdout: string) => Promise<void>) => {
    const { model, text } = bundles[name];
    try {
      const stdout = await train([text, '--out', model, ...args]);
      await then?.(stdout);
      const files = await snapshot(model);
      trained.set(name, files);
      // The marker holds what the bundle was once trained: a test can prove something left it alone.
      await writeFile(readyMarker(model), JSON.stringify(files));
    } catch (err) {
      await writeFile(failedMarker(model), err instanceof Error ? err.message : String(err));
    }
  };
  const trainAll = () =>
    Promise.all([
      make(
        'abc',
        [
          ...tinyFlags,
          '--batch-size',
          '16',
          '--epochs',
          String(ABC_EPOCHS),
          '--patience',
          '1000',
          '--keep',
          String(ABC_EPOCHS),
          '--json',
        ],
        (stdout) => writeFile(bundles.abc.events, stdout),
      ),
      make('words', [...tinyFlags, ...WORDS_FLAGS, '--epochs', '2']),
      make('stateful', [...tinyFlags, ...WORDS_FLAGS, '--epochs', '2', '--stateful', '--workers', '2']),
      make('lower', [...tinyFlags, '--epochs', '2', '--lowercase']),
      (async () => {
        await make('base', [...tinyFlags, '--batch-size', '16', '--epochs', '15', '--patience', '1000']);
        if (trained.has('base'))
          // No network or recipe flags: the fine-tune takes the base's.
          await make('tuned', ['--from', bundles.base.model, '--epochs', '3', '--workers', '1', '--no-sample']);
        else await writeFile(failedMarker(bundles.tuned.model), 'its base failed to train');
      })(),
    ]);
  let all: Promise<unknown> | undefined;
  const poll = setInterval(() => {
    if (!existsSync(requestFile(dir))) return;
    clearInterval(poll);
    all = trainAll();
  }, 20);

  return async () => {
    clearInterval(poll);
    stopping = true;
    for (const p of running) p.child.kill('SIGKILL');
    await all;
    const changed: string[] = [];
    const textsNow = await snapshot(dir);
    for (const [name, hash] of Object.entries(texts)) if (textsNow[name] !== hash) changed.push(name);
    for (const [name, files] of trained) {
      const now = await snapshot(bundles[name].model);
      for (const key of new Set([...Object.keys(files), ...Object.keys(now)]))
        if (files[key] !== now[key]) changed.push(`${name}: ${key}`);
    }
    await removeDir(dir);
    if (changed.length) {
      // vitest reports an error thrown here without failing the run: the exit code does.
      process.exitCode = 1;
      throw new Error(`a test changed the shared bundles; copy a bundle before changing it: ${changed.join(', ')}`);
    }
  };
}
