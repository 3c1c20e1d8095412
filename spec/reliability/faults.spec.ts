// Issue 5, "nothing lost, nothing stuck": one spec per fault. Every run goes through the auditor
// (./support/audit.ts), which checks the whole invariant on top of what each spec asserts.
import { expect } from 'chai';
import { config, Observable, Subject } from 'rxjs';
import sinon from 'sinon';
import {
  isJobTimeoutError,
  isQueueOverflowError,
  isShutdownDeadlineError,
  type JobContext,
  type JobFailure,
  type PipelineSummary,
} from '../../lib/index.js';
import { delay, range, settle } from '../support/harness.js';
import { audited, type Audited } from './support/audit.js';

const T0 = 1_000_000;

/** `process` that takes `ms` of fake time (aborted by its signal) and returns the payload. */
const work =
  (ms: number) =>
  async (n: number, { signal }: JobContext): Promise<number> => {
    await delay(ms, signal);
    return n;
  };

/** `process` that takes `ms` of fake time and ignores its signal. */
const stubborn = (ms: number) => async (n: number) => {
  await delay(ms);
  return n;
};

/** A sequence for `Math.random`, then 0.5 forever. */
function randomSequence(...values: number[]): () => number {
  return () => values.shift() ?? 0.5;
}

describe('reliability: faults', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0 });
  });
  afterEach(() => clock.restore());

  /** Advances fake time until `promise` settles, then checks the invariant on the summary. */
  async function finish<In, Out>(
    a: Audited<In, Out>,
    promise: Promise<PipelineSummary<In>>,
    options?: { stepMs?: number; maxMs?: number },
  ): Promise<PipelineSummary<In>> {
    const summary = await settle(clock, promise, options);
    a.check(summary);
    return summary;
  }

  describe('process faults', () => {
    it('fails only the job that threw, rejected or threw a non-Error; the same worker takes the next job', async () => {
      const sync = new Error('sync');
      const rejection = new Error('async');
      const fromThen = new Error('then threw');
      const hooked: JobFailure<number>[] = [];
      const a = audited({
        source: range(8),
        process: (n: number): number | PromiseLike<number> => {
          switch (n) {
            case 1:
              throw sync;
            case 2:
              return Promise.reject(rejection);
            case 3:
              throw 'a string';
            case 4:
              throw undefined;
            case 5:
              return {
                then: () => {
                  throw fromThen;
                },
              };
            case 6:
              return delay(10).then(() => Promise.reject(null));
            default:
              return n;
          }
        },
        minWorkers: 1,
        maxWorkers: 1,
        errThreshold: 0,
        onFailure: (failure) => hooked.push(failure),
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', produced: 8, errors: 6, succeeded: 2 });
      expect(a.ofType('worker-started')).to.have.length(1);
      expect(a.results().every((r) => r.workerId === 1)).to.equal(true);
      expect(hooked.map((f) => f.jobId)).to.deep.equal([1, 2, 3, 4, 5, 6]);
      const errors = hooked.map((f) => f.error);
      expect(errors[0]).to.equal(sync);
      expect(errors[1]).to.equal(rejection);
      expect(errors.slice(2, 4)).to.deep.equal(['a string', undefined]);
      expect(errors[4]).to.equal(fromThen);
      expect(errors[5]).to.equal(null);
    });

    it('times out a job that never settles: its signal fires, the worker moves on at once, a late settlement is ignored', async () => {
      let release!: (value: number) => void;
      const signals: AbortSignal[] = [];
      const a = audited({
        source: range(3),
        process: (n: number, ctx: JobContext) => {
          signals.push(ctx.signal);
          // Job 1 ignores its signal and settles only when released.
          if (n === 1) return new Promise<number>((resolve) => (release = resolve));
          return work(100)(n, ctx);
        },
        minWorkers: 1,
        maxWorkers: 1,
        timeoutMs: 500,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(500);
      const first = a.results()[0]!;
      expect(first).to.include({ jobId: 1, ok: false, finishedAt: T0 + 500 });
      const error = first.ok ? undefined : first.error;
      expect(isJobTimeoutError(error)).to.equal(true);
      expect(signals[0]!.aborted).to.equal(true);
      expect(signals[0]!.reason).to.equal(error);
      expect(a.starts().map((s) => [s.jobId, s.workerId, s.at - T0])).to.deep.equal([
        [1, 1, 0],
        [2, 1, 500],
      ]);
      release(1); // settles while job 2 runs on the same worker
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'completed', produced: 3, succeeded: 2, errors: 1 });
      expect(a.results().filter((r) => r.jobId === 1)).to.have.length(1);
      expect(a.results().find((r) => r.jobId === 2)).to.include({ ok: true, value: 2 });
    });

    it('times out every attempt afresh: a hung job gets a new signal per retry and fails for good with its attempt count', async () => {
      const signals: AbortSignal[] = [];
      const hooked: JobFailure<number>[] = [];
      const a = audited({
        source: [7],
        process: (_n: number, ctx: JobContext) => {
          signals.push(ctx.signal);
          return new Promise<number>(() => {});
        },
        timeoutMs: 100,
        retries: 2,
        retryDelayMs: 10,
        errThreshold: 0,
        onFailure: (failure) => hooked.push(failure),
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', produced: 1, errors: 1 });
      expect(a.starts().map((s) => s.attempt)).to.deep.equal([1, 2, 3]);
      expect(new Set(signals).size).to.equal(3);
      expect(signals.every((s) => s.aborted && isJobTimeoutError(s.reason))).to.equal(true);
      expect(a.ofType('job-retry').map((e) => isJobTimeoutError(e.error))).to.deep.equal([
        true,
        true,
      ]);
      expect(hooked).to.have.length(1);
      expect(hooked[0]).to.include({ jobId: 1, attempt: 3, payload: 7 });
      expect(isJobTimeoutError(hooked[0]!.error)).to.equal(true);
    });

    it('cannot be held past the shutdown deadline by jobs that ignore their signal, even while draining', async () => {
      const a = audited({
        source: range(10),
        process: stubborn(60_000),
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 10,
      });
      const run = a.run();
      await clock.tickAsync(10);
      const summary = await finish(a, a.pipeline.shutdown({ drain: true, deadlineMs: 1_000 }), {
        stepMs: 1,
      });
      expect(summary.finishedAt).to.equal(T0 + 1_010);
      expect(summary).to.include({ reason: 'shutdown', errors: 2, succeeded: 0, abandoned: 8 });
      expect(a.results().every((r) => !r.ok && isShutdownDeadlineError(r.error))).to.equal(true);
      expect(await run).to.equal(summary);
      await clock.tickAsync(60_000); // the stubborn jobs settle now: nothing more happens
      expect(a.results()).to.have.length(2);
    });

    it('bounds an error-rate stop by the shutdownDeadlineMs option', async () => {
      const a = audited({
        source: range(3),
        process: async (n: number) => {
          if (n === 1) {
            await delay(100);
            throw new Error('first failure');
          }
          return stubborn(60_000)(n);
        },
        minWorkers: 3,
        maxWorkers: 3,
        errThreshold: 1,
        shutdownDeadlineMs: 500,
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'error-rate', errors: 3, finishedAt: T0 + 600 });
      const deadlined = a.results().filter((r) => !r.ok && isShutdownDeadlineError(r.error));
      expect(deadlined.map((r) => r.jobId)).to.deep.equal([2, 3]);
    });
  });

  describe('retries', () => {
    it('backs off exponentially with jitter: retryDelayMs * 2^(n-1), scaled into [0.5, 1)', async () => {
      sinon.stub(Math, 'random').callsFake(randomSequence(0, 0.999, 0.5));
      const a = audited({
        source: [1],
        process: () => {
          throw new Error('flaky');
        },
        retries: 3,
        retryDelayMs: 100,
        errThreshold: 0,
      });
      const summary = await finish(a, a.run(), { stepMs: 1 });
      const retries = a.ofType('job-retry');
      const delays = [100 * 0.5, 200 * (0.5 + 0.999 / 2), 400 * 0.75];
      expect(retries.map((e) => e.attempt)).to.deep.equal([2, 3, 4]);
      expect(retries.map((e) => e.delayMs)).to.deep.equal(delays);
      const starts = a.starts().map((s) => s.at - T0);
      expect(starts).to.deep.equal([0, 50, 50 + 199, 50 + 199 + 300]);
      expect(a.results()[0]).to.include({ ok: false, attempt: 4 });
      expect(summary).to.include({ errors: 1, produced: 1 });
    });

    it('holds no worker while a job waits for its retry: another job runs on that worker meanwhile', async () => {
      const a = audited({
        source: [1, 2],
        process: async (n: number, ctx: JobContext) => {
          if (n === 1 && ctx.attempt === 1) throw new Error('flaky');
          return work(300)(n, ctx);
        },
        minWorkers: 1,
        maxWorkers: 1,
        retries: 1,
        retryDelayMs: 1_000,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(100);
      expect(a.pipeline.stats()).to.include({ workers: 1, inFlight: 1, queued: 0 });
      const summary = await finish(a, run);
      const retry = a.ofType('job-retry')[0]!;
      const starts = a.starts().map((s) => [s.jobId, s.attempt, s.workerId, s.at - T0]);
      expect(starts).to.deep.equal([
        [1, 1, 1, 0],
        [2, 1, 1, 0], // the only worker took job 2 while job 1 waited for its retry
        [1, 2, 1, Math.floor(retry.delayMs)],
      ]);
      expect(summary).to.include({ reason: 'completed', succeeded: 2, errors: 0 });
    });

    it('counts only final failures: retried attempts reach neither onFailure nor the error window', async () => {
      const hooked: JobFailure<number>[] = [];
      const a = audited({
        source: range(5),
        process: (n: number, ctx: JobContext) => {
          if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt}`);
          return n;
        },
        retries: 2,
        retryDelayMs: 10,
        errThreshold: 2,
        errWindowMs: 60_000,
        onFailure: (failure) => hooked.push(failure),
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', succeeded: 5, errors: 0 });
      expect(a.ofType('job-retry')).to.have.length(10);
      expect(a.results().map((r) => r.attempt)).to.deep.equal([3, 3, 3, 3, 3]);
      expect(hooked).to.have.length(0);
    });

    it('does not retry once a shutdown without drain began, and hands back the jobs waiting for a retry', async () => {
      const a = audited({
        source: range(4),
        process: async (n: number, ctx: JobContext) => {
          await delay(100);
          throw new Error(`job ${n} attempt ${ctx.attempt}`);
        },
        minWorkers: 2,
        maxWorkers: 2,
        retries: 3,
        retryDelayMs: 1_000,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(150); // jobs 1, 2 failed once and wait for a retry; 3, 4 run
      const summary = await finish(a, a.pipeline.shutdown());
      expect(await run).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', produced: 4, errors: 2, abandoned: 2 });
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal([1, 2]);
      expect(a.results().map((r) => [r.jobId, r.attempt])).to.deep.equal([
        [3, 1],
        [4, 1],
      ]);
    });

    it('retries during a drain shutdown, and the drain waits for them', async () => {
      const a = audited({
        source: range(3),
        process: async (n: number, ctx: JobContext) => {
          if (ctx.attempt === 1) throw new Error('flaky');
          return work(10)(n, ctx);
        },
        minWorkers: 1,
        maxWorkers: 1,
        retries: 1,
        retryDelayMs: 500,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(1);
      const summary = await finish(a, a.pipeline.shutdown({ drain: true }));
      expect(await run).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', succeeded: 3, errors: 0, abandoned: 0 });
      expect(a.results().map((r) => r.attempt)).to.deep.equal([2, 2, 2]);
    });

    it('fails a job for good, never loses it, when it fails while draining with no worker left to retry it', async () => {
      // Regression: the retry was scheduled after the last worker had exited, and the run ended
      // with the job neither in a result nor handed back.
      const a = audited({
        source: [1],
        process: async (_n: number, ctx: JobContext) => {
          await delay(5_000, ctx.signal);
          throw new Error('late failure');
        },
        minWorkers: 0,
        maxWorkers: 1,
        queueCap: 4,
        highWater: 1,
        lowWater: 0,
        scaleIntervalMs: 1_000,
        retries: 2,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(2_500); // tick 1 starts worker 1 on job 1; tick 2 asks it to stop
      expect(a.ofType('worker-stopping').map((e) => [e.workerId, e.busy])).to.deep.equal([
        [1, true],
      ]);
      const summary = await finish(a, a.pipeline.shutdown({ drain: true }));
      expect(await run).to.equal(summary);
      expect(summary).to.include({ produced: 1, errors: 1, abandoned: 0 });
      expect(a.results()[0]).to.include({ jobId: 1, attempt: 1, ok: false });
    });
  });

  describe('source faults', () => {
    it('stops with source-error, taking nothing, when the source cannot even be iterated', async () => {
      const broken = {
        [Symbol.iterator](): Iterator<number> {
          throw new Error('no iterator');
        },
      };
      const a = audited({ source: broken, process: (n: number) => n });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'source-error', produced: 0, processed: 0 });
      expect((summary.error as Error).message).to.equal('no iterator');
    });

    it('stops with source-error when an async iterator throws synchronously, processing what it gave', async () => {
      let given = 0;
      const iterator: AsyncIterableIterator<number> = {
        next() {
          if (given === 2) throw new Error('next threw');
          return Promise.resolve({ value: ++given, done: false });
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      const a = audited({ source: iterator, process: work(10) });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'source-error', produced: 2, succeeded: 2 });
      expect((summary.error as Error).message).to.equal('next threw');
    });

    it('still processes running, queued and retrying jobs when the source errors', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: async (n: number, ctx: JobContext) => {
          if (n === 1 && ctx.attempt === 1) throw new Error('flaky');
          return work(100)(n, ctx);
        },
        minWorkers: 2,
        maxWorkers: 2,
        retries: 1,
        retryDelayMs: 300,
        errThreshold: 0,
      });
      const run = a.run();
      for (let i = 1; i <= 6; i++) source.next(i);
      await clock.tickAsync(50); // job 1 waits for its retry, 2 and 3 run, 4..6 queued
      expect(a.pipeline.stats()).to.include({ inFlight: 2, queued: 3 });
      const broke = new Error('source broke');
      source.error(broke);
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'source-error', produced: 6, succeeded: 6, errors: 0 });
      expect(summary.error).to.equal(broke);
      expect(a.results().find((r) => r.jobId === 1)).to.include({ ok: true, attempt: 2 });
    });

    it('completes only after the busy workers finish when the source completes under them', async () => {
      const a = audited({ source: range(3), process: work(1_000), minWorkers: 3, maxWorkers: 3 });
      const run = a.run();
      expect(a.ofType('source-completed')).to.have.length(1);
      await clock.tickAsync(999);
      expect(a.pipeline.stats()).to.include({ state: 'running', inFlight: 3, processed: 0 });
      const summary = await finish(a, run, { stepMs: 1 });
      expect(summary).to.include({ reason: 'completed', succeeded: 3, finishedAt: T0 + 1_000 });
    });

    it('waits for a pending retry when the source completes', async () => {
      const a = audited({
        source: [1],
        process: (n: number, ctx: JobContext) => {
          if (ctx.attempt === 1) throw new Error('flaky');
          return n;
        },
        minWorkers: 1,
        maxWorkers: 1,
        retries: 1,
        retryDelayMs: 500,
        errThreshold: 0,
      });
      const run = a.run();
      await clock.tickAsync(200);
      expect(a.pipeline.stats()).to.include({ state: 'running', processed: 0 });
      const summary = await finish(a, run, { stepMs: 1 });
      const retry = a.ofType('job-retry')[0]!;
      expect(summary).to.include({ reason: 'completed', succeeded: 1, errors: 0 });
      expect(summary.finishedAt).to.equal(T0 + Math.floor(retry.delayMs));
    });

    it('waits for a slow source without completing early, taking each item the moment it arrives', async () => {
      async function* slow() {
        for (let i = 1; i <= 5; i++) {
          await delay(1_000);
          yield i;
        }
      }
      const a = audited({
        source: slow(),
        process: work(10),
        minWorkers: 1,
        maxWorkers: 4,
        queueCap: 10,
        highWater: 2,
        lowWater: 0,
        scaleIntervalMs: 100,
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', succeeded: 5, peakWorkers: 1 });
      expect(a.results().map((r) => [r.queuedAt - T0, r.startedAt - T0])).to.deep.equal(
        range(5).map((i) => [i * 1_000, i * 1_000]),
      );
      expect(summary.finishedAt).to.equal(T0 + 5_010);
    });

    it('pulls a fast async source only while the buffer has room', async () => {
      let pulled = 0;
      let finished = 0;
      let most = 0;
      async function* fast() {
        for (let i = 1; ; i++) {
          pulled++;
          most = Math.max(most, pulled - finished);
          yield i;
        }
      }
      const a = audited({
        source: fast(),
        process: async (n: number) => {
          await delay(100);
          finished++;
          return n;
        },
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 5,
        highWater: 4,
        lowWater: 1,
      });
      const run = a.run();
      await clock.tickAsync(1_000);
      expect(pulled).to.be.greaterThan(20);
      expect(most).to.be.at.most(5 + 2 + 1); // queue + running + the pending next()
      const summary = await finish(a, a.pipeline.shutdown());
      expect(await run).to.equal(summary);
      expect(summary.reason).to.equal('shutdown');
      expect(summary.abandoned).to.be.at.most(5 + 1);
    });

    it('lets timers run while an async source and the jobs all settle at once (no starvation)', async () => {
      // Regression: each item came by microtask and went straight to an idle worker, so no timer,
      // tick or signal could run until the source ended.
      async function* instant() {
        for (let i = 1; i <= 20_000; i++) yield i;
      }
      const a = audited({ source: instant(), process: (n: number) => n, minWorkers: 1 });
      const run = a.run();
      let producedWhenTimerRan = -1;
      setTimeout(() => {
        producedWhenTimerRan = a.pipeline.stats().produced;
        void a.pipeline.shutdown();
      }, 0);
      const summary = await finish(a, run);
      expect(producedWhenTimerRan).to.be.within(1, 1_000);
      expect(summary.reason).to.equal('shutdown');
      expect(summary.produced).to.be.below(20_000);
    });
  });

  describe('Observable sources', () => {
    it('lets idle workers take a burst before dropping anything, and never starts a dropped job', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(100),
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 2,
        highWater: 2,
        lowWater: 0,
        overflow: 'drop-newest',
      });
      const run = a.run();
      for (let i = 1; i <= 10; i++) source.next(i);
      source.complete();
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'completed', produced: 10, succeeded: 4, dropped: 6 });
      expect(a.ofType('job-dropped').map((e) => [e.jobId, e.payload, e.policy])).to.deep.equal(
        range(6).map((i) => [i + 4, i + 4, 'drop-newest']),
      );
    });

    it('drop-oldest never drops a job waiting for its retry: retries wait outside the queue', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: async (n: number, ctx: JobContext) => {
          if (n === 1 && ctx.attempt === 1) throw new Error('flaky');
          return work(100)(n, ctx);
        },
        minWorkers: 1,
        maxWorkers: 1,
        queueCap: 2,
        highWater: 2,
        lowWater: 0,
        overflow: 'drop-oldest',
        retries: 1,
        retryDelayMs: 10,
        errThreshold: 0,
      });
      const run = a.run();
      source.next(1); // fails at once, waits ~5-10 ms for its retry
      await clock.tickAsync(1);
      source.next(2); // runs 1..101
      source.next(3);
      source.next(4); // queue [3, 4]
      await clock.tickAsync(20); // job 1 is ready again, outside the queue
      expect(a.pipeline.stats()).to.include({ queued: 3 });
      source.next(5); // the queue is full: drops 3, the oldest queued, not job 1
      source.complete();
      const summary = await finish(a, run);
      expect(a.ofType('job-dropped').map((e) => e.payload)).to.deep.equal([3]);
      expect(a.results().map((r) => [r.payload, r.attempt])).to.deep.equal([
        [2, 1],
        [1, 2],
        [4, 1],
        [5, 1],
      ]);
      expect(summary).to.include({ produced: 5, succeeded: 4, dropped: 1, abandoned: 0 });
    });

    it('error policy: unsubscribes at the first overflow, hands the refused item back, processes the rest', async () => {
      let tornDown = false;
      const source = new Observable<number>((subscriber) => {
        let n = 0;
        const timer = setInterval(() => subscriber.next(++n), 10);
        return () => {
          tornDown = true;
          clearInterval(timer);
        };
      });
      const a = audited({
        source,
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
        queueCap: 3,
        highWater: 3,
        lowWater: 0,
        overflow: 'error',
      });
      const run = a.run();
      await clock.tickAsync(50); // 1 runs, 2..4 queued, 5 overflows
      expect(tornDown).to.equal(true);
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'source-error', produced: 5, succeeded: 4 });
      expect(isQueueOverflowError(summary.error)).to.equal(true);
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal([5]);
    });
  });

  describe('subscribers that throw', () => {
    // RxJS reports a subscriber's throw through config.onUnhandledError (else a thrown timeout);
    // the specs catch it here and restore it. The library itself never touches rxjs's config.
    let reported: unknown[];
    let saved: typeof config.onUnhandledError;
    beforeEach(() => {
      saved = config.onUnhandledError;
      reported = [];
      config.onUnhandledError = (error) => reported.push(error);
    });
    afterEach(() => {
      config.onUnhandledError = saved;
    });

    it('a results$ subscriber that throws kills no worker and loses no result; the error window still trips', async () => {
      const a = audited({
        source: range(100),
        process: (n: number) => (n % 10 === 0 ? Promise.reject(new Error(`job ${n}`)) : n),
        minWorkers: 2,
        maxWorkers: 2,
        errThreshold: 3,
        errWindowMs: 60_000,
      });
      a.pipeline.results$.subscribe(() => {
        throw new Error('subscriber bug');
      });
      const after: number[] = [];
      a.pipeline.results$.subscribe((r) => after.push(r.jobId));
      const summary = await finish(a, a.run());
      await clock.tickAsync(1); // RxJS reports a subscriber's throw from a timeout
      expect(summary.reason).to.equal('error-rate');
      expect(summary.errors).to.equal(3);
      expect(after).to.deep.equal(a.results().map((r) => r.jobId));
      expect(reported).to.have.length(summary.processed);
      expect(reported.every((e) => (e as Error).message === 'subscriber bug')).to.equal(true);
    });

    it('an events$ subscriber that throws changes nothing: every event and result reach the others', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(100),
        minWorkers: 1,
        maxWorkers: 3,
        queueCap: 20,
        highWater: 3,
        lowWater: 0,
        scaleIntervalMs: 50,
      });
      a.pipeline.events$.subscribe(() => {
        throw new Error('listener bug');
      });
      const seen: string[] = [];
      a.pipeline.events$.subscribe((e) => seen.push(e.type));
      const run = a.run();
      for (let i = 1; i <= 20; i++) source.next(i);
      await clock.tickAsync(300);
      const summary = await finish(a, a.pipeline.shutdown({ drain: true }));
      await clock.tickAsync(1); // RxJS reports a subscriber's throw from a timeout
      expect(await run).to.equal(summary);
      expect(summary).to.include({ produced: 20, succeeded: 20, abandoned: 0 });
      expect(a.ofType('worker-started').length).to.be.greaterThan(1);
      expect(seen).to.deep.equal(a.events().map((e) => e.type));
      expect(reported).to.have.length(seen.length);
    });
  });

  describe('shutdown() and run(): misuse and re-entrant calls', () => {
    it('two shutdown() calls in the same tick: the stricter options win, both get the same summary', async () => {
      const a = audited({
        source: range(20),
        process: () => new Promise<number>(() => {}), // hangs and ignores its signal
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 10,
      });
      a.run();
      await clock.tickAsync(10);
      const first = a.pipeline.shutdown({ drain: true });
      const second = a.pipeline.shutdown({ deadlineMs: 100 });
      expect(second).to.equal(first);
      const summary = await finish(a, first, { stepMs: 1 });
      expect(summary).to.include({ reason: 'shutdown', produced: 12, errors: 2, abandoned: 10 });
      expect(summary.finishedAt).to.equal(T0 + 110);
      expect(a.ofType('shutdown-requested').map((e) => [e.drain, e.deadlineMs])).to.deep.equal([
        [true, Infinity],
        [false, 100],
      ]);
    });

    it('shutdown during a scale-up: the worker just started exits without taking a job', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(1_000),
        minWorkers: 1,
        maxWorkers: 3,
        queueCap: 10,
        highWater: 2,
        lowWater: 0,
        scaleIntervalMs: 100,
      });
      let stopping: Promise<PipelineSummary<number>> | undefined;
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'worker-started' && e.workerId === 2) stopping = a.pipeline.shutdown();
      });
      const run = a.run();
      for (let i = 1; i <= 5; i++) source.next(i);
      const summary = await finish(a, run);
      expect(await stopping).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', produced: 5, succeeded: 1, abandoned: 4 });
      expect(a.starts().map((s) => s.workerId)).to.deep.equal([1]);
      expect(a.ofType('worker-stopped').map((e) => e.workerId)).to.have.members([1, 2]);
    });

    it('shutdown from a job-retry listener hands the job that waits for its retry back', async () => {
      // Regression: the job-retry event went out before the job was registered as waiting, so a
      // shutdown from its listener missed it and the run ended with the job nowhere.
      const a = audited({
        source: [1],
        process: (_n: number, ctx: JobContext) => {
          if (ctx.attempt === 1) throw new Error('flaky');
          return 1;
        },
        retries: 1,
        retryDelayMs: 100,
        errThreshold: 0,
      });
      let stopping: Promise<PipelineSummary<number>> | undefined;
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'job-retry') stopping = a.pipeline.shutdown();
      });
      const summary = await finish(a, a.run());
      expect(await stopping).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', produced: 1, abandoned: 1, processed: 0 });
      await clock.tickAsync(1_000); // the retry's timer is gone: job 1 never starts again
      expect(a.starts()).to.have.length(1);
    });

    it('shutdown from a scale listener on a scale-down tick stops cleanly', async () => {
      // Regression: the tick then stopped "the newest worker" of an empty pool and threw a
      // TypeError from the supervisor's interval (in Node, an uncaught exception).
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(150),
        minWorkers: 1,
        maxWorkers: 2,
        queueCap: 10,
        highWater: 2,
        lowWater: 0,
        scaleIntervalMs: 100,
      });
      let stopping: Promise<PipelineSummary<number>> | undefined;
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'scale' && e.direction === 'down') stopping = a.pipeline.shutdown();
      });
      const run = a.run();
      // The tick at 100 adds worker 2; at 300 the queue is empty while jobs 4 and 5 run: down.
      for (let i = 1; i <= 5; i++) source.next(i);
      const summary = await finish(a, run);
      expect(await stopping).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', produced: 5, succeeded: 5 });
      expect(summary.finishedAt).to.equal(T0 + 450);
      expect(a.ofType('scale').map((e) => e.direction)).to.deep.equal(['up', 'steady', 'down']);
    });

    it('shutdown from an error-rate-exceeded listener keeps the reason error-rate', async () => {
      // Regression: the listener's request overtook the error window's, and the run reported
      // reason shutdown although the window had tripped.
      const a = audited({
        source: range(10),
        process: work(100),
        minWorkers: 2,
        maxWorkers: 2,
        errThreshold: 1,
        timeoutMs: 50,
      });
      let stopping: Promise<PipelineSummary<number>> | undefined;
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'error-rate-exceeded') stopping = a.pipeline.shutdown({ deadlineMs: 0 });
      });
      const summary = await finish(a, a.run());
      expect(await stopping).to.equal(summary);
      expect(summary).to.include({ reason: 'error-rate', abandoned: 8 });
      expect(a.ofType('error-rate-exceeded')).to.have.length(1);
    });

    it('shutdown from a depth$ listener as a worker takes a job: the job counts as started, and ends', async () => {
      // Regression: depth$ announced the dequeue before the job started, so a stopping worker
      // (busy: false) then started it anyway.
      const a = audited({ source: range(5), process: work(100), minWorkers: 1, maxWorkers: 1 });
      let stopping: Promise<PipelineSummary<number>> | undefined;
      let previous = 0;
      a.pipeline.depth$.subscribe((depth) => {
        if (depth < previous && !stopping) stopping = a.pipeline.shutdown(); // job 2 taken at 100
        previous = depth;
      });
      const summary = await finish(a, a.run());
      expect(await stopping).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', succeeded: 2, abandoned: 3 });
      expect(summary.finishedAt).to.equal(T0 + 200);
      expect(a.ofType('worker-stopping').map((e) => e.busy)).to.deep.equal([true]);
    });

    it('shutdown from a shutdown-requested listener: nothing is left scheduled once stopped', async () => {
      // Regression: the nested stop ended the run, then the outer one armed its deadline timer,
      // which kept the process alive for deadlineMs after the stop.
      const source = new Subject<number>();
      const a = audited({ source, process: work(10), minWorkers: 2, maxWorkers: 2 });
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'shutdown-requested' && e.drain) void a.pipeline.shutdown();
      });
      a.run();
      await clock.tickAsync(10);
      const summary = await finish(a, a.pipeline.shutdown({ drain: true, deadlineMs: 60_000 }));
      expect(summary).to.include({ reason: 'shutdown', produced: 0 });
      expect(clock.countTimers()).to.equal(0);
    });

    it('shutdown from a source-error listener keeps the reason source-error and its error', async () => {
      // Regression: as with the error window, the listener's request overtook the source's.
      const source = new Subject<number>();
      const a = audited({ source, process: work(100), minWorkers: 1, maxWorkers: 1 });
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'source-error') void a.pipeline.shutdown();
      });
      const run = a.run();
      for (let i = 1; i <= 3; i++) source.next(i);
      const broke = new Error('source broke');
      source.error(broke);
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'source-error', error: broke, succeeded: 1 });
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal([2, 3]);
    });

    it('a source error with no worker left: source-error is announced before the drain worker starts', async () => {
      // Regression: the drain worker started first, and a shutdown from its worker-started
      // listener ended the run before source-error was ever emitted.
      function* failing() {
        yield 1;
        yield 2;
        throw new Error('source broke');
      }
      const a = audited({ source: failing(), process: work(10), minWorkers: 0, maxWorkers: 2 });
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'worker-started') void a.pipeline.shutdown();
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'source-error', produced: 2, abandoned: 2 });
      // The drain is announced, then its worker starts; the listener's shutdown (not draining) follows.
      expect(a.events().map((e) => e.type)).to.deep.equal([
        'source-error',
        'shutdown-requested',
        'worker-started',
        'shutdown-requested',
        'worker-stopping',
        'worker-stopped',
        'stopped',
      ]);
    });

    it('shutdown({ drain: true }) from a source-error listener with no worker left still drains', async () => {
      function* failing() {
        yield 1;
        yield 2;
        throw new Error('source broke');
      }
      const a = audited({ source: failing(), process: work(10), minWorkers: 0, maxWorkers: 2 });
      a.pipeline.events$.subscribe((e) => {
        if (e.type === 'source-error') void a.pipeline.shutdown({ drain: true });
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'source-error', produced: 2, succeeded: 2 });
    });

    it('shutdown without drain during a drain hands back what is left', async () => {
      const a = audited({
        source: range(10),
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
      });
      const run = a.run();
      await clock.tickAsync(50);
      const draining = a.pipeline.shutdown({ drain: true });
      await clock.tickAsync(200); // jobs 1, 2 done, 3 running
      expect(a.pipeline.shutdown()).to.equal(draining);
      const summary = await finish(a, draining);
      expect(await run).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', succeeded: 3, abandoned: 7 });
      expect(summary.finishedAt).to.equal(T0 + 300);
    });

    it('shutdown from inside a results$ subscriber stops cleanly', async () => {
      const a = audited({ source: range(50), process: work(10), minWorkers: 3, maxWorkers: 3 });
      const run = a.run();
      let stopping: Promise<PipelineSummary<number>> | undefined;
      a.pipeline.results$.subscribe((r) => {
        if (r.jobId === 5) stopping = a.pipeline.shutdown();
      });
      const summary = await finish(a, run);
      expect(await stopping).to.equal(summary);
      expect(summary.reason).to.equal('shutdown');
      expect(summary.abandoned).to.be.greaterThan(0);
    });

    it('after the run ended, shutdown() and run() resolve to the same summary and emit nothing', async () => {
      const a = audited({ source: range(5), process: work(10) });
      const summary = await finish(a, a.run());
      const logged = a.log.length;
      expect(await a.pipeline.shutdown({ deadlineMs: 0 })).to.equal(summary);
      expect(await a.pipeline.shutdown({ drain: true })).to.equal(summary);
      expect(await a.pipeline.run()).to.equal(summary);
      await clock.tickAsync(10_000);
      expect(a.log.length).to.equal(logged);
    });

    it('run() during a shutdown returns the same promise and starts nothing', async () => {
      const a = audited({ source: range(10), process: work(100), minWorkers: 1, maxWorkers: 1 });
      const run = a.run();
      await clock.tickAsync(50);
      const stopping = a.pipeline.shutdown();
      expect(a.pipeline.run()).to.equal(run);
      const summary = await finish(a, stopping);
      expect(await run).to.equal(summary);
      expect(summary).to.include({ succeeded: 1, abandoned: 9 });
      expect(a.ofType('worker-started')).to.have.length(1);
    });

    it('rejects an invalid deadline without stopping anything', async () => {
      const a = audited({ source: range(10), process: work(100) });
      const run = a.run();
      await clock.tickAsync(50);
      expect(() => a.pipeline.shutdown({ deadlineMs: -1 })).to.throw(RangeError);
      expect(() => a.pipeline.shutdown({ deadlineMs: Number.NaN })).to.throw(RangeError);
      expect(a.pipeline.stats().state).to.equal('running');
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'completed', succeeded: 10 });
    });
  });

  describe('scaling under churn', () => {
    /** Emits `size` items every `everyMs`, `bursts` times, then completes. */
    function bursts(size: number, everyMs: number, count: number): Observable<number> {
      return new Observable<number>((subscriber) => {
        let n = 0;
        let burst = 0;
        const emit = () => {
          for (let i = 0; i < size; i++) subscriber.next(++n);
          if (++burst === count) subscriber.complete();
        };
        emit();
        const timer = setInterval(emit, everyMs);
        return () => clearInterval(timer);
      });
    }

    it('min = max: the pool never changes while running', async () => {
      const a = audited({
        source: bursts(15, 500, 3),
        process: work(40),
        minWorkers: 3,
        maxWorkers: 3,
        queueCap: 20,
        highWater: 2,
        lowWater: 0,
        scaleIntervalMs: 25,
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', succeeded: 45, peakWorkers: 3 });
      expect(a.ofType('scale').length).to.be.greaterThan(10);
      expect(a.ofType('scale').every((e) => e.direction === 'steady')).to.equal(true);
      expect(a.ofType('worker-started').map((e) => e.workerId)).to.deep.equal([1, 2, 3]);
    });

    it('min = 0: starts no worker until work waits, scales to zero when idle and back up for new work', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(50),
        minWorkers: 0,
        maxWorkers: 2,
        queueCap: 10,
        highWater: 5,
        lowWater: 0,
        scaleIntervalMs: 100,
      });
      const run = a.run();
      for (let i = 1; i <= 3; i++) source.next(i);
      await clock.tickAsync(99);
      expect(a.pipeline.stats()).to.include({ workers: 0, queued: 3 });
      await clock.tickAsync(401);
      expect(a.pipeline.stats()).to.include({ workers: 0, queued: 0, processed: 3 });
      for (let i = 4; i <= 6; i++) source.next(i);
      await clock.tickAsync(500);
      source.complete();
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'completed', succeeded: 6 });
      expect(a.ofType('worker-started').map((e) => [e.workerId, e.at - T0])).to.deep.equal([
        [1, 100],
        [2, 600],
      ]);
    });

    it('max = 1: a deep queue never adds a second worker', async () => {
      const a = audited({
        source: range(30),
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
        queueCap: 10,
        highWater: 2,
        lowWater: 0,
        scaleIntervalMs: 10,
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', succeeded: 30, peakWorkers: 1 });
      expect(a.ofType('worker-started')).to.have.length(1);
    });

    it('highWater = queueCap: scales up only when the queue is full', async () => {
      const source = new Subject<number>();
      const a = audited({
        source,
        process: work(1_000),
        minWorkers: 1,
        maxWorkers: 3,
        queueCap: 4,
        highWater: 4,
        lowWater: 1,
        scaleIntervalMs: 100,
      });
      const run = a.run();
      for (let i = 1; i <= 4; i++) source.next(i); // 1 runs, 3 queued
      await clock.tickAsync(150);
      expect(a.ofType('scale').map((e) => e.direction)).to.deep.equal(['steady']);
      source.next(5); // now full
      await clock.tickAsync(50);
      expect(a.ofType('scale').map((e) => [e.direction, e.depth])).to.deep.equal([
        ['steady', 3],
        ['up', 4],
      ]);
      source.complete();
      const summary = await finish(a, run);
      expect(summary).to.include({ reason: 'completed', succeeded: 5 });
      expect(
        a
          .ofType('scale')
          .filter((e) => e.direction === 'up')
          .every((e) => e.depth === 4),
      ).to.be.true;
    });

    it('a scale interval far shorter than the jobs: busy workers asked to stop finish first, nothing runs twice', async () => {
      const a = audited({
        source: bursts(12, 600, 5),
        process: work(700),
        minWorkers: 1,
        maxWorkers: 4,
        queueCap: 20,
        highWater: 3,
        lowWater: 1,
        scaleIntervalMs: 10,
        overflow: 'drop-newest',
      });
      const summary = await finish(a, a.run());
      expect(summary.reason).to.equal('completed');
      expect(summary.peakWorkers).to.equal(4);
      const busyStops = a.ofType('worker-stopping').filter((e) => e.busy);
      expect(busyStops.length).to.be.greaterThan(0);
      expect(a.starts().length).to.equal(summary.processed);
    });

    it('a scale interval much longer than the run: no tick at all, the minWorkers pool does everything', async () => {
      const a = audited({
        source: range(40),
        process: work(10),
        minWorkers: 2,
        maxWorkers: 8,
        queueCap: 50,
        highWater: 5,
        lowWater: 1,
        scaleIntervalMs: 1e9,
      });
      const summary = await finish(a, a.run(), { stepMs: 1 });
      expect(summary).to.include({ reason: 'completed', succeeded: 40, peakWorkers: 2 });
      expect(summary.finishedAt).to.equal(T0 + 200); // 40 jobs of 10 ms on 2 workers, no waiting
      expect(a.ofType('scale')).to.have.length(0);
    });

    it('completes when the last job ends on a worker the supervisor already asked to stop', async () => {
      // Regression: the run never completed; the worker exited and nobody noticed the end.
      const a = audited({
        source: [1, 2, 3],
        process: (n: number, ctx: JobContext) => work(n === 2 ? 10 : 5_000)(n, ctx),
        minWorkers: 1,
        maxWorkers: 2,
        queueCap: 4,
        highWater: 1,
        lowWater: 0,
        scaleIntervalMs: 1_000,
      });
      // Worker 1 runs job 1 (0..5000). The tick at 1000 adds worker 2: job 2, then job 3
      // (1010..6010). The tick at 2000 asks worker 2 to stop while busy.
      const summary = await finish(a, a.run(), { maxMs: 60_000 });
      expect(a.ofType('worker-stopping')[0]).to.include({ workerId: 2, busy: true });
      expect(summary).to.include({ reason: 'completed', succeeded: 3 });
      expect(summary.finishedAt).to.equal(T0 + 6_010);
    });
  });

  describe('error window edges', () => {
    /** A pipeline whose job n fails at `failAt[n - 1]` ms, all running at once. */
    function failingAt(failAt: number[], errThreshold: number, errWindowMs: number) {
      return audited({
        source: range(failAt.length),
        process: async (n: number) => {
          await delay(failAt[n - 1]!);
          throw new Error(`job ${n}`);
        },
        minWorkers: failAt.length,
        maxWorkers: failAt.length,
        errThreshold,
        errWindowMs,
      });
    }

    it('threshold 1: the first failure stops the run at once, without drain', async () => {
      const a = audited({
        source: range(20),
        process: async (n: number, ctx: JobContext) => {
          if (n === 3) {
            await delay(50, ctx.signal);
            throw new Error('the one failure');
          }
          return work(100)(n, ctx);
        },
        minWorkers: 2,
        maxWorkers: 2,
        errThreshold: 1,
      });
      const summary = await finish(a, a.run());
      // 1 and 2 run 0..100; 3 fails at 150 while 4 runs 100..200; 5..20 are handed back.
      expect(summary).to.include({ reason: 'error-rate', succeeded: 3, errors: 1, abandoned: 16 });
      expect(summary.finishedAt).to.equal(T0 + 200);
      expect(a.ofType('error-rate-exceeded')[0]).to.include({ at: T0 + 150, errors: 1 });
    });

    it('threshold 0: never stops for errors, whatever the kind or the burst', async () => {
      const a = audited({
        source: range(300),
        process: async (n: number) => {
          await delay(10);
          if (n % 3 === 0) throw new Error('thrown');
          if (n % 3 === 1) return Promise.reject(undefined);
          return new Promise<number>(() => {}); // times out
        },
        minWorkers: 50,
        maxWorkers: 50,
        timeoutMs: 20,
        retries: 1,
        retryDelayMs: 0,
        errThreshold: 0,
        errWindowMs: 1,
      });
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', errors: 300 });
    });

    it('slides: failures spread thinner than the threshold per window never trip, however many', async () => {
      // Every 600 ms: any 1000 ms window holds at most 2 of these 10 failures.
      const a = failingAt(
        range(10).map((i) => i * 600),
        3,
        1_000,
      );
      const summary = await finish(a, a.run());
      expect(summary).to.include({ reason: 'completed', errors: 10 });
    });

    it('trips on a burst across what would be a tumbling boundary', async () => {
      // Buckets of [0, 1000) and [1000, 2000) would hold 1 and 2; the sliding window holds 3.
      const a = failingAt([900, 1_100, 1_200, 5_000], 3, 1_000);
      const summary = await finish(a, a.run());
      expect(summary.reason).to.equal('error-rate');
      expect(a.ofType('error-rate-exceeded')[0]).to.include({ at: T0 + 1_200, errors: 3 });
    });

    it('counts a failure exactly errWindowMs old as out of the window, 1 ms younger as in', async () => {
      const out = failingAt([1_000, 2_000], 2, 1_000);
      expect(await finish(out, out.run())).to.include({ reason: 'completed', errors: 2 });
      const inside = failingAt([1_000, 1_999], 2, 1_000);
      const start = Date.now();
      const summary = await finish(inside, inside.run());
      expect(summary.reason).to.equal('error-rate');
      expect(inside.ofType('error-rate-exceeded')[0]).to.include({ at: start + 1_999, errors: 2 });
    });
  });
});
