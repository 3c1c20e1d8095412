import type { JobContext } from './options.js';

/**
 * The `ctx` of one attempt. Its AbortController is made only when `signal` is first read or the
 * attempt must be aborted: creating one per job was a third of the per-job cost of a no-op job.
 */
export class AttemptContext implements JobContext {
  private controller: AbortController | undefined = undefined;

  constructor(
    readonly jobId: number,
    readonly workerId: number,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** Fires the signal (now, or as soon as anyone reads it). */
  abort(reason: unknown): void {
    (this.controller ??= new AbortController()).abort(reason);
  }
}
