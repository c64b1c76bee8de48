/**
 * A bundle's checkpoints by position: the directory a `--checkpoint` value means, and the
 * list `lstm info` shows and a refusal names, in the form `--checkpoint` takes (`7`, `8:12`).
 * A mid-epoch name counts epochs from 1 (bundle.ts `checkpointName`) but older bundles'
 * count the completed ones, so which position a directory holds is read from its manifest,
 * never guessed from its name.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_NAME,
  checkpointName,
  legacyCheckpointName,
  parsePosition,
  POINTERS,
  positionLabel,
} from './bundle.js';
import { MANIFEST } from './manifest.js';

type Position = { epoch: number; batch: number };
type Pointer = (typeof POINTERS)[number];

/** A checkpoint of a bundle: its directory, the label `--checkpoint` takes, and the pointers naming it. */
export type ListedCheckpoint = { name: string; label: string; pointers: Pointer[] };

/** The position a checkpoint's manifest records; undefined when it cannot be read (the load says why). */
async function positionOf(dir: string): Promise<Position | undefined> {
  try {
    const { progress } = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
    return Number.isInteger(progress?.epoch) && Number.isInteger(progress?.batch)
      ? { epoch: progress.epoch, batch: progress.batch }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directory `label` (`7`, `8:12`) means in `bundle`: the name this position has, or an
 * older bundle's for it; undefined when `label` is not a position. `held` is false for a
 * batch inside an epoch that no directory there holds (a directory of that name may hold
 * another position: an older bundle's name for a later batch).
 */
export async function positionName(
  bundle: string,
  label: string,
): Promise<{ name: string; held: boolean } | undefined> {
  const at = parsePosition(label);
  if (!at) return undefined;
  const name = checkpointName(at.epoch, at.batch);
  if (at.batch === 0) return { name, held: true }; // an epoch's end has one name, old or new
  for (const candidate of [name, legacyCheckpointName(at.epoch, at.batch)]) {
    const held = await positionOf(join(bundle, candidate));
    if (held?.epoch === at.epoch && held.batch === at.batch) return { name: candidate, held: true };
  }
  return { name, held: false };
}

/** The checkpoints of `bundle` in training order (an unreadable one last, by its name). */
export async function listCheckpoints(bundle: string): Promise<ListedCheckpoint[]> {
  const names = (await readdir(bundle).catch(() => [] as string[])).filter((n) => CHECKPOINT_NAME.test(n)).sort();
  const pointers = new Map<string, Pointer[]>();
  for (const pointer of POINTERS) {
    const target = await readlink(join(bundle, pointer)).catch(() => undefined);
    if (target !== undefined) pointers.set(target, [...(pointers.get(target) ?? []), pointer]);
  }
  const found = await Promise.all(names.map(async (name) => ({ name, at: await positionOf(join(bundle, name)) })));
  const order = ({ at }: (typeof found)[number]) => (at ? at.epoch + (at.batch > 0 ? 0.5 : 0) : Infinity);
  return found
    .sort((a, b) => order(a) - order(b) || (a.at?.batch ?? 0) - (b.at?.batch ?? 0))
    .map(({ name, at }) => ({
      name,
      label: at ? positionLabel(at.epoch, at.batch) : name,
      pointers: pointers.get(name) ?? [],
    }));
}

/** The list in a line: `1, 2, 3:19 (best, latest)`. */
export const checkpointList = (listed: readonly ListedCheckpoint[]) =>
  listed.map((c) => `${c.label}${c.pointers.length ? ` (${c.pointers.join(', ')})` : ''}`).join(', ');
