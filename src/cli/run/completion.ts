/** `lstm completion`: the script for the shell asked for, on stdout. */
import type { Command } from 'commander';
import type { Shell } from '../commands/completion.js';
import { completionScript } from '../completion.js';
import { write } from '../output.js';

export async function run(program: Command, shell: Shell): Promise<void> {
  await write(completionScript(program, shell));
}
