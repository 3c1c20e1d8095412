/**
 * A job was still running when the shutdown deadline passed: its AbortSignal was fired and it
 * failed with this error, so that it cannot hold the shutdown.
 *
 * @example
 * await pipeline.shutdown({ deadlineMs: 5_000 });
 */
export class ShutdownDeadlineError extends Error {
  override readonly name = 'ShutdownDeadlineError';

  constructor(readonly jobId: number) {
    super(`job ${jobId} was aborted: the shutdown deadline passed`);
  }
}

/** True when `error` is a {@link ShutdownDeadlineError} (from either build of the package). */
export function isShutdownDeadlineError(error: unknown): error is ShutdownDeadlineError {
  // By name too: an app that loads both the ESM and the CommonJS build has two copies of the class.
  return (
    error instanceof ShutdownDeadlineError ||
    (error instanceof Error && error.name === 'ShutdownDeadlineError')
  );
}
