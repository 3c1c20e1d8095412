import { expect } from 'chai';
import { demoPeriodMs, demoRate } from '../../lib/synthetic/demoRate.js';

/** The command's defaults, as the demo profile must serve them. */
const defaults = {
  baseRate: 10,
  jobsPerWorkerPerSecond: 1000 / 80,
  minWorkers: 1,
  maxWorkers: 8,
  capacity: 100,
  scaleUpAt: 70,
  scaleDownAt: 20,
  tickMs: 2_000,
};

/**
 * A plain arithmetic model of the pipeline in 100 ms steps: the producer fills the queue (held
 * back when it is full), each worker drains 12.5 jobs/s, and the supervisor applies +1 / -1 on
 * its ticks. Returns the worker count after each step.
 */
function simulate(rateAt: (elapsedMs: number) => number, durationMs: number): number[] {
  const stepMs = 100;
  let queue = 0;
  let workers = defaults.minWorkers;
  const history: number[] = [];
  for (let t = 0; t < durationMs; t += stepMs) {
    queue = Math.min(defaults.capacity, queue + (rateAt(t) * stepMs) / 1000);
    queue = Math.max(0, queue - (workers * defaults.jobsPerWorkerPerSecond * stepMs) / 1000);
    const now = t + stepMs;
    if (now % defaults.tickMs === 0) {
      if (queue >= defaults.scaleUpAt) workers = Math.min(defaults.maxWorkers, workers + 1);
      else if (queue <= defaults.scaleDownAt) workers = Math.max(defaults.minWorkers, workers - 1);
    }
    history.push(workers);
  }
  return history;
}

describe('demoRate', () => {
  it('runs at the base rate, bursts to seven times it from 5 s to 15 s, then calms down', () => {
    expect(demoRate(10, 0)).to.equal(10);
    expect(demoRate(10, 4_999)).to.equal(10);
    expect(demoRate(10, 5_000)).to.equal(70);
    expect(demoRate(10, 14_999)).to.equal(70);
    expect(demoRate(10, 15_000)).to.equal(10);
    expect(demoRate(10, 29_999)).to.equal(10);
  });

  it('repeats every demoPeriodMs', () => {
    expect(demoPeriodMs).to.equal(30_000);
    for (const t of [0, 2_500, 5_000, 9_000, 14_999, 15_000, 29_000]) {
      expect(demoRate(3, t + demoPeriodMs)).to.equal(demoRate(3, t));
      expect(demoRate(3, t + 5 * demoPeriodMs)).to.equal(demoRate(3, t));
    }
  });

  it('treats a negative elapsed time as a point in the previous period', () => {
    expect(demoRate(10, -20_000)).to.equal(demoRate(10, 10_000));
    expect(demoRate(10, -1)).to.equal(10);
  });

  it('makes the pool scale up under the burst and back down to one worker within 30 s', () => {
    const history = simulate((t) => demoRate(defaults.baseRate, t), demoPeriodMs);
    const peak = Math.max(...history);
    const peakAt = history.indexOf(peak);
    expect(peak, 'workers at the peak').to.be.above(1);
    expect(history.slice(peakAt), 'workers after the peak').to.include(1);
    expect(history.at(-1), 'workers at 30 s').to.equal(1);
  });

  it('would not scale at all at a flat base rate (the model can tell the difference)', () => {
    const history = simulate(() => defaults.baseRate, demoPeriodMs);
    expect(Math.max(...history)).to.equal(1);
  });
});
