/**
 * Files the user names for a command to write (`info --plot`, `inspect --html`, `vocab
 * --out`): written whole or not at all (store/atomic.ts), and a failure names the path they
 * gave, never the temporary file beside it.
 */
import { dirname } from 'node:path';
import { dataError } from '../errors.js';
import { fsError } from '../fs-errors.js';
import { writeFileAtomic } from '../store/atomic.js';

export async function writeUserFile(file: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(file, data);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT')
      throw dataError(
        `cannot write ${file}: the directory ${dirname(file)} does not exist`,
        `create it (mkdir -p ${dirname(file)}), or choose another path`,
      );
    throw fsError({ ...e, path: file }, file, 'write') ?? err;
  }
}
