/** `lstm backends`: each TensorFlow.js backend and whether it loads here. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { write, writeJson } from '../output.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends and whether each loads here')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      void context(); // global options are parsed; the list goes to stdout, uncoloured
      const { probeBackends } = await import('../../net/backend.js');
      const list = await probeBackends();
      const chosen = list.find((b) => b.available)?.name ?? null;
      if (flags.json) return writeJson({ default: chosen, backends: list }, true);
      let out = '';
      for (const b of list) {
        out += `${b.name.padEnd(11)} ${b.available ? 'yes' : 'no '}  ${b.detail}${b.name === chosen ? '  (default)' : ''}\n`;
      }
      await write(out);
    });
}
