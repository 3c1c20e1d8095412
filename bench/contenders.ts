/**
 * The contenders of the job scenarios (overhead, timer-bound, memory): each runs `n` jobs, `work(0)`
 * .. `work(n - 1)`, at most `concurrency` at once, and resolves once every job has finished. Each is
 * written the way a user who cares about speed would write it with that library.
 */
import async from 'async';
import fastq from 'fastq';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { from, lastValueFrom, mergeMap } from 'rxjs';
import { createPipeline } from '../lib/index.js';

export interface JobsSpec {
  readonly n: number;
  readonly concurrency: number;
  readonly work: (i: number) => Promise<void>;
  /** dynpipe's buffer size, and the bound of the bounded p-queue. */
  readonly queueCap: number;
  /** dynpipe's supervisor interval with scaling on. */
  readonly scaleIntervalMs: number;
}

export type RunJobs = (spec: JobsSpec) => Promise<void>;

/**
 * A lazy source of 0..n-1, pulled one item at a time (like a generator, without the generator's own
 * cost, so that it weighs the same on every contender that reads it).
 */
export function range(n: number): Iterable<number> {
  return {
    [Symbol.iterator](): Iterator<number> {
      let i = 0;
      return {
        next: (): IteratorResult<number> =>
          i < n ? { value: i++, done: false } : { value: undefined, done: true },
      };
    },
  };
}

async function dynpipe(spec: JobsSpec, scaling: boolean): Promise<void> {
  const pipeline = createPipeline<number, void>({
    source: range(spec.n),
    process: spec.work,
    minWorkers: scaling ? 1 : spec.concurrency,
    maxWorkers: spec.concurrency,
    queueCap: spec.queueCap,
    ...(scaling ? { scaleIntervalMs: spec.scaleIntervalMs } : {}),
  });
  const summary = await pipeline.run();
  if (summary.reason !== 'completed' || summary.succeeded !== spec.n) {
    throw new Error(`dynpipe: ${summary.reason}, ${summary.succeeded}/${spec.n} succeeded`);
  }
}

/** Every job added at once; the queue holds all of them. */
async function pQueue({ n, concurrency, work }: JobsSpec): Promise<void> {
  const queue = new PQueue({ concurrency });
  for (const i of range(n)) void queue.add(() => work(i));
  await queue.onIdle();
}

/** The documented way to bound p-queue: wait for room before adding. */
async function pQueueBounded({ n, concurrency, work, queueCap }: JobsSpec): Promise<void> {
  const queue = new PQueue({ concurrency });
  for (const i of range(n)) {
    if (queue.size >= queueCap) await queue.onSizeLessThan(queueCap);
    void queue.add(() => work(i));
  }
  await queue.onIdle();
}

/** fastq's native API: a callback worker. */
function fastqCallback({ n, concurrency, work }: JobsSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue = fastq<unknown, number, void>((i, done) => {
      work(i).then(() => done(null), done);
    }, concurrency);
    queue.error((err) => {
      if (err) reject(err);
    });
    for (const i of range(n)) queue.push(i);
    queue.drain = resolve;
  });
}

/** fastq's promise API: an async worker; `push` returns a promise per job. */
async function fastqPromise({ n, concurrency, work }: JobsSpec): Promise<void> {
  const queue = fastq.promise<unknown, number, void>(work, concurrency);
  for (const i of range(n)) void queue.push(i);
  await queue.drained();
}

/** The p-limit idiom: one limited promise per job, awaited together. */
async function pLimitAll({ n, concurrency, work }: JobsSpec): Promise<void> {
  const limit = pLimit(concurrency);
  const all: Promise<void>[] = [];
  for (const i of range(n)) all.push(limit(() => work(i)));
  await Promise.all(all);
}

/** async.queue with its native callback worker. */
async function asyncQueue({ n, concurrency, work }: JobsSpec): Promise<void> {
  const queue = async.queue<number>((i, done) => {
    work(i).then(() => done(), done);
  }, concurrency);
  // With a callback, push() allocates no promise per job (without one, async 3 returns a promise).
  let failure: unknown = undefined;
  const onDone = (err?: unknown) => {
    if (err) failure ??= err;
  };
  for (const i of range(n)) queue.push(i, onDone);
  await queue.drain();
  if (failure !== undefined) throw failure;
}

/**
 * RxJS mergeMap fed from an iterable. Note: `from(iterable)` pushes the whole iterable synchronously
 * on subscribe; mergeMap keeps what it cannot start yet in an unbounded buffer.
 */
async function rxjsMergeMap({ n, concurrency, work }: JobsSpec): Promise<void> {
  await lastValueFrom(from(range(n)).pipe(mergeMap((i) => work(i), concurrency)), {
    defaultValue: undefined,
  });
}

/** The floor: `concurrency` async loops taking the next index from a shared counter. */
async function minimalPool({ n, concurrency, work }: JobsSpec): Promise<void> {
  let next = 0;
  async function loop(): Promise<void> {
    while (next < n) {
      const i = next++;
      await work(i);
    }
  }
  const loops: Promise<void>[] = [];
  for (let k = 0; k < concurrency; k++) loops.push(loop());
  await Promise.all(loops);
}

export const jobContenders = {
  'dynpipe-off': (spec: JobsSpec) => dynpipe(spec, false),
  'dynpipe-on': (spec: JobsSpec) => dynpipe(spec, true),
  'p-queue': pQueue,
  'p-queue-bounded': pQueueBounded,
  'fastq-cb': fastqCallback,
  'fastq-promise': fastqPromise,
  'p-limit': pLimitAll,
  'async-queue': asyncQueue,
  'rxjs-mergeMap': rxjsMergeMap,
  'minimal-pool': minimalPool,
} satisfies Record<string, RunJobs>;

export type JobContenderName = keyof typeof jobContenders;

export const jobContenderNames = Object.keys(jobContenders) as JobContenderName[];

/** The libraries a user would pick instead: neither dynpipe nor the hand-written floor. */
export const peerNames: readonly JobContenderName[] = jobContenderNames.filter(
  (name) => !name.startsWith('dynpipe') && name !== 'minimal-pool',
);

export const contenderNotes: Record<JobContenderName, string> = {
  'dynpipe-off': 'createPipeline, minWorkers = maxWorkers = concurrency (scaling off)',
  'dynpipe-on': 'createPipeline, minWorkers 1, maxWorkers = concurrency, scaleIntervalMs short',
  'p-queue': 'new PQueue({ concurrency }); add() every job, then onIdle()',
  'p-queue-bounded': 'as p-queue, but `if (size >= queueCap) await onSizeLessThan(queueCap)` first',
  'fastq-cb': 'fastq(worker(i, cb), concurrency); push() every job; drain callback',
  'fastq-promise': 'fastq.promise(asyncWorker, concurrency); push() every job; drained()',
  'p-limit': 'pLimit(concurrency); Promise.all of limit(() => work(i)) for every job',
  'async-queue': 'async.queue(worker(i, cb), concurrency); push(i, cb) every job; await drain()',
  'rxjs-mergeMap': 'lastValueFrom(from(iterable).pipe(mergeMap(work, concurrency)))',
  'minimal-pool': '`concurrency` async loops: while (i < n) await work(i++)',
};
