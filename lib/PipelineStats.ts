/** Where a pipeline is in its life. */
export type PipelineState = 'idle' | 'running' | 'stopping' | 'stopped';

/** A snapshot of a pipeline's counters, from `pipeline.stats()`. */
export interface PipelineStats {
  readonly state: PipelineState;
  /** Items taken from the source so far. */
  readonly produced: number;
  /** Jobs waiting in the buffer (the queue depth). */
  readonly queued: number;
  /** Jobs a worker is running now. */
  readonly inFlight: number;
  /** Workers running (not counting those asked to stop). */
  readonly workers: number;
  readonly processed: number;
  readonly succeeded: number;
  readonly errors: number;
  readonly abandoned: number;
  readonly dropped: number;
  /** Failures inside the sliding error window right now. */
  readonly errorsInWindow: number;
  readonly peakWorkers: number;
  readonly peakDepth: number;
}
