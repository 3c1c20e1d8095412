import { resolveOptions, type PipelineOptions } from './options.js';
import { Pipeline } from './Pipeline.js';

/**
 * Creates an auto-scaling pipeline: a producer pulls jobs from `source` into a bounded buffer, a
 * supervisor grows the worker pool while the queue is deep and shrinks it when it is shallow, and
 * each worker runs `process` on one job at a time. Nothing starts until `run()`.
 *
 * Throws a {@link PipelineOptionsError} listing every invalid option at once.
 *
 * @example
 * import { createPipeline } from 'dynpipe';
 *
 * const pipeline = createPipeline({
 *   source: urls,                                  // Iterable, AsyncIterable or Observable
 *   process: (url, { signal }) => fetch(url, { signal }).then((r) => r.status),
 *   minWorkers: 2,
 *   maxWorkers: 16,
 * });
 * pipeline.results$.subscribe((r) => console.log(r.jobId, r.ok ? r.value : r.error));
 * const summary = await pipeline.run();             // { reason: 'completed', processed, errors, ... }
 */
export function createPipeline<In, Out>(options: PipelineOptions<In, Out>): Pipeline<In, Out> {
  return new Pipeline(resolveOptions(options));
}
