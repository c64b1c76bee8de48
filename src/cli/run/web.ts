/** `lstm web`: a local page that runs the model in the browser: generate, inspect, training curves. */
import { basename } from 'node:path';
import { dataError, LstmError, usageError } from '../../errors.js';
import type { TrainingText } from '../../generate/originality.js';
import { shellCommand } from '../../shell.js';
import type { CorpusRecord } from '../../store/manifest.js';
import { loadModel } from '../../store/load.js';
import { pageRoutes } from '../../web/routes.js';
import { isLoopback, serve, type Routes, type Served } from '../../web/server.js';
import type { WebFlags } from '../commands/web.js';
import type { Context } from '../context.js';
import { modelName, modelPath } from '../model.js';
import { write } from '../output.js';
import { trainingText } from '../training-text.js';

export async function run(flags: WebFlags, ctx: Context): Promise<void> {
  const { reporter } = ctx;
  const path = modelPath(flags.model);
  // Verified as every command verifies a bundle; the page is served these very bytes.
  const { checkpoint, files } = await loadModel(path, { which: flags.checkpoint });
  let training: TrainingText | undefined;
  let corpusNote: string | null = null;
  let why: string | undefined;
  try {
    training = await trainingText(checkpoint.manifest, path, flags.corpus ?? [], ctx);
  } catch (err) {
    // Given texts must be readable; without them the page goes without the figure, saying in
    // one sentence how to get it (the terminal hears why).
    if (flags.corpus || !(err instanceof LstmError)) throw err;
    why = `${err.message}; ${err.hint ?? 'pass --corpus'}`;
    corpusNote = howToGetOriginality(flags, checkpoint.manifest.corpus);
  }
  const session = {
    model: modelName(flags.model),
    corpus: training ? { files: training.files, unchecked: training.unchecked } : null,
    corpusNote,
  };
  const routes = await pageRoutes(files, session, training?.text);
  const served = await listen(routes, flags);
  if (!isLoopback(flags.host))
    reporter.warn(
      `listening on ${flags.host}: anyone who can reach this machine can use the page and download the model`,
    );
  if (why) reporter.info(`no originality figure in the page: ${why}`);
  reporter.info(`serving ${path} (read-only) at the address on stdout; open it in a browser, Ctrl-C stops`);
  await write(`${served.url}\n`);
  await untilStopped(served);
}

/** The page's line where the training text is not at hand: one sentence, the command that gives the figure. */
function howToGetOriginality(flags: WebFlags, corpus: CorpusRecord): string {
  const files = corpus.files ?? [];
  const text = files.length === 1 ? `<path to ${basename(files[0].name)}>` : '<its text files>';
  const model = flags.model === undefined ? '' : ` -m ${shellCommand([flags.model])}`;
  return `To see how much of a sample is copied from the training text, run lstm web${model} --corpus ${text}.`;
}

/** Serves `routes` where --host and --port say; the reasons it cannot, in the user's terms. */
async function listen(routes: Routes, flags: WebFlags): Promise<Served> {
  try {
    return await serve(routes, flags.host, flags.port);
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
}

/** Until SIGINT or SIGTERM: then the server closes and the command ends (exit 0). */
async function untilStopped(served: Served): Promise<void> {
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
