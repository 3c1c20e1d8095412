import type { PipelineSummary, StopReason } from './PipelineSummary.js';

/** What an Observable source's full buffer does with the next item. */
export type OverflowPolicy = 'error' | 'drop-newest' | 'drop-oldest';

/** The supervisor's decision on one tick. */
export type ScaleDirection = 'up' | 'down' | 'steady';

interface EventBase {
  /** `Date.now()` when it happened. */
  readonly at: number;
}

/** A worker began taking jobs. `workers` counts running workers after the change. */
export interface WorkerStartedEvent extends EventBase {
  readonly type: 'worker-started';
  readonly workerId: number;
  readonly workers: number;
}

/** A worker was asked to stop; when `busy` it first finishes its current job. */
export interface WorkerStoppingEvent extends EventBase {
  readonly type: 'worker-stopping';
  readonly workerId: number;
  readonly busy: boolean;
  readonly workers: number;
}

/** A worker exited. */
export interface WorkerStoppedEvent extends EventBase {
  readonly type: 'worker-stopped';
  readonly workerId: number;
  readonly workers: number;
}

/** One supervisor tick: the queue depth it saw and the worker count after acting on it. */
export interface ScaleEvent extends EventBase {
  readonly type: 'scale';
  readonly direction: ScaleDirection;
  readonly delta: -1 | 0 | 1;
  readonly depth: number;
  readonly workers: number;
}

/** The sliding error window reached its threshold; an `error-rate` shutdown follows. */
export interface ErrorRateExceededEvent extends EventBase {
  readonly type: 'error-rate-exceeded';
  readonly errors: number;
  readonly windowMs: number;
  readonly threshold: number;
}

/** An Observable source outran the buffer and the overflow policy dropped a job. */
export interface JobDroppedEvent<In = unknown> extends EventBase {
  readonly type: 'job-dropped';
  readonly jobId: number;
  readonly payload: In;
  readonly policy: OverflowPolicy;
}

/** A job failed and will be tried again after `delayMs`; it holds no worker while it waits. */
export interface JobRetryEvent extends EventBase {
  readonly type: 'job-retry';
  readonly jobId: number;
  /** The attempt that will run next (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/** The source ended; the queued jobs are still processed. */
export interface SourceCompletedEvent extends EventBase {
  readonly type: 'source-completed';
  readonly produced: number;
}

/** The source threw or errored; the jobs it already gave are still processed. */
export interface SourceErrorEvent extends EventBase {
  readonly type: 'source-error';
  readonly error: unknown;
}

/** Shutdown began (or, when repeated, was made stricter). */
export interface ShutdownRequestedEvent extends EventBase {
  readonly type: 'shutdown-requested';
  readonly reason: StopReason;
  readonly drain: boolean;
  readonly deadlineMs: number;
}

/** The shutdown deadline passed: the jobs still running had their AbortSignal fired. */
export interface DeadlineExceededEvent extends EventBase {
  readonly type: 'deadline-exceeded';
  readonly aborted: number;
}

/** The last event: the pipeline has fully stopped. */
export interface StoppedEvent<In = unknown> extends EventBase {
  readonly type: 'stopped';
  readonly summary: PipelineSummary<In>;
}

/** Everything `pipeline.events$` emits; discriminate on `type`. */
export type PipelineEvent<In = unknown> =
  | WorkerStartedEvent
  | WorkerStoppingEvent
  | WorkerStoppedEvent
  | ScaleEvent
  | ErrorRateExceededEvent
  | JobDroppedEvent<In>
  | JobRetryEvent
  | SourceCompletedEvent
  | SourceErrorEvent
  | ShutdownRequestedEvent
  | DeadlineExceededEvent
  | StoppedEvent<In>;
