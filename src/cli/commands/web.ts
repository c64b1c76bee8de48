/** `lstm web`: a local page that runs the model in the browser: generate, inspect, training curves. */
import { Option, type Command } from 'commander';
import { dataError, LstmError, usageError } from '../../errors.js';
import { checkpointSpecs } from '../../params.js';
import type { Context } from '../context.js';
import { checkpointOption, int } from '../options.js';
import { write } from '../output.js';

type Flags = { model?: string; checkpoint?: string; port: number; host: string; corpus?: string[] };

export function register(program: Command, context: () => Context): void {
  program
    .command('web')
    .description(
      'a local page that runs the model in your browser: generate as you watch, inspect any text, see the training curves',
    )
    .option('-m, --model <dir>', 'model bundle or exported checkpoint (default: the bundled Macbeth model)')
    .addOption(checkpointOption())
    .addOption(
      new Option('--port <n>', 'port to listen on').argParser(int('--port', 0, 65_535)).default(0, 'a free one'),
    )
    .option(
      '--host <address>',
      'address to listen on; anything but loopback serves the model to your network',
      '127.0.0.1',
    )
    .option(
      '--corpus <path>',
      "the training text, for the page's originality figure, as generate --originality takes it (default: the files the model records, when they are still there)",
      (path: string, paths: string[] = []) => [...paths, path],
    )
    .action(async (flags: Flags) => run(flags, context()));
}

async function run(flags: Flags, ctx: Context): Promise<void> {
  const r = ctx.reporter;
  const { modelName, modelPath } = await import('../model.js');
  const { resolveCheckpoint, readCheckpointFiles } = await import('../../store/read.js');
  const { pageRoutes } = await import('../../web/routes.js');
  const { serve, isLoopback } = await import('../../web/server.js');
  const path = modelPath(flags.model);
  // Verified as every command verifies a bundle; the page is served these very bytes.
  const { checkpoint, files } = await readCheckpointFiles(
    await resolveCheckpoint(path, flags.checkpoint),
    checkpointSpecs,
  );
  const { trainingText } = await import('../training-text.js');
  let training;
  let corpusNote: string | null = null;
  try {
    training = await trainingText(checkpoint.manifest, path, flags.corpus ?? [], ctx);
  } catch (err) {
    // Given texts must be readable; without them the page just goes without the figure.
    if (flags.corpus || !(err instanceof LstmError)) throw err;
    corpusNote = `${err.message}; for the originality figure, ${err.hint ?? 'pass --corpus'}`;
  }
  const session = {
    model: modelName(flags.model),
    corpus: training ? { files: training.files, unchecked: training.unchecked } : null,
    corpusNote,
  };
  const routes = await pageRoutes(files, session, training?.text);
  let served;
  try {
    served = await serve(routes, flags.host, flags.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${flags.host}:${flags.port}`;
    if (code === 'EADDRINUSE')
      throw usageError(
        `port ${flags.port} on ${flags.host} is in use`,
        'choose another --port, or leave --port out for a free one',
      );
    if (code === 'EACCES')
      throw usageError(
        `not allowed to listen on ${where}`,
        'ports below 1024 need privileges: choose a higher --port, or leave it out',
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw usageError(`--host ${flags.host} is not an address of this machine`, 'leave --host out for 127.0.0.1');
    throw dataError(`cannot listen on ${where}: ${(err as Error).message}`);
  }
  if (!isLoopback(flags.host))
    r.warn(`listening on ${flags.host}: anyone who can reach this machine can use the page and download the model`);
  if (corpusNote) r.info(`no originality figure in the page: ${corpusNote}`);
  r.info(`serving ${path} (read-only) at the address on stdout; open it in a browser, Ctrl-C stops`);
  await write(`${served.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      served.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
