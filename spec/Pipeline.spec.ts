import { expect } from 'chai';
import { Observable, Subject } from 'rxjs';
import sinon from 'sinon';
import {
  createPipeline,
  isJobTimeoutError,
  isQueueOverflowError,
  isShutdownDeadlineError,
  type JobContext,
} from '../lib/index.js';
import { accountedFor, delay, range, record, runToEnd, settle } from './support/harness.js';

describe('Pipeline', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  /** `process` that takes `ms` of fake time and returns the payload doubled. */
  const work =
    (ms: number) =>
    async (n: number, { signal }: JobContext): Promise<number> => {
      await delay(ms, signal);
      return n * 2;
    };

  describe('a finite source', () => {
    it('processes every item, then resolves run() with reason completed', async () => {
      const pipeline = createPipeline({ source: range(50), process: work(10), minWorkers: 2 });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary.reason).to.equal('completed');
      expect(summary).to.include({
        produced: 50,
        processed: 50,
        succeeded: 50,
        errors: 0,
        abandoned: 0,
        dropped: 0,
      });
      expect(rec.results.map((r) => r.jobId).sort((a, b) => a - b)).to.deep.equal(range(50));
      expect(rec.results.every((r) => r.ok && r.value === r.payload * 2)).to.equal(true);
      expect(accountedFor(summary)).to.equal(true);
    });

    it('reads async iterables too', async () => {
      async function* numbers() {
        for (let i = 1; i <= 20; i++) {
          await delay(1);
          yield i;
        }
      }
      const pipeline = createPipeline({ source: numbers(), process: work(5) });
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', produced: 20, succeeded: 20 });
    });

    it('reads Observables too', async () => {
      const source = new Observable<number>((subscriber) => {
        let n = 0;
        const timer = setInterval(() => {
          subscriber.next(++n);
          if (n === 10) subscriber.complete();
        }, 20);
        return () => clearInterval(timer);
      });
      const pipeline = createPipeline({ source, process: work(5) });
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', produced: 10, succeeded: 10, dropped: 0 });
    });

    it('completes an empty source at once', async () => {
      const pipeline = createPipeline({ source: [], process: work(5) });
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', produced: 0, processed: 0 });
    });

    it('accepts a process function that returns plain values', async () => {
      const pipeline = createPipeline({ source: range(300), process: (n: number) => n + 1 });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ produced: 300, succeeded: 300 });
      expect(rec.results[299]).to.include({ ok: true, value: 301 });
    });
  });

  describe('back-pressure', () => {
    it('never holds more than queueCap payloads of an iterable beyond the running jobs', async () => {
      let pulled = 0;
      let finished = 0;
      let most = 0;
      function* million() {
        for (let i = 1; i <= 1_000_000; i++) {
          pulled++;
          most = Math.max(most, pulled - finished);
          yield i;
        }
      }
      const pipeline = createPipeline({
        source: million(),
        process: async () => {
          await delay(10);
          finished++;
        },
        minWorkers: 3,
        maxWorkers: 3,
        queueCap: 10,
        highWater: 8,
        lowWater: 2,
      });
      const run = pipeline.run();
      await clock.tickAsync(1_000);
      expect(pulled).to.be.greaterThan(200);
      expect(most).to.be.at.most(10 + 3 + 1); // buffer + running + the item being handed over
      const summary = await settle(clock, pipeline.shutdown());
      await run;
      expect(accountedFor(summary)).to.equal(true);
      expect(summary.abandoned).to.be.at.most(10);
    });

    it('starts a queued job as soon as a worker is free (no polling)', async () => {
      const pipeline = createPipeline({
        source: range(6),
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
      });
      const rec = record(pipeline);
      await runToEnd(clock, pipeline, { stepMs: 7 });
      for (let i = 1; i < rec.results.length; i++) {
        expect(rec.results[i]!.startedAt).to.equal(rec.results[i - 1]!.finishedAt);
      }
      expect(rec.results[5]!.finishedAt - rec.results[0]!.startedAt).to.equal(600);
    });

    it('pulls the source as soon as the buffer has room', async () => {
      const pulledAt: number[] = [];
      function* source() {
        for (let i = 1; i <= 5; i++) {
          pulledAt.push(Date.now());
          yield i;
        }
      }
      const start = Date.now();
      const pipeline = createPipeline({
        source: source(),
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
        queueCap: 1,
        highWater: 1,
        lowWater: 0,
      });
      await runToEnd(clock, pipeline, { stepMs: 7 });
      // One running, one buffered; each later item is pulled the moment a job ends.
      expect(pulledAt.map((t) => t - start)).to.deep.equal([0, 0, 100, 200, 300]);
    });
  });

  describe('workers and scaling', () => {
    it('starts minWorkers at run() with ids counting up from 1', async () => {
      const pipeline = createPipeline({ source: range(3), process: work(10), minWorkers: 3 });
      const rec = record(pipeline);
      await runToEnd(clock, pipeline);
      expect(rec.ofType('worker-started').map((e) => e.workerId)).to.deep.equal([1, 2, 3]);
    });

    it('adds one worker per tick while the queue is deep, up to maxWorkers, and never reuses ids', async () => {
      const pipeline = createPipeline({
        source: range(400),
        process: work(100),
        minWorkers: 1,
        maxWorkers: 4,
        queueCap: 100,
        highWater: 50,
        lowWater: 10,
        scaleIntervalMs: 1_000,
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline, { stepMs: 100 });
      const scale = rec.ofType('scale');
      const ups = scale.filter((e) => e.direction === 'up');
      expect(ups.map((e) => e.workers)).to.deep.equal([2, 3, 4]);
      expect(ups.every((e) => e.depth >= 50)).to.equal(true);
      for (let i = 1; i < scale.length; i++) {
        expect(Math.abs(scale[i]!.workers - scale[i - 1]!.workers)).to.be.at.most(1);
      }
      const started = rec.ofType('worker-started').map((e) => e.workerId);
      expect(started).to.deep.equal(range(started.length));
      expect(summary.peakWorkers).to.equal(4);
      expect(summary.succeeded).to.equal(400);
    });

    it('scales down by stopping the most recently started worker', async () => {
      const source = new Subject<number>();
      const pipeline = createPipeline({
        source,
        process: work(100),
        minWorkers: 1,
        maxWorkers: 3,
        queueCap: 100,
        highWater: 20,
        lowWater: 5,
        scaleIntervalMs: 1_000,
      });
      const rec = record(pipeline);
      const run = pipeline.run();
      for (let i = 1; i <= 90; i++) source.next(i);
      await clock.tickAsync(2_500); // two ticks with a deep queue: workers 2 and 3
      expect(rec.ofType('worker-started').map((e) => e.workerId)).to.deep.equal([1, 2, 3]);
      await clock.tickAsync(20_000); // the queue drains: back down, newest first
      const stopping = rec.ofType('worker-stopping').map((e) => e.workerId);
      expect(stopping).to.deep.equal([3, 2]);
      source.complete();
      await settle(clock, run);
    });

    it('worker stops after its current job', async () => {
      // The Go design's test: "worker stops after its current job".
      const started: number[] = [];
      const source = new Subject<number>();
      const pipeline = createPipeline({
        source,
        process: async (n: number, ctx: JobContext) => {
          started.push(n);
          await delay(5_000, ctx.signal);
          return n;
        },
        minWorkers: 1,
        maxWorkers: 2,
        queueCap: 10,
        highWater: 2,
        lowWater: 1,
        scaleIntervalMs: 1_000,
      });
      const rec = record(pipeline);
      const run = pipeline.run();
      source.next(1);
      source.next(2);
      source.next(3);
      await clock.tickAsync(1_000); // depth 2 >= highWater: worker 2 starts and takes job 2
      expect(started).to.deep.equal([1, 2]);
      await clock.tickAsync(1_000); // depth 1 <= lowWater: worker 2 (busy) is asked to stop
      const stopping = rec.ofType('worker-stopping');
      expect(stopping.map((e) => [e.workerId, e.busy])).to.deep.equal([[2, true]]);
      expect(rec.ofType('worker-stopped')).to.have.length(0);
      await clock.tickAsync(4_000); // job 2 ends at t=6000: then worker 2 exits without taking job 3
      const stopped = rec.ofType('worker-stopped');
      expect(stopped.map((e) => e.workerId)).to.deep.equal([2]);
      const job2 = rec.results.find((r) => r.jobId === 2)!;
      expect(job2).to.include({ ok: true, workerId: 2 });
      expect(stopped[0]!.at).to.equal(job2.finishedAt);
      source.complete();
      await settle(clock, run, { stepMs: 500 });
      expect(rec.results.find((r) => r.jobId === 3)).to.include({ workerId: 1, ok: true });
    });
  });

  it('counts workers still finishing a job against maxWorkers', async () => {
    let running = 0;
    let most = 0;
    const source = new Subject<number>();
    const pipeline = createPipeline({
      source,
      process: async (n: number) => {
        most = Math.max(most, ++running);
        await delay(5_000);
        running--;
        return n;
      },
      minWorkers: 1,
      maxWorkers: 2,
      queueCap: 10,
      highWater: 2,
      lowWater: 1,
      scaleIntervalMs: 1_000,
    });
    const rec = record(pipeline);
    const run = pipeline.run();
    for (let i = 1; i <= 3; i++) source.next(i);
    await clock.tickAsync(2_000); // +1 at 1 s (worker 2 takes job 2), -1 at 2 s: worker 2 busy, leaving
    for (let i = 4; i <= 6; i++) source.next(i);
    await clock.tickAsync(1_000); // depth 4: one running worker, but worker 2 still holds a slot
    const scale = rec.ofType('scale').map((e) => e.direction);
    expect(scale).to.deep.equal(['up', 'down', 'steady']);
    expect(most).to.equal(2);
    source.complete();
    await settle(clock, run, { stepMs: 500 });
    expect(most).to.equal(2);
  });

  describe('failures', () => {
    it('records a throw, a rejection and a thrown non-Error as failed results and keeps going', async () => {
      const pipeline = createPipeline({
        source: range(6),
        process: (n: number) => {
          if (n === 1) throw new Error('sync');
          if (n === 2) return Promise.reject(new Error('async'));
          if (n === 3) throw 'a string';
          if (n === 4) return Promise.reject(undefined);
          return n;
        },
        errThreshold: 0,
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', processed: 6, errors: 4, succeeded: 2 });
      const errors = rec.results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.error));
      expect(errors.map((e) => (e instanceof Error ? e.message : e))).to.deep.equal([
        'sync',
        'async',
        'a string',
        undefined,
      ]);
    });

    it('stops with reason error-rate when the failures in the sliding window reach the threshold', async () => {
      const pipeline = createPipeline({
        source: range(1_000),
        process: async (n: number) => {
          await delay(100);
          if (n % 2 === 0) throw new Error('even');
          return n;
        },
        minWorkers: 1,
        maxWorkers: 1,
        errWindowMs: 1_000,
        errThreshold: 4,
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary.reason).to.equal('error-rate');
      expect(summary.errors).to.equal(4); // failures at 200, 400, 600, 800 ms: the 4th trips
      expect(rec.ofType('error-rate-exceeded')).to.have.length(1);
      expect(rec.ofType('error-rate-exceeded')[0]).to.include({
        errors: 4,
        threshold: 4,
        windowMs: 1_000,
      });
      expect(accountedFor(summary)).to.equal(true);
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal(
        range(100).map((i) => i + 8),
      );
    });

    it('reports the failures inside the sliding window in stats()', async () => {
      const source = new Subject<number>();
      const pipeline = createPipeline({
        source,
        process: () => Promise.reject(new Error('no')),
        errWindowMs: 1_000,
        errThreshold: 0,
      });
      const run = pipeline.run();
      source.next(1);
      source.next(2);
      await clock.tickAsync(600);
      source.next(3);
      await clock.tickAsync(1);
      expect(pipeline.stats().errorsInWindow).to.equal(3);
      await clock.tickAsync(400); // the first two are now 1 s old: out of the window
      expect(pipeline.stats().errorsInWindow).to.equal(1);
      source.complete();
      await settle(clock, run);
    });

    it('counts a burst across a tumbling boundary in one sliding window', async () => {
      // 5 failures just before 10 s and 5 just after: 10 in a 10 s window.
      const failAt = [9_500, 9_600, 9_700, 9_800, 9_900, 10_100, 10_200, 10_300, 10_400, 10_500];
      const start = Date.now();
      const source = new Subject<number>();
      const pipeline = createPipeline({
        source,
        process: async (n: number) => {
          await delay(start + failAt[n - 1]! - Date.now());
          throw new Error('boom');
        },
        minWorkers: 10,
        maxWorkers: 10,
        errWindowMs: 10_000,
        errThreshold: 10,
      });
      const run = pipeline.run();
      for (let i = 1; i <= 10; i++) source.next(i);
      const summary = await settle(clock, run, { stepMs: 100 });
      expect(summary.reason).to.equal('error-rate');
      expect(summary.finishedAt - start).to.equal(10_500);
    });

    it('never stops for errors with errThreshold 0', async () => {
      const pipeline = createPipeline({
        source: range(100),
        process: () => Promise.reject(new Error('always')),
        errThreshold: 0,
      });
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', errors: 100 });
    });

    it('stops with reason source-error, still processing the jobs already accepted', async () => {
      function* failing() {
        yield 1;
        yield 2;
        yield 3;
        throw new Error('source broke');
      }
      const pipeline = createPipeline({
        source: failing(),
        process: work(10),
        minWorkers: 1,
        maxWorkers: 1,
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary.reason).to.equal('source-error');
      expect((summary.error as Error).message).to.equal('source broke');
      expect(summary).to.include({ produced: 3, succeeded: 3 });
      expect(rec.ofType('source-error')).to.have.length(1);
    });

    it('treats an erroring Observable and a rejecting async iterable alike', async () => {
      const subject = new Subject<number>();
      const a = createPipeline({ source: subject, process: work(10) });
      const runA = a.run();
      subject.next(1);
      subject.error(new Error('observable broke'));
      const summaryA = await settle(clock, runA);
      expect(summaryA).to.include({ reason: 'source-error', succeeded: 1 });

      const iterator: AsyncIterableIterator<number> = {
        next: () => Promise.reject(new Error('iterator broke')),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      const summaryB = await runToEnd(
        clock,
        createPipeline({ source: iterator, process: work(10) }),
      );
      expect(summaryB.reason).to.equal('source-error');
      expect((summaryB.error as Error).message).to.equal('iterator broke');
    });

    it('fails a job that outlives timeoutMs with a JobTimeoutError and fires its signal', async () => {
      let signal: AbortSignal | undefined;
      const pipeline = createPipeline({
        source: range(2),
        process: (n: number, ctx: JobContext) => {
          signal = ctx.signal;
          return n === 1 ? new Promise<number>(() => {}) : n; // job 1 never settles
        },
        timeoutMs: 500,
        minWorkers: 1,
        maxWorkers: 1,
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', errors: 1, succeeded: 1 });
      const failed = rec.results.find((r) => r.jobId === 1)!;
      expect(failed.ok).to.equal(false);
      expect(!failed.ok && isJobTimeoutError(failed.error)).to.equal(true);
      expect(failed.finishedAt - failed.startedAt).to.equal(500);
      expect(signal).to.not.equal(undefined);
    });

    it('retries failed jobs with backoff, numbering attempts, and reports final failures', async () => {
      const attempts = new Map<number, number[]>();
      const deadLetters: number[] = [];
      const pipeline = createPipeline({
        source: range(3),
        process: (n: number, ctx: JobContext) => {
          attempts.set(n, [...(attempts.get(n) ?? []), ctx.attempt]);
          if (n === 1 && ctx.attempt < 3) throw new Error('flaky');
          if (n === 2) throw new Error('broken');
          return n;
        },
        retries: 2,
        retryDelayMs: 100,
        errThreshold: 0,
        onFailure: (result) => deadLetters.push(result.payload),
      });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(summary).to.include({ reason: 'completed', produced: 3, succeeded: 2, errors: 1 });
      expect(attempts.get(1)).to.deep.equal([1, 2, 3]);
      expect(attempts.get(2)).to.deep.equal([1, 2, 3]);
      expect(rec.results.find((r) => r.jobId === 1)).to.include({ ok: true, attempt: 3 });
      expect(rec.results.find((r) => r.jobId === 2)).to.include({ ok: false, attempt: 3 });
      expect(rec.results).to.have.length(3);
      expect(deadLetters).to.deep.equal([2]);
      const retries = rec.ofType('job-retry').filter((e) => e.jobId === 2);
      expect(retries.map((e) => e.attempt)).to.deep.equal([2, 3]);
      expect(retries[0]!.delayMs).to.be.within(50, 100);
      expect(retries[1]!.delayMs).to.be.within(100, 200);
    });
  });

  describe('Observable overflow', () => {
    function burst(policy: 'error' | 'drop-newest' | 'drop-oldest') {
      const source = new Subject<number>();
      const pipeline = createPipeline({
        source,
        process: work(100),
        minWorkers: 1,
        maxWorkers: 1,
        queueCap: 3,
        highWater: 3,
        lowWater: 0,
        overflow: policy,
      });
      const rec = record(pipeline);
      const run = pipeline.run();
      for (let i = 1; i <= 6; i++) source.next(i); // 1 runs, 2..4 queued, 5 and 6 overflow
      source.complete();
      return { rec, run };
    }

    it('drops the newest items with drop-newest, counted and reported', async () => {
      const { rec, run } = burst('drop-newest');
      const summary = await settle(clock, run);
      expect(summary).to.include({ produced: 6, succeeded: 4, dropped: 2 });
      expect(rec.ofType('job-dropped').map((e) => e.payload)).to.deep.equal([5, 6]);
      expect(accountedFor(summary)).to.equal(true);
    });

    it('drops the oldest queued items with drop-oldest', async () => {
      const { rec, run } = burst('drop-oldest');
      const summary = await settle(clock, run);
      expect(summary).to.include({ produced: 6, succeeded: 4, dropped: 2 });
      expect(rec.ofType('job-dropped').map((e) => e.payload)).to.deep.equal([2, 3]);
      expect(rec.results.map((r) => r.payload)).to.deep.equal([1, 4, 5, 6]);
    });

    it('stops taking items with error, hands the refused one back and processes the rest', async () => {
      const { run } = burst('error');
      const summary = await settle(clock, run);
      expect(summary.reason).to.equal('source-error');
      expect(isQueueOverflowError(summary.error)).to.equal(true);
      expect(summary).to.include({ produced: 5, succeeded: 4, dropped: 0, abandoned: 1 });
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal([5]);
    });
  });

  describe('shutdown()', () => {
    it('stops the producer at once, lets running jobs finish, and hands back unstarted ones', async () => {
      let closed = false;
      function* endless() {
        try {
          for (let i = 1; ; i++) yield i;
        } finally {
          closed = true;
        }
      }
      const pipeline = createPipeline({
        source: endless(),
        process: work(100),
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 5,
        highWater: 4,
        lowWater: 1,
      });
      const rec = record(pipeline);
      const run = pipeline.run();
      await clock.tickAsync(150); // jobs 1, 2 done; 3, 4 running; 5..9 queued
      const shutdown = pipeline.shutdown();
      expect(closed).to.equal(true);
      expect(pipeline.stats().state).to.equal('stopping');
      const summary = await settle(clock, shutdown);
      expect(await run).to.equal(summary);
      expect(summary).to.include({ reason: 'shutdown', produced: 9, succeeded: 4, abandoned: 5 });
      expect(summary.abandonedJobs.map((j) => j.payload)).to.deep.equal([5, 6, 7, 8, 9]);
      expect(rec.results.map((r) => r.jobId).sort()).to.deep.equal([1, 2, 3, 4]);
      expect(rec.ofType('worker-stopping').every((e) => e.busy)).to.equal(true);
      expect(rec.events.at(-1)!.type).to.equal('stopped');
    });

    it('processes the whole queue first with drain', async () => {
      const pipeline = createPipeline({
        source: range(1_000),
        process: work(100),
        minWorkers: 2,
        maxWorkers: 2,
        queueCap: 5,
        highWater: 4,
        lowWater: 1,
      });
      pipeline.run();
      await clock.tickAsync(150);
      const summary = await settle(clock, pipeline.shutdown({ drain: true }));
      expect(summary).to.include({ reason: 'shutdown', produced: 9, succeeded: 9, abandoned: 0 });
    });

    it('fires the AbortSignal of running jobs at the deadline and fails them', async () => {
      const pipeline = createPipeline({
        source: range(10),
        process: (_n: number) => new Promise<number>(() => {}), // ignores its signal, never settles
        minWorkers: 2,
        maxWorkers: 2,
      });
      const signals: AbortSignal[] = [];
      const spy = sinon.spy();
      const p2 = createPipeline({
        source: range(10),
        process: (_n: number, ctx: JobContext) => {
          signals.push(ctx.signal);
          ctx.signal.addEventListener('abort', spy);
          return new Promise<number>(() => {});
        },
        minWorkers: 2,
        maxWorkers: 2,
      });
      for (const p of [pipeline, p2]) {
        const rec = record(p);
        p.run();
        await clock.tickAsync(10);
        const start = Date.now();
        const summary = await settle(clock, p.shutdown({ deadlineMs: 1_000 }));
        expect(summary.finishedAt - start).to.equal(1_000);
        expect(summary).to.include({ errors: 2, abandoned: 8, produced: 10 });
        expect(rec.results.every((r) => !r.ok && isShutdownDeadlineError(r.error))).to.equal(true);
        expect(rec.ofType('deadline-exceeded')[0]).to.include({ aborted: 2 });
      }
      expect(signals.every((s) => s.aborted)).to.equal(true);
      expect(spy).to.have.been.calledTwice;
    });

    it('is idempotent: every call returns the same promise', async () => {
      const pipeline = createPipeline({ source: range(100), process: work(10) });
      pipeline.run();
      await clock.tickAsync(25);
      const a = pipeline.shutdown();
      const b = pipeline.shutdown();
      expect(a).to.equal(b);
      const summary = await settle(clock, a);
      expect(pipeline.shutdown()).to.equal(a);
      expect(await pipeline.shutdown()).to.equal(summary);
    });

    it('lets a second call make it stricter: the deadline moves closer', async () => {
      const pipeline = createPipeline({
        source: range(3),
        process: work(10_000),
        minWorkers: 1,
        maxWorkers: 1,
      });
      pipeline.run();
      await clock.tickAsync(10);
      const start = Date.now();
      const first = pipeline.shutdown({ drain: true });
      await clock.tickAsync(100);
      pipeline.shutdown({ deadlineMs: 0 });
      const summary = await settle(clock, first, { stepMs: 1 });
      expect(summary.finishedAt - start).to.equal(100);
      expect(summary).to.include({ errors: 1, abandoned: 2 });
    });

    it('resolves at once before run(), and run() then returns the same summary', async () => {
      let pulled = false;
      const pipeline = createPipeline({
        source: {
          [Symbol.iterator]() {
            pulled = true;
            return [1][Symbol.iterator]();
          },
        },
        process: work(10),
      });
      const summary = await pipeline.shutdown();
      expect(summary).to.include({ reason: 'shutdown', produced: 0, processed: 0 });
      expect(await pipeline.run()).to.equal(summary);
      expect(pulled).to.equal(false);
    });

    it('returns the same promise from run() called twice', async () => {
      const pipeline = createPipeline({ source: range(5), process: work(10) });
      const a = pipeline.run();
      expect(pipeline.run()).to.equal(a);
      await settle(clock, a);
    });

    it('waits for a pending async pull and hands its item back', async () => {
      let release: ((v: IteratorResult<number>) => void) | undefined;
      const iterator: AsyncIterableIterator<number> = {
        next: () => new Promise((resolve) => (release = resolve)),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      const pipeline = createPipeline({ source: iterator, process: work(10) });
      pipeline.run();
      await clock.tickAsync(10);
      let done = false;
      const shutdown = pipeline.shutdown().then((s) => ((done = true), s));
      await clock.tickAsync(100);
      expect(done).to.equal(false);
      release!({ value: 7, done: false });
      const summary = await settle(clock, shutdown);
      expect(summary).to.include({ produced: 1, abandoned: 1 });
      expect(summary.abandonedJobs[0]!.payload).to.equal(7);
    });
  });

  describe('observation', () => {
    it('emits every result exactly once and keeps stats in step', async () => {
      const pipeline = createPipeline({
        source: range(200),
        process: work(7),
        minWorkers: 4,
        maxWorkers: 4,
        errThreshold: 0,
      });
      const rec = record(pipeline);
      const depths: number[] = [];
      pipeline.depth$.subscribe((d) => depths.push(d));
      const run = pipeline.run();
      await clock.tickAsync(100);
      const stats = pipeline.stats();
      expect(stats.state).to.equal('running');
      expect(stats.workers).to.equal(4);
      expect(stats.inFlight).to.equal(4);
      expect(stats.processed).to.equal(rec.results.length);
      expect(stats.produced).to.equal(stats.processed + stats.queued + stats.inFlight);
      const summary = await settle(clock, run);
      expect(new Set(rec.results.map((r) => r.jobId)).size).to.equal(200);
      expect(rec.results).to.have.length(200);
      expect(depths[0]).to.equal(0);
      expect(Math.max(...depths)).to.equal(summary.peakDepth);
      expect(pipeline.stats().state).to.equal('stopped');
    });

    it('puts the worker, the attempt and the times on each result', async () => {
      const pipeline = createPipeline({ source: range(1), process: work(30) });
      const rec = record(pipeline);
      const start = Date.now();
      await runToEnd(clock, pipeline, { stepMs: 1 });
      expect(rec.results[0]).to.deep.equal({
        jobId: 1,
        workerId: 1,
        attempt: 1,
        payload: 1,
        queuedAt: start,
        startedAt: start,
        finishedAt: start + 30,
        ok: true,
        value: 2,
      });
    });

    it('completes results$, events$ and depth$ when it stops, with stopped as the last event', async () => {
      const pipeline = createPipeline({ source: range(3), process: work(1) });
      const completed: string[] = [];
      pipeline.results$.subscribe({ complete: () => completed.push('results') });
      pipeline.events$.subscribe({ complete: () => completed.push('events') });
      pipeline.depth$.subscribe({ complete: () => completed.push('depth') });
      const rec = record(pipeline);
      const summary = await runToEnd(clock, pipeline);
      expect(completed).to.have.members(['results', 'events', 'depth']);
      const last = rec.events.at(-1)!;
      expect(last.type === 'stopped' && last.summary).to.equal(summary);
    });

    it('prints nothing of its own', async () => {
      const out = sinon.spy(process.stdout, 'write');
      const err = sinon.spy(process.stderr, 'write');
      const pipeline = createPipeline({
        source: range(20),
        process: (n: number) => (n % 3 ? n : Promise.reject(new Error('x'))),
        errThreshold: 0,
      });
      await runToEnd(clock, pipeline);
      out.restore();
      err.restore();
      expect(out).to.not.have.been.called;
      expect(err).to.not.have.been.called;
    });
  });
});
