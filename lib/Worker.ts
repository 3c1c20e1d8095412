import type { Subscriber } from 'rxjs';
import type { AttemptContext } from './AttemptContext.js';

/** A job as the pipeline tracks it from the source to its result. */
export interface Job<In> {
  readonly id: number;
  readonly payload: In;
  readonly queuedAt: number;
  /** Attempts started so far. */
  attempt: number;
  startedAt: number;
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
  /** The running attempt's `ctx`, kept to fire its signal. */
  context: AttemptContext | undefined = undefined;
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
