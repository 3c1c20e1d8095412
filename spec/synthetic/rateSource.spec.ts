import { expect } from 'chai';
import sinon from 'sinon';
import { rateSource, type SyntheticJob } from '../../lib/synthetic/rateSource.js';

const done = { done: true, value: undefined };

/** Lets a spec look at a promise's state without awaiting it. */
interface Tracked<T> {
  settled: boolean;
  value?: T;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { settled: false };
  void promise.then((value) => {
    tracked.settled = true;
    tracked.value = value;
  });
  return tracked;
}

/** A consumer that pulls as soon as it has a job, as a pipeline with buffer room does. */
async function collect(source: AsyncIterable<SyntheticJob>, into: SyntheticJob[]): Promise<void> {
  for await (const job of source) into.push(job);
}

describe('rateSource', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });

  it('emits exactly N jobs in N intervals, numbered from 1 and stamped with Date.now()', async () => {
    const source = rateSource({ rate: 10 });
    const jobs: SyntheticJob[] = [];
    const consumer = collect(source, jobs);

    await clock.tickAsync(1_000);
    expect(jobs.map((job) => job.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(jobs.map((job) => job.createdAt)).to.deep.equal([
      100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000,
    ]);

    await clock.tickAsync(99);
    expect(jobs).to.have.length(10);
    await clock.tickAsync(1);
    expect(jobs).to.have.length(11);

    await source.return?.();
    await consumer;
  });

  it('makes the first job due one interval after the first next(), not after creation', async () => {
    const source = rateSource({ rate: 10 });
    await clock.tickAsync(500);
    const first = track(source.next());

    await clock.tickAsync(99);
    expect(first.settled).to.equal(false);
    await clock.tickAsync(1);
    expect(first.value).to.deep.equal({ done: false, value: { seq: 1, createdAt: 600 } });
  });

  it('does not burst to catch up after a late pull: one job at once, the next a full interval later', async () => {
    const source = rateSource({ rate: 10 });
    const first = track(source.next());
    await clock.tickAsync(100);
    expect(first.value?.value).to.deep.equal({ seq: 1, createdAt: 100 });

    // The consumer's buffer is full for a second: ten intervals pass without a pull.
    await clock.tickAsync(1_000);
    const late = track(source.next());
    await clock.tickAsync(0);
    expect(late.value?.value).to.deep.equal({ seq: 2, createdAt: 1_100 });

    const next = track(source.next());
    await clock.tickAsync(99);
    expect(next.settled, 'settled before a full interval').to.equal(false);
    await clock.tickAsync(1);
    expect(next.value?.value).to.deep.equal({ seq: 3, createdAt: 1_200 });
  });

  it('emits at a tenth of the rate when calm and 18 times it in the demo burst window', async () => {
    const source = rateSource({ rate: 10, demo: true });
    const jobs: SyntheticJob[] = [];
    const consumer = collect(source, jobs);

    await clock.tickAsync(5_500);
    const calm = jobs.length;
    await clock.tickAsync(500);
    const burst = jobs.length - calm;
    await clock.tickAsync(24_000);
    const after = jobs.length - calm - burst;

    expect(calm, 'jobs in 0-5.5 s').to.equal(5);
    expect(jobs.slice(0, 5).map((job) => job.createdAt)).to.deep.equal([
      1_000, 2_000, 3_000, 4_000, 5_000,
    ]);
    expect(burst, 'jobs in 5.5-6 s').to.be.closeTo(90, 1);
    expect(after, 'jobs in 6-30 s').to.be.closeTo(24, 1);

    await clock.tickAsync(30_000);
    expect(jobs.length - calm - burst - after, 'jobs in the second period').to.be.closeTo(120, 2);

    await source.return?.();
    await consumer;
  });

  it('starts the burst on time when a calm interval spans its start, even at a low rate', async () => {
    // At 2 jobs/s the calm rate is one job every 5 s: the wait from 5 s must not run to 10 s.
    const source = rateSource({ rate: 2, demo: true });
    const jobs: SyntheticJob[] = [];
    const consumer = collect(source, jobs);

    await clock.tickAsync(5_500);
    expect(jobs.map((job) => job.createdAt)).to.deep.equal([5_000]);
    await clock.tickAsync(500);
    // 0.1 of a job accrued calm from 5 s to 5.5 s; the rest comes at 36/s: 25 ms into the burst.
    expect(jobs[1]?.createdAt, 'first burst job').to.equal(5_525);
    expect(jobs.length - 1, 'jobs in 5.5-6 s').to.be.closeTo(18, 1);

    // After the burst the calm interval resumes, shortened by what the burst left over.
    await clock.tickAsync(24_000);
    const afterBurst = jobs.filter((job) => job.createdAt > 6_000).length;
    expect(afterBurst, 'jobs in 6-30 s').to.be.within(4, 5);

    await source.return?.();
    await consumer;
  });

  it('keeps the plain rate when demo is off', async () => {
    const source = rateSource({ rate: 10 });
    const jobs: SyntheticJob[] = [];
    const consumer = collect(source, jobs);

    await clock.tickAsync(15_000);
    expect(jobs).to.have.length(150);

    await source.return?.();
    await consumer;
  });

  it('serves concurrent next() calls in order, one interval apart', async () => {
    const source = rateSource({ rate: 10 });
    const a = track(source.next());
    const b = track(source.next());

    await clock.tickAsync(100);
    expect(a.value?.value).to.deep.equal({ seq: 1, createdAt: 100 });
    expect(b.settled).to.equal(false);
    await clock.tickAsync(100);
    expect(b.value?.value).to.deep.equal({ seq: 2, createdAt: 200 });
  });

  it('return() during a pending next() resolves it done, clears its timer, and ends the source', async () => {
    const source = rateSource({ rate: 1 });
    const pending = track(source.next());
    const queued = track(source.next());
    await clock.tickAsync(500);
    expect(pending.settled).to.equal(false);
    expect(clock.countTimers()).to.equal(1);

    expect(await source.return?.()).to.deep.equal(done);
    await clock.tickAsync(0);
    expect(pending.value).to.deep.equal(done);
    expect(queued.value).to.deep.equal(done);
    expect(clock.countTimers()).to.equal(0);

    expect(await source.next()).to.deep.equal(done);
    expect(clock.countTimers()).to.equal(0);
  });

  it('stops a for-await loop at once when the loop breaks', async () => {
    const source = rateSource({ rate: 10 });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const job of source) {
        seen.push(job.seq);
        if (job.seq === 2) break;
      }
    })();

    await clock.tickAsync(200);
    await consumer;
    expect(seen).to.deep.equal([1, 2]);
    expect(await source.next()).to.deep.equal(done);
    expect(clock.countTimers()).to.equal(0);
  });

  it('stops after `count` jobs without waiting another interval', async () => {
    const source = rateSource({ rate: 10, count: 3 });
    const jobs: SyntheticJob[] = [];
    const consumer = track(collect(source, jobs));

    await clock.tickAsync(300);
    expect(jobs.map((job) => job.seq)).to.deep.equal([1, 2, 3]);
    expect(consumer.settled, 'consumer finished at 300 ms').to.equal(true);
    expect(clock.countTimers()).to.equal(0);
    expect(await source.next()).to.deep.equal(done);
  });

  it('is done at once with a count of 0', async () => {
    const source = rateSource({ rate: 10, count: 0 });
    expect(await source.next()).to.deep.equal(done);
    expect(clock.countTimers()).to.equal(0);
  });

  it('rejects a rate that is not a finite number > 0, naming it and the value', () => {
    expect(() => rateSource({ rate: -1 })).to.throw(
      RangeError,
      'Expected `rate` to be a finite number > 0, got `-1`',
    );
    for (const rate of [0, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => rateSource({ rate }), String(rate)).to.throw(RangeError, `got \`${rate}\``);
    }
    expect(() => rateSource({ rate: '10' as unknown as number })).to.throw(
      RangeError,
      'Expected `rate` to be a finite number > 0, got `"10"`',
    );
  });

  it('rejects a count that is not an integer >= 0, naming it and the value', () => {
    expect(() => rateSource({ rate: 10, count: -1 })).to.throw(
      RangeError,
      'Expected `count` to be an integer >= 0, got `-1`',
    );
    expect(() => rateSource({ rate: 10, count: 2.5 })).to.throw(
      RangeError,
      'Expected `count` to be an integer >= 0, got `2.5`',
    );
  });
});
