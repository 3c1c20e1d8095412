import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import sinon from 'sinon';
import { simulatedWork } from '../../lib/synthetic/simulatedWork.js';

/** Lets a spec look at a promise's state without awaiting it. */
interface Tracked<T> {
  settled: boolean;
  ok?: boolean;
  value?: T;
  error?: unknown;
  at?: number;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { settled: false };
  void promise.then(
    (value) => Object.assign(tracked, { settled: true, ok: true, value, at: Date.now() }),
    (error: unknown) => Object.assign(tracked, { settled: true, ok: false, error, at: Date.now() }),
  );
  return tracked;
}

function ctx(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

describe('simulatedWork', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });

  it('resolves with the payload after processMs when there is no jitter', async () => {
    const work = simulatedWork<{ id: number }>({ processMs: 80 });
    const payload = { id: 1 };
    const run = track(work(payload, ctx()));

    await clock.tickAsync(79);
    expect(run.settled).to.equal(false);
    await clock.tickAsync(1);
    expect(run.value).to.equal(payload);
  });

  it('takes a duration spread over [processMs - jitterMs, processMs + jitterMs]', async () => {
    const work = simulatedWork<number>({ processMs: 80, jitterMs: 40, seed: 3 });
    const runs = Array.from({ length: 200 }, (_, i) => track(work(i, ctx())));

    await clock.tickAsync(39);
    expect(
      runs.filter((run) => run.settled),
      'settled before 40 ms',
    ).to.have.length(0);
    await clock.tickAsync(41);
    const byMean = runs.filter((run) => run.settled).length;
    expect(byMean, 'settled by 80 ms').to.be.within(70, 130);
    await clock.tickAsync(40);
    expect(
      runs.every((run) => run.ok),
      'all resolved by 120 ms',
    ).to.equal(true);
  });

  it('clamps durations at 0 when the jitter exceeds the mean', async () => {
    const work = simulatedWork<number>({ processMs: 10, jitterMs: 50, seed: 5 });
    const runs = Array.from({ length: 100 }, (_, i) => track(work(i, ctx())));

    await clock.tickAsync(0);
    const immediate = runs.filter((run) => run.settled).length;
    // Uniform in [-40, 60]: the 40 % below zero all run at once.
    expect(immediate, 'settled at 0 ms').to.be.within(25, 55);
    await clock.tickAsync(60);
    expect(runs.every((run) => run.ok)).to.equal(true);
  });

  it('fails a seeded fraction near errorRate, with the exact message', async () => {
    const work = simulatedWork<number>({ processMs: 0, errorRate: 0.3, seed: 42 });
    const runs = Array.from({ length: 2_000 }, (_, i) => track(work(i, ctx())));

    await clock.tickAsync(0);
    const failures = runs.filter((run) => run.ok === false);
    expect(failures.length / runs.length).to.be.closeTo(0.3, 0.04);
    for (const run of failures) {
      expect(run.error)
        .to.be.an.instanceOf(Error)
        .with.property('message', 'simulated processing error');
    }
    expect(runs.every((run) => run.settled)).to.equal(true);
  });

  it('never fails with errorRate 0 and always fails with errorRate 1', async () => {
    const never = simulatedWork<number>({ processMs: 0, errorRate: 0 });
    const always = simulatedWork<number>({ processMs: 0, errorRate: 1 });
    const ok = Array.from({ length: 100 }, (_, i) => track(never(i, ctx())));
    const failed = Array.from({ length: 100 }, (_, i) => track(always(i, ctx())));

    await clock.tickAsync(0);
    expect(ok.every((run) => run.ok === true)).to.equal(true);
    expect(failed.every((run) => run.ok === false)).to.equal(true);
  });

  it('repeats durations and failures in call order for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const work = simulatedWork<number>({ processMs: 80, jitterMs: 40, errorRate: 0.2, seed });
      const start = Date.now();
      const runs = Array.from({ length: 50 }, (_, i) => track(work(i, ctx())));
      await clock.tickAsync(120);
      return runs.map((run) => [run.ok, run.at! - start]);
    };

    const first = await outcomes(11);
    expect(await outcomes(11)).to.deep.equal(first);
    expect(await outcomes(12)).to.not.deep.equal(first);
  });

  it('rejects with the abort reason and clears its timer when aborted during the wait', async () => {
    const work = simulatedWork<string>({ processMs: 100 });
    const controller = new AbortController();
    const reason = new Error('pipeline stopping');
    const run = work('job', { signal: controller.signal });

    await clock.tickAsync(50);
    expect(clock.countTimers()).to.equal(1);
    controller.abort(reason);
    await expect(run).to.be.rejectedWith(reason);
    expect(clock.countTimers()).to.equal(0);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('rejects at once with the reason, scheduling nothing, when the signal is already aborted', async () => {
    const work = simulatedWork<string>({ processMs: 100 });
    const controller = new AbortController();
    controller.abort('stop');
    const run = track(work('job', { signal: controller.signal }));

    await clock.tickAsync(0);
    expect(run.ok).to.equal(false);
    expect(run.error).to.equal('stop');
    expect(clock.countTimers()).to.equal(0);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('removes its abort listener when it resolves and when it fails', async () => {
    const succeeding = simulatedWork<string>({ processMs: 10 });
    const failing = simulatedWork<string>({ processMs: 10, errorRate: 1 });
    const { signal } = new AbortController();
    const ok = track(succeeding('a', { signal }));
    const failed = track(failing('b', { signal }));
    expect(getEventListeners(signal, 'abort')).to.have.length(2);

    await clock.tickAsync(10);
    expect([ok.ok, failed.ok]).to.deep.equal([true, false]);
    expect(getEventListeners(signal, 'abort')).to.have.length(0);
  });

  it('rejects out-of-range options, naming the option and the value', () => {
    const cases: [Parameters<typeof simulatedWork>[0], string][] = [
      [{ processMs: -1 }, 'Expected `processMs` to be a finite number >= 0, got `-1`'],
      [{ processMs: Number.NaN }, 'Expected `processMs` to be a finite number >= 0, got `NaN`'],
      [{ processMs: 80, jitterMs: -5 }, 'Expected `jitterMs` to be a finite number >= 0, got `-5`'],
      [
        { processMs: 80, errorRate: 1.5 },
        'Expected `errorRate` to be a number from 0 to 1, got `1.5`',
      ],
      [
        { processMs: 80, errorRate: -0.1 },
        'Expected `errorRate` to be a number from 0 to 1, got `-0.1`',
      ],
      [{ processMs: 80, seed: 0.5 }, 'Expected `seed` to be an integer, got `0.5`'],
      [
        { processMs: '80' as unknown as number },
        'Expected `processMs` to be a finite number >= 0, got `"80"`',
      ],
    ];
    for (const [options, message] of cases) {
      expect(() => simulatedWork(options), message).to.throw(RangeError, message);
    }
  });
});
