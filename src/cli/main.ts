/**
 * The `lstm` program: global options, the commands, and the one place that turns errors
 * into exit codes. Every command is registered here from its definition (commands/: its
 * options and help, light modules only); its action loads its implementation (run/) with
 * one `import()`, so `lstm --help` loads no TensorFlow.
 */
import { Command, CommanderError, Option } from 'commander';
import { TOOL_VERSION } from '../config.js';
import { LstmError } from '../errors.js';
import { fsError } from '../fs-errors.js';
import type { BackendName } from '../net/backend.js';
import { makeContext, type Context, type GlobalFlags } from './context.js';
import { helpConfiguration } from './help.js';
import { installPipeHandling } from './output.js';
import { Reporter } from './reporter.js';
import { Stopped } from './signals.js';
import * as backends from './commands/backends.js';
import * as train from './commands/train.js';
import * as generate from './commands/generate.js';
import * as evaluate from './commands/eval.js';
import * as info from './commands/info.js';
import * as inspect from './commands/inspect.js';
import * as exporter from './commands/export.js';
import * as vocab from './commands/vocab.js';
import * as windows from './commands/windows.js';
import * as web from './commands/web.js';
import * as models from './commands/models.js';
import * as completion from './commands/completion.js';

/** Every backend's name, no other, as net/backend.ts has them (by its type: main.ts loads no TensorFlow). */
const BACKENDS = Object.keys({ tensorflow: 0, wasm: 0, cpu: 0 } satisfies Record<BackendName, 0>);

export function buildProgram(): Command {
  const program = new Command('lstm');
  program
    .configureHelp(helpConfiguration)
    .description('learn to write like any text: train a character-level LSTM and generate from it')
    .version(TOOL_VERSION, '-V, --version')
    .addOption(
      // Checked here, so a bad LSTM_BACKEND is named as the variable it came from.
      new Option('--backend <name>', 'TensorFlow.js backend (default: the fastest that loads)')
        .choices(BACKENDS)
        .env('LSTM_BACKEND'),
    )
    .option('-q, --quiet', 'no messages or progress on stderr (warnings and errors still show)')
    .option('--color', 'force colour on stderr')
    .option('--no-color', 'no colour on stderr (NO_COLOR also works)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  let ctx: Context | undefined;
  const context = () => (ctx ??= makeContext(program.opts<GlobalFlags>()));
  for (const command of [vocab, windows, train, generate, evaluate, inspect, info, models, exporter, web, backends])
    command.register(program, context);
  completion.register(program);
  for (const sub of program.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Runs the CLI; sets process.exitCode rather than exiting, so piped output is flushed. */
export async function main(argv: string[]): Promise<void> {
  installPipeHandling();
  const program = buildProgram();
  try {
    await program.parseAsync(helpTopicArgv(program, argv));
  } catch (err) {
    process.exitCode = report(err, program.opts<GlobalFlags>());
  }
}

/**
 * `lstm help NAME` for a command lstm lacks, parsed as `lstm NAME`: commander then refuses it
 * as it refuses that (with its suggestion), where it would print the whole help.
 */
function helpTopicArgv(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  let at = 0;
  while (at < args.length && args[at].startsWith('-')) at += args[at] === '--backend' ? 2 : 1;
  const name = args[at] === 'help' ? args[at + 1] : undefined;
  if (name === undefined || name.startsWith('-') || name === 'help') return argv;
  if (program.commands.some((c) => c.name() === name || c.aliases().includes(name))) return argv;
  return [...argv.slice(0, 2), ...args.slice(0, at), ...args.slice(at + 1)];
}

function report(err: unknown, flags: GlobalFlags): number {
  if (err instanceof CommanderError) {
    // commander has printed its message already; help and version are not errors.
    // `lstm` with no command shows help as an error ('commander.help'): a usage error.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help' && err.exitCode === 0) return 0; // `lstm help`
    return 2;
  }
  if (err instanceof Stopped) return err.exitCode; // the run said where it stopped and how to go on
  const reporter = new Reporter({ color: flags.color });
  reporter.done();
  // A file-system error no command expected is still a condition of this machine, not a bug.
  const known = err instanceof LstmError ? err : fsError(err);
  if (known) {
    reporter.error(known.message, known.hint);
    if (process.env.LSTM_DEBUG === '1') console.error(err instanceof Error ? err.stack : err);
    return known.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  reporter.error(message.split('\n')[0], 'this looks like a bug in lstm; rerun with LSTM_DEBUG=1 for details');
  if (process.env.LSTM_DEBUG === '1') console.error(err);
  return 1;
}
