/**
 * A job ran longer than `timeoutMs`: its AbortSignal was fired and it failed with this error.
 *
 * @example
 * pipeline.results$.subscribe((r) => { if (!r.ok && isJobTimeoutError(r.error)) retryLater(r.payload); });
 */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';

  constructor(
    readonly jobId: number,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} timed out after ${timeoutMs}ms`);
  }
}

/** True when `error` is a {@link JobTimeoutError} (from either build of the package). */
export function isJobTimeoutError(error: unknown): error is JobTimeoutError {
  // By name too: an app that loads both the ESM and the CommonJS build has two copies of the class.
  return (
    error instanceof JobTimeoutError || (error instanceof Error && error.name === 'JobTimeoutError')
  );
}
