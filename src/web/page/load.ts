/**
 * Loading the bundle `lstm web` serves, in the browser, as strictly as the CLI loads one:
 * lstm.json checked (store/manifest.ts), each file's size and sha256 against it (the hash by
 * the browser's SubtleCrypto), then the same parsing as `lstm` (store/parse.ts): one weights
 * file, names and shapes against the layout, float32 or float16.
 */
import { checkpointSpecs } from '../../params.js';
import { checkManifest } from '../../store/check-manifest.js';
import { MANIFEST, MODEL_JSON, OPTIMIZER_BIN, type Manifest } from '../../store/manifest.js';
import { checkFile, checkpointFromFiles, loadedModel, type LoadedModel } from '../../store/parse.js';

/** Where the server puts the checkpoint's files. */
export const MODEL_URL = 'model/';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The served model, checked; `name` is how the page names it. */
export async function loadServedModel(name: string): Promise<LoadedModel> {
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(MODEL_URL + MANIFEST))) as Manifest;
  checkManifest(manifest, `${name}/${MANIFEST}`);
  const files = new Map<string, Uint8Array>();
  for (const [file, entry] of Object.entries(manifest.files)) {
    if (file === OPTIMIZER_BIN) continue; // only for resuming training; not served
    const bytes = await fetchBytes(MODEL_URL + file);
    checkFile(`${name}/${file}`, bytes, entry, await sha256(bytes));
    files.set(file, bytes);
  }
  if (!files.has(MODEL_JSON)) throw new Error(`${name}/${MANIFEST} does not list ${MODEL_JSON}`);
  return loadedModel(checkpointFromFiles(name, manifest, files, checkpointSpecs), name);
}
