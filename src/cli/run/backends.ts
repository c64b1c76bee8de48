/** `lstm backends`: each TensorFlow.js backend, whether it loads here, and which one each command uses. */
import { chooseBackend, initBackend, probeBackends, WHY } from '../../net/backend.js';
import { COMMAND_JOBS, type Context } from '../context.js';
import { write, writeJson } from '../output.js';

export async function run(flags: { json?: boolean }, ctx: Context): Promise<void> {
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
  for (const backend of list)
    out += `${backend.name.padEnd(11)} ${backend.available ? 'yes' : 'no '}  ${backend.detail}\n`;
  out += '\n';
  for (const [command, use] of Object.entries(commands))
    out += `${`lstm ${command}`.padEnd(15)} ${use.backend.padEnd(11)} ${use.why}\n`;
  await write(out);
}
