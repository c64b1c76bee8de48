/** Small file-system questions: free disk, a tree's size, a JSON file that may be missing or broken. */
import { existsSync, lstatSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bytes free for this user on the disk that holds `path` (or would, once created). */
export function freeBytes(path: string): number {
  let dir = path;
  while (!existsSync(dir)) dir = dirname(dir);
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Bytes in the files under `path`; symlinks count as themselves, not their targets. */
export function sizeOf(path: string): number {
  let total = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else total += st.size;
  };
  if (existsSync(path)) walk(path);
  return total;
}

/** The parsed file, or undefined when it is missing or not JSON (callers treat both as absent). */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
