/** `lstm backends`: each TensorFlow.js backend, whether it loads here, and which one each command uses. */
import type { Command } from 'commander';
import { COMMAND_JOBS, type Context } from '../context.js';
import { write, writeJson } from '../output.js';

export function register(program: Command, context: () => Context): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends, whether each loads here, and which one each command uses')
    .option('--json', 'print the same as JSON')
    .action(async (flags: { json?: boolean }) => {
      const ctx = context(); // global options are parsed; the list goes to stdout, uncoloured
      const { probeBackends, chooseBackend, initBackend, WHY } = await import('../../net/backend.js');
      const list = await probeBackends();
      const commands: Record<string, { backend: string; why: string }> = {};
      for (const [command, job] of Object.entries(COMMAND_JOBS)) {
        const backend =
          ctx.flags.backend !== undefined ? await initBackend(ctx.flags.backend, job) : (await chooseBackend(job)).name;
        commands[command] = {
          backend,
          why: ctx.flags.backend !== undefined ? 'chosen with --backend (or LSTM_BACKEND)' : WHY[job],
        };
      }
      if (flags.json) return writeJson({ default: commands.train.backend, commands, backends: list }, true);
      let out = '';
      for (const b of list) out += `${b.name.padEnd(11)} ${b.available ? 'yes' : 'no '}  ${b.detail}\n`;
      out += '\n';
      for (const [command, c] of Object.entries(commands))
        out += `${`lstm ${command}`.padEnd(15)} ${c.backend.padEnd(11)} ${c.why}\n`;
      await write(out);
    });
}
