import type { Writable } from 'node:stream';

/** The signals that stop the command: the first gracefully, the second at once. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * What the command talks to, so that it can run against the real process (lib/cli/main.ts) or
 * against streams and a fake signal source.
 */
export interface CommandIo {
  /** Log lines, help and version. */
  readonly stdout: Writable;
  /** Problems with the command line. */
  readonly stderr: Writable;
  /**
   * Calls `listener` on each SIGINT or SIGTERM until the returned function is called. While it is
   * subscribed the signals do not kill the process.
   */
  readonly onSignal: (listener: (signal: StopSignal) => void) => () => void;
}
