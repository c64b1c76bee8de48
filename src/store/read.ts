/**
 * Reading checkpoints from disk: which directory a model path means (`resolveCheckpoint`),
 * and reading one (`readCheckpoint`, `readCheckpointFiles`; commands load a model through
 * load.ts, which joins the two). Every file is untrusted: format version, sizes and
 * hashes from the manifest, weight paths confined to the directory, and the arrays'
 * names and shapes against the specs the caller gives (params.ts's `checkpointSpecs`).
 * Each failure is one error naming the file and the problem. Weights stored as float16 (an
 * export's TF.js float16 quantization, the only one accepted) come back as float32.
 */
import { readFile, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dataError } from '../errors.js';
import { sha256 } from './atomic.js';
import { isCheckpointDir } from './bundle.js';
import { checkpointList, listCheckpoints, positionName } from './checkpoints.js';
import { checkManifest } from './check-manifest.js';
import { MANIFEST, OPTIMIZER_BIN, type FileEntry, type Manifest } from './manifest.js';
import { checkFile, checkpointFromFiles, type Checkpoint, type SpecsOf } from './parse.js';

/**
 * The checkpoint directory a model path means: the path itself when it holds a checkpoint
 * (an export), else its `best` (or `which`: `latest`, `best`, a position such as `7` or
 * `8:12` (store/checkpoints.ts), or a checkpoint directory's name).
 */
export async function resolveCheckpoint(modelPath: string, which?: string): Promise<string> {
  let info;
  try {
    info = await stat(modelPath);
  } catch {
    throw dataError(
      `no model at ${modelPath}`,
      "check the path: 'lstm models' lists the models at hand (bundled/<name> for those bundled with lstm), and 'lstm train <text> --out <dir>' trains one",
    );
  }
  if (!info.isDirectory())
    throw dataError(
      `${modelPath} is not a model directory`,
      'pass the directory that holds lstm.json, or a bundle with best/ and latest/',
    );
  if ((await isCheckpointDir(modelPath)) && which === undefined) return modelPath;
  const position = which === undefined ? undefined : await positionName(modelPath, which);
  const name = which === undefined ? 'best' : (position?.name ?? which);
  if (!/^(best|latest|epoch-\d+(-batch-\d+)?)$/.test(name)) {
    throw dataError(`--checkpoint must be best, latest, an epoch (7) or a batch inside one (8:12), got '${which}'`);
  }
  const dir = join(modelPath, name);
  if (position?.held !== false && (await isCheckpointDir(dir))) {
    // A bundle is untrusted: its pointers must not lead outside it.
    const [real, root] = await Promise.all([realpath(dir), realpath(modelPath)]);
    if (dirname(real) !== root)
      throw dataError(`${dir} points outside ${modelPath}`, 'a checkpoint must be a directory inside its bundle');
    return dir;
  }
  if (await isCheckpointDir(modelPath)) {
    throw dataError(
      `${modelPath} is a single exported checkpoint; it has no checkpoint '${which}'`,
      'leave out --checkpoint',
    );
  }
  const available = await listCheckpoints(modelPath);
  const hint = available.length
    ? `checkpoints there: ${checkpointList(available)}; --checkpoint takes any of them`
    : "this is not a model bundle; train one with 'lstm train'";
  // A pointer whose checkpoint is gone is reported as exactly that.
  let target: string | undefined;
  try {
    target = await readlink(dir);
  } catch {
    // not a symlink
  }
  if (target !== undefined) throw dataError(`${modelPath}: '${name}' points to ${target}, which is missing`, hint);
  const missing = position?.held === false ? 'no checkpoint there holds that batch' : `no ${join(name, MANIFEST)}`;
  throw dataError(`${modelPath} has no checkpoint '${which ?? name}' (${missing})`, hint);
}

/** Reads and verifies a checkpoint directory; `optimizer` also loads Adam's state (to resume). */
export async function readCheckpoint(
  dir: string,
  specsOf: SpecsOf,
  options: { optimizer?: boolean } = {},
): Promise<Checkpoint> {
  return (await readCheckpointFiles(dir, specsOf, options)).checkpoint;
}

/**
 * `readCheckpoint`, also giving the verified bytes of each file read (lstm.json included):
 * what `lstm web` serves, so the browser gets exactly what was checked.
 */
export async function readCheckpointFiles(
  dir: string,
  specsOf: SpecsOf,
  options: { optimizer?: boolean } = {},
): Promise<{ checkpoint: Checkpoint; files: ReadonlyMap<string, Uint8Array> }> {
  const manifestPath = join(dir, MANIFEST);
  // Every file is read from the directory the path means now: `latest` may move to a newer
  // checkpoint while a run saves, and a read must not mix two checkpoints' files.
  const here = await realpath(dir).catch(() => dir);
  let manifest: Manifest;
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await readFile(join(here, MANIFEST));
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw dataError(
      `${manifestPath}: ${code === 'ENOENT' ? 'missing' : 'not valid JSON'}`,
      'the model is incomplete or damaged; use another checkpoint or retrain',
    );
  }
  checkManifest(manifest, manifestPath);
  const files = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (name === OPTIMIZER_BIN && !options.optimizer) continue;
    files.set(name, await readVerified(here, dir, name, entry));
  }
  const checkpoint = checkpointFromFiles(dir, manifest, files, specsOf, options);
  return { checkpoint, files: new Map([[MANIFEST, manifestBytes], ...files]) };
}

/** Reads `name` from the real directory `here`; errors name it under `dir`, as the user gave it. */
async function readVerified(here: string, dir: string, name: string, entry: FileEntry): Promise<Uint8Array> {
  const path = join(dir, name);
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw dataError(`${join(dir, MANIFEST)}: lists a file '${name}' outside the model directory`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(here, name));
  } catch {
    throw dataError(
      `${path}: missing`,
      'the model is incomplete; use another checkpoint (--checkpoint latest) or retrain',
    );
  }
  checkFile(path, bytes, entry, sha256(bytes));
  return bytes;
}
