/**
 * Everything the user reads on stderr: messages, warnings, progress. Colour follows
 * --color/--no-color, then NO_COLOR (chalk ignores it by itself), then whether stderr is
 * a TTY. Spinners only animate on a TTY; elsewhere progress is silent.
 */
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';

export type ReporterOptions = { quiet?: boolean; color?: boolean };

export class Reporter {
  readonly c: ChalkInstance;
  readonly quiet: boolean;
  readonly tty: boolean;
  private spinner?: Ora;
  /** ora, loaded in the background only where a spinner can show (saves ~50 ms of start-up elsewhere). */
  private ora?: typeof import('ora').default;

  constructor(options: ReporterOptions = {}, stream: NodeJS.WriteStream = process.stderr) {
    this.quiet = options.quiet ?? false;
    this.tty = Boolean(stream.isTTY);
    this.c = new Chalk({ level: colorLevel(options.color, this.tty) });
    if (this.tty && !this.quiet) {
      import('ora').then(
        (m) => {
          this.ora = m.default;
        },
        () => {},
      );
    }
  }

  /** Chatter: silenced by --quiet. */
  info(message: string): void {
    if (!this.quiet) this.line(message);
  }

  /** What the user asked to be told beside the product (e.g. `generate --originality`): shown even with --quiet. */
  result(message: string): void {
    this.line(message);
  }

  /** Warnings are shown even with --quiet: they are about the result. */
  warn(message: string): void {
    this.line(`${this.c.yellow('warning:')} ${message}`);
  }

  error(message: string, hint?: string): void {
    this.line(`${this.c.red('error:')} ${message}`);
    if (hint) this.line(`${this.c.dim('hint:')} ${hint}`);
  }

  /** A progress line that redraws in place on a TTY, and says nothing elsewhere. */
  progress(text: string): void {
    // A terminal that reports no width (e.g. under `script` without a size) would make ora
    // count infinitely many wrapped lines to clear: no spinner there.
    const columns = process.stderr.columns ?? 0;
    if (this.quiet || !this.tty || !(columns > 0)) return;
    if (text.length > columns - 3) text = `${text.slice(0, Math.max(1, columns - 4))}…`;
    if (!this.ora) return; // still loading: the next batch shows it
    if (!this.spinner) {
      this.spinner = this.ora({ text, stream: process.stderr, discardStdin: false, hideCursor: false }).start();
    } else this.spinner.text = text;
  }

  /** Ends any progress line. */
  done(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private line(text: string): void {
    const spinning = this.spinner?.isSpinning;
    if (spinning) this.spinner!.clear();
    process.stderr.write(`${text}\n`);
    if (spinning) this.spinner!.render();
  }
}

/**
 * Colour level: explicit flag first, then NO_COLOR, then the terminal's own support
 * (stderr's, or stdout's for a product that is coloured itself: `lstm inspect`).
 */
function colorLevel(flag: boolean | undefined, tty: boolean, support = supportsColorStderr): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  if (flag === true) return support ? support.level || 1 : 1;
  if (noColor || !tty) return 0;
  return support ? support.level : 0;
}

/** Colours for what is written to stdout, under the same rules as the reporter's. */
export function stdoutChalk(flag: boolean | undefined): ChalkInstance {
  return new Chalk({ level: colorLevel(flag, Boolean(process.stdout.isTTY), supportsColor) });
}
