import { isObservable, type Observable } from 'rxjs';
import type { JobFailure } from './JobResult.js';
import { z } from 'zod';
import { PipelineOptionsError } from './PipelineOptionsError.js';
import { parseSettings } from './parseSettings.js';
import {
  crossCheck,
  optionLabels,
  settingsShape,
  showValue,
  waterMarks,
} from './settingsSchema.js';

/** Anything a pipeline can read jobs from. Iterables are pulled only while the buffer has room. */
export type PipelineSource<In> = Iterable<In> | AsyncIterable<In> | Observable<In>;

/**
 * What `process` receives besides the payload. It describes the job's current attempt: read it while
 * the attempt runs (a retry gets a new `attempt`, `workerId` and `signal`).
 */
export interface JobContext {
  readonly jobId: number;
  readonly workerId: number;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number;
  /** Fired when the job times out (`timeoutMs`) or the shutdown deadline passes. */
  readonly signal: AbortSignal;
}

/** The work done for each job. May return a value or a promise; throwing or rejecting fails the job. */
export type ProcessFn<In, Out> = (payload: In, ctx: JobContext) => Out | PromiseLike<Out>;

function isSource(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return false; // iterable, but surely a mistake
  return (
    isObservable(value) ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' ||
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

const onFailure = z.custom<(result: unknown) => void>((v) => typeof v === 'function', {
  error: (issue) => `Expected \`onFailure\` to be a function, got \`${showValue(issue.input)}\``,
});

/** The whole option schema of {@link createPipeline}: functions and source, then the shared settings. */
export const pipelineOptionsShape = {
  source: z.custom<PipelineSource<unknown>>(isSource, {
    error: (issue) =>
      `Expected \`source\` to be an Iterable, AsyncIterable or Observable, got \`${showValue(issue.input)}\``,
  }),
  process: z.custom<ProcessFn<unknown, unknown>>((v) => typeof v === 'function', {
    error: (issue) => `Expected \`process\` to be a function, got \`${showValue(issue.input)}\``,
  }),
  onFailure: onFailure.optional(),
  ...settingsShape(optionLabels),
};

export const pipelineOptionsSchema = z.strictObject(pipelineOptionsShape);

type Schema = typeof pipelineOptionsSchema;

/** The tuning settings of {@link createPipeline}, all optional. */
export interface PipelineSettings {
  /** Workers kept even when the queue is empty: an integer >= 0. Default 1. */
  minWorkers?: number;
  /** The most workers at once: an integer >= 1 and >= `minWorkers`. Default 8. */
  maxWorkers?: number;
  /** Capacity of the buffer between the source and the workers. Default 100. */
  queueCap?: number;
  /** The pool grows while the queue depth is >= this. Default 70% of `queueCap`. */
  highWater?: number;
  /** The pool shrinks while the queue depth is <= this (< `highWater`). Default 20% of `queueCap`. */
  lowWater?: number;
  /** How often the supervisor decides to scale, in ms. Default 2000. */
  scaleIntervalMs?: number;
  /** Width of the sliding error window, in ms. Default 10000. */
  errWindowMs?: number;
  /** Failures within `errWindowMs` that stop the pipeline; 0 disables. Default 10. */
  errThreshold?: number;
  /** What a full buffer does with a pushed job (Observable sources). Default "error". */
  overflow?: 'error' | 'drop-newest' | 'drop-oldest';
  /** Time limit of one attempt, in ms: aborts `signal` and fails it. Default none. */
  timeoutMs?: number;
  /** Extra attempts after a failure. Default 0. */
  retries?: number;
  /** Wait before a retry, in ms. Default 100. */
  retryDelayMs?: number;
  /** How long a shutdown waits for running jobs before aborting them, in ms. Default none. */
  shutdownDeadlineMs?: number;
}

// Compile-time guard: the documented interface and the schema accept exactly the same settings.
type SchemaSettings = Omit<z.input<Schema>, 'source' | 'process' | 'onFailure'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const settingsInSync: Same<Required<PipelineSettings>, Required<SchemaSettings>> = true;
void settingsInSync;

/**
 * Options of {@link createPipeline}. Everything but `source` and `process` is optional:
 * `minWorkers` 1, `maxWorkers` 8, `queueCap` 100, `highWater` 70% and `lowWater` 20% of `queueCap`,
 * `scaleIntervalMs` 2000, `errWindowMs` 10000, `errThreshold` 10 (0 disables), `overflow` "error",
 * `retries` 0, `retryDelayMs` 100, no `timeoutMs`, no `shutdownDeadlineMs`.
 */
export type PipelineOptions<In, Out> = PipelineSettings & {
  /** Where jobs come from. */
  source: PipelineSource<In>;
  /** The work for one job. */
  process: ProcessFn<In, Out>;
  /** Called with each final failure (after the last retry): a dead-letter hook. */
  onFailure?: (result: JobFailure<In>) => void;
};

/** Options after validation and defaults, as the pipeline uses them. */
export type ResolvedOptions<In, Out> = Omit<
  z.output<Schema>,
  'source' | 'process' | 'onFailure' | 'highWater' | 'lowWater'
> & {
  source: PipelineSource<In>;
  process: ProcessFn<In, Out>;
  onFailure: ((result: JobFailure<In>) => void) | undefined;
  highWater: number;
  lowWater: number;
};

/** Validates options, fills defaults, and throws one {@link PipelineOptionsError} listing every problem. */
export function resolveOptions<In, Out>(
  options: PipelineOptions<In, Out>,
): ResolvedOptions<In, Out> {
  if (options === null || typeof options !== 'object') {
    throw new PipelineOptionsError([
      {
        code: 'custom',
        path: [],
        message: `Expected options to be an object, got \`${showValue(options)}\``,
        input: options,
      },
    ]);
  }
  const input = options as unknown as Record<string, unknown>;
  const { data, issues } = parseSettings(pipelineOptionsShape, input, (valid) =>
    crossCheck(optionLabels, {
      ...valid,
      ...(valid.queueCap !== undefined ? waterMarks(valid.queueCap, valid) : {}),
    }),
  );
  const known = new Set(Object.keys(pipelineOptionsShape));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      issues.push({
        code: 'custom',
        path: [key],
        message: `Unknown option \`${key}\` (known: ${[...known].join(', ')})`,
        input: input[key],
      });
    }
  }
  if (issues.length > 0) throw new PipelineOptionsError(issues);
  return {
    ...data,
    ...waterMarks(data.queueCap, data),
    source: options.source,
    process: options.process,
    onFailure: options.onFailure,
  } as ResolvedOptions<In, Out>;
}
