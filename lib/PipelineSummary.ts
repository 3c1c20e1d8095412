/** Why a pipeline stopped. */
export type StopReason = 'completed' | 'shutdown' | 'error-rate' | 'source-error';

/** A job that was taken from the source but never started: handed back so nothing is lost. */
export interface AbandonedJob<In> {
  readonly jobId: number;
  readonly payload: In;
  readonly queuedAt: number;
}

/**
 * What `run()` and `shutdown()` resolve to once the pipeline has fully stopped.
 * On every way a run can end: `produced = processed + abandoned + dropped`
 * and `processed = succeeded + errors`.
 */
export interface PipelineSummary<In = unknown> {
  readonly reason: StopReason;
  /** Items taken from the source. */
  readonly produced: number;
  /** Jobs a worker finished, ok or not. */
  readonly processed: number;
  /** Jobs that finished ok. */
  readonly succeeded: number;
  /** Jobs that failed (after their last attempt). */
  readonly errors: number;
  /** Jobs taken from the source but never started; their payloads are in `abandonedJobs`. */
  readonly abandoned: number;
  /** Items refused by the overflow policy of an Observable source. */
  readonly dropped: number;
  /** The unstarted jobs, in source order, so that the caller can resubmit them. */
  readonly abandonedJobs: readonly AbandonedJob<In>[];
  /** The most workers that ran at once. */
  readonly peakWorkers: number;
  /** The deepest the queue got. */
  readonly peakDepth: number;
  /** `Date.now()` when `run()` was called (or when shutdown was, if it never ran). */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly durationMs: number;
  /** The source's error, when `reason` is `source-error`. */
  readonly error?: unknown;
}
