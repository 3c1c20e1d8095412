/** What every finished job reports, successful or not. Timestamps are `Date.now()` milliseconds. */
interface JobResultBase<In> {
  /** Counts up from 1 in the order the source handed the items over. */
  readonly jobId: number;
  /** The worker that ran the job (ids count up from 1 and are never reused). */
  readonly workerId: number;
  /** 1 for the first try; higher when the job was retried. */
  readonly attempt: number;
  /** The item as the source gave it. */
  readonly payload: In;
  /** When the source handed the item over. */
  readonly queuedAt: number;
  /** When a worker started it (its last attempt). */
  readonly startedAt: number;
  /** When it ended. */
  readonly finishedAt: number;
}

/** A job whose `process` call returned (or resolved to) a value. */
export interface JobSuccess<Out, In = unknown> extends JobResultBase<In> {
  readonly ok: true;
  readonly value: Out;
}

/** A job whose `process` call threw or rejected (with anything, not only an `Error`), or timed out. */
export interface JobFailure<In = unknown> extends JobResultBase<In> {
  readonly ok: false;
  readonly error: unknown;
}

/** One result per job that a worker finished; discriminate on `ok`. */
export type JobResult<Out, In = unknown> = JobSuccess<Out, In> | JobFailure<In>;
