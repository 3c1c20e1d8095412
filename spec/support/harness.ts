// Helpers shared by the pipeline specs: record what a pipeline emits, and drive it with a fake clock.
import type sinon from 'sinon';
import type { JobResult, Pipeline, PipelineEvent, PipelineSummary } from '../../lib/index.js';

export interface Recording<In, Out> {
  results: JobResult<Out, In>[];
  events: PipelineEvent<In>[];
  ofType<T extends PipelineEvent<In>['type']>(type: T): Extract<PipelineEvent<In>, { type: T }>[];
}

/** Subscribes to results$ and events$ before the run starts. */
export function record<In, Out>(pipeline: Pipeline<In, Out>): Recording<In, Out> {
  const recording: Recording<In, Out> = {
    results: [],
    events: [],
    ofType: (type) => recording.events.filter((e) => e.type === type) as never,
  };
  pipeline.results$.subscribe((r) => recording.results.push(r));
  pipeline.events$.subscribe((e) => recording.events.push(e));
  return recording;
}

/** A promise that settles after `ms` of (fake) time, rejecting with the signal's reason if aborted. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Advances the fake clock in steps until `promise` settles; fails if it takes more than `maxMs`. */
export async function settle<T>(
  clock: sinon.SinonFakeTimers,
  promise: Promise<T>,
  { stepMs = 10, maxMs = 600_000 } = {},
): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let elapsed = 0; !done; elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`did not settle within ${maxMs}ms of fake time`);
    await clock.tickAsync(stepMs);
  }
  return promise;
}

/** Runs a pipeline to its end under the fake clock. */
export function runToEnd<In, Out>(
  clock: sinon.SinonFakeTimers,
  pipeline: Pipeline<In, Out>,
  options?: { stepMs?: number; maxMs?: number },
): Promise<PipelineSummary<In>> {
  return settle(clock, pipeline.run(), options);
}

/** The accounting every run must satisfy, whatever way it ended. */
export function accountedFor(summary: PipelineSummary<unknown>): boolean {
  return (
    summary.produced === summary.processed + summary.abandoned + summary.dropped &&
    summary.processed === summary.succeeded + summary.errors &&
    summary.abandoned === summary.abandonedJobs.length
  );
}

/** 1..n as an array. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
