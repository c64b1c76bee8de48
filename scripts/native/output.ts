/**
 * What the script prints: progress lines on stdout, each starting `native:`, and failures,
 * thrown as one-line messages that main prints as `native: error: ...` (no stack trace).
 */

/** A failure the user can act on; its message is the whole line. */
export class Failure extends Error {}

export function fail(message: string): never {
  throw new Failure(message);
}

export const say = (message: string): void => console.log(`native: ${message}`);
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;
