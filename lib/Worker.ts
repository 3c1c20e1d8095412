import type { Subscriber } from 'rxjs';
import type { JobContext } from './options.js';

/**
 * A job as the pipeline tracks it from the source to its result. It is also the `ctx` that `process`
 * gets, describing the job's current attempt: one object per job rather than two (the signal is made
 * on first read, and each attempt gets a new one).
 */
export class Job<In> implements JobContext {
  /** Attempts started so far. */
  attempt = 0;
  startedAt = 0;
  workerId = 0;
  private controller: AbortController | undefined = undefined;

  constructor(
    readonly id: number,
    readonly payload: In,
    readonly queuedAt: number,
  ) {}

  get jobId(): number {
    return this.id;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** Begins an attempt on a worker, with a fresh signal. */
  begin(workerId: number, now: number): void {
    this.attempt++;
    this.workerId = workerId;
    this.startedAt = now;
    this.controller = undefined;
  }

  /** Fires the current attempt's signal (now, or as soon as anyone reads it). */
  abort(reason: unknown): void {
    (this.controller ??= new AbortController()).abort(reason);
  }
}

/**
 * One worker's state. The pipeline runs the loop (take a job, run it, take the next) with plain calls
 * on this record rather than an Observable per job; the worker's own Observable in the registry
 * completes when it exits.
 */
export class Worker<In> {
  /** The job running now, if any. */
  job: Job<In> | undefined = undefined;
  /** Identifies the running attempt, so that a late settlement (after a timeout) is ignored. */
  attemptToken = 0;
  timeout: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Asked to stop: it exits once its current job ends. */
  stopping = false;
  exited = false;

  /** Settle this worker's attempt; made once per worker, not per job (see Pipeline.startJob). */
  onValue: (value: unknown) => void = noop;
  onError: (error: unknown) => void = noop;

  constructor(
    readonly id: number,
    readonly registration: Subscriber<never>,
  ) {}
}

function noop(): void {}
