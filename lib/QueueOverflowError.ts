/**
 * An Observable source emitted while the buffer was full and the overflow policy is `error`: the
 * pipeline stops taking items (reason `source-error`), processes what it holds, and hands the refused
 * item back in `abandonedJobs`. Use an iterable source for back-pressure, or `overflow: 'drop-newest'`.
 *
 * @example
 * const summary = await pipeline.run();
 * if (isQueueOverflowError(summary.error)) console.warn(summary.error.message);
 */
export class QueueOverflowError extends Error {
  override readonly name = 'QueueOverflowError';

  constructor(readonly queueCap: number) {
    super(
      `the source emitted while the buffer was full (queueCap ${queueCap}); ` +
        `use an iterable source for back-pressure, or the overflow option "drop-newest" or "drop-oldest"`,
    );
  }
}

/** True when `error` is a {@link QueueOverflowError} (from either build of the package). */
export function isQueueOverflowError(error: unknown): error is QueueOverflowError {
  // By name too: an app that loads both the ESM and the CommonJS build has two copies of the class.
  return (
    error instanceof QueueOverflowError ||
    (error instanceof Error && error.name === 'QueueOverflowError')
  );
}
