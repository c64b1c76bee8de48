/** `lstm models`: one line per model at hand, or the same as JSON. */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dataError } from '../../errors.js';
import { bits } from '../../figures.js';
import { holdsModel } from '../../store/bundle.js';
import { modelsIn, summarise, type ModelSummary, type Unreadable } from '../../store/catalog.js';
import type { ModelsFlags } from '../commands/models.js';
import type { Context } from '../context.js';
import { write, writeJson } from '../output.js';
import { bundledName, bundledRoot, modelDir } from '../paths.js';

type Listed = { name: string; bundled: boolean; summary: ModelSummary | Unreadable };

export async function run(dirs: string[], flags: ModelsFlags, ctx: Context): Promise<void> {
  const listed: Listed[] = [];
  for (const path of await modelsIn(bundledRoot())) {
    listed.push({ name: bundledName(path), bundled: true, summary: await summarise(path) });
  }
  for (const path of await modelsIn('models'))
    listed.push({ name: path, bundled: false, summary: await summarise(path) });
  for (const dir of dirs) {
    for (const path of await given(dir)) {
      if (!listed.some((l) => l.summary.path === path)) {
        listed.push({ name: path, bundled: false, summary: await summarise(path) });
      }
    }
  }
  if (flags.json) return writeJson(listed.map(asJson), true);
  await write(table(listed));
  if (!listed.some((l) => !l.bundled)) {
    ctx.reporter.info('no models of your own yet: lstm train <text> saves one under ./models');
  }
}

/** A directory the user named: a model itself, or the models inside it. */
async function given(named: string): Promise<string[]> {
  const dir = modelDir(named);
  if (dir !== named) return [dir]; // bundled/<name>: listed already
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw dataError(`${dir} is not a directory`, 'give model directories, or directories of them');
  if (await holdsModel(dir)) return [dir];
  const inside = await modelsIn(dir);
  if (!inside.length) throw dataError(`${dir} holds no model`, 'give a model directory, or a directory of models');
  return inside.map((path) => (dir === '.' ? basename(path) : join(dir, basename(path))));
}

const isSummary = (s: ModelSummary | Unreadable): s is ModelSummary => !('problem' in s);

function asJson({ name, bundled, summary }: Listed) {
  if (!isSummary(summary)) return { name, bundled, ...summary };
  const bitsPerChar = summary.valLoss === null ? null : bits(summary.valLoss);
  return { name, bundled, ...summary, bitsPerChar };
}

/** The models as aligned columns under a header. */
function table(listed: Listed[]): string {
  const rows = listed.map(({ name, summary }) => {
    if (!isSummary(summary)) return [name, `cannot be read: ${summary.problem}`];
    const heldOut =
      summary.valLoss === null ? 'no held-out part' : `${bits(summary.valLoss).toFixed(3)} (${summary.reading})`;
    const size = `${(summary.bytes / 1e6).toFixed(1)} MB`;
    const saved = summary.savedAt.slice(0, 16).replace('T', ' ');
    return [name, summary.corpus, heldOut, String(summary.vocabSize), size, saved];
  });
  const header = ['MODEL', 'TEXT', 'HELD-OUT BITS/CHAR', 'VOCAB', 'SIZE', 'SAVED (UTC)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.length === 2
      ? cells.join('  ')
      : cells
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
