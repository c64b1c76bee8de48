/**
 * Errors the user can act on. Each kind maps to an exit code; the CLI prints
 * `error: <message>` and the hint on one more line, never a stack trace
 * (unless LSTM_DEBUG=1). Pure: the browser pages share the modules that throw these
 * (fs-errors.ts has the operating system's).
 */
export type ErrorKind = 'usage' | 'data' | 'runtime';

const EXIT_CODES: Record<ErrorKind, number> = {
  data: 1,
  runtime: 1,
  usage: 2,
};

export class LstmError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;

  constructor(kind: ErrorKind, message: string, hint?: string) {
    super(message);
    this.name = 'LstmError';
    this.kind = kind;
    this.hint = hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export const usageError = (message: string, hint?: string) => new LstmError('usage', message, hint);
export const dataError = (message: string, hint?: string) => new LstmError('data', message, hint);
export const runtimeError = (message: string, hint?: string) => new LstmError('runtime', message, hint);
