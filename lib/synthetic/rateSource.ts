import { demoRate, demoRateChangeAfter } from './demoRate.js';
import { showValue } from '../settingsSchema.js';

/** One item produced by {@link rateSource}. */
export interface SyntheticJob {
  /** Counts up from 1 in emission order. */
  readonly seq: number;
  /** `Date.now()` when the job was emitted. */
  readonly createdAt: number;
}

/** Options for {@link rateSource}. */
export interface RateSourceOptions {
  /** Jobs per second (a finite number > 0); the base rate when `demo` is true. */
  rate: number;
  /** Vary the rate over time with {@link demoRate}(rate, elapsed). Default false. */
  demo?: boolean;
  /** Stop after this many jobs (an integer >= 0). Default: endless. */
  count?: number;
}

type Result = IteratorResult<SyntheticJob, undefined>;

const done: Result = Object.freeze({ done: true, value: undefined });

/** A pending `next()`: its timer and how to settle it early from `return()`. */
interface Pending {
  readonly timer: ReturnType<typeof setTimeout>;
  readonly resolve: (result: Result) => void;
}

/*
 * A hand-written iterator rather than an async generator: a generator's `return()` waits for the
 * pending `next()` to finish, but a stopping pipeline must end the wait at once.
 * Timers and the clock are looked up on the globals at call time (never captured at import), so
 * sinon fake timers drive it.
 */
class RateSource implements AsyncIterableIterator<SyntheticJob, undefined> {
  private readonly rate: number;
  private readonly demo: boolean;
  private readonly count: number | undefined;
  private seq = 0;
  private finished = false;
  private startedAt: number | undefined;
  private lastDue: number | undefined;
  private pending: Pending | undefined;
  // The latest unsettled next(): concurrent calls queue behind it so jobs keep their order.
  private tail: Promise<Result> | undefined;

  constructor(options: RateSourceOptions) {
    this.rate = options.rate;
    this.demo = options.demo === true;
    this.count = options.count;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Result> {
    const previous = this.tail;
    const result = previous ? previous.then(() => this.step()) : this.step();
    this.tail = result;
    void result.then(() => {
      if (this.tail === result) this.tail = undefined;
    });
    return result;
  }

  return(): Promise<Result> {
    this.finished = true;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve(done);
    }
    return Promise.resolve(done);
  }

  private step(): Promise<Result> {
    if (this.finished) return Promise.resolve(done);
    if (this.count !== undefined && this.seq >= this.count) {
      this.finished = true;
      return Promise.resolve(done);
    }
    const now = Date.now();
    this.startedAt ??= now;
    const from = this.lastDue ?? now;
    // A late pull gets its job at once, and the schedule restarts from now: no catch-up burst
    // (like Go's time.Ticker dropping ticks for a slow receiver).
    const due = Math.max(
      this.demo ? this.demoDue(from, this.startedAt) : from + 1000 / this.rate,
      now,
    );
    this.lastDue = due;
    const delay = Math.ceil(due - now);
    if (delay <= 0) return Promise.resolve(this.emit());
    return new Promise<Result>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve(this.emit());
      }, delay);
      this.pending = { timer, resolve };
    });
  }

  /**
   * When the next job is due under the demo profile: once one job's worth of rate has accrued
   * after `from`, across the profile's changes. Reading the rate only at `from` would let a calm
   * interval (1 s at the default 10/s) run past the start of a burst and delay it, or at a low base
   * rate skip a short burst altogether.
   */
  private demoDue(from: number, startedAt: number): number {
    let at = from - startedAt;
    let owed = 1; // the part of a job still to accrue
    // Each pass ends in a stretch of constant rate or moves on to the next change (two per
    // period). The bound only matters for an absurdly low base rate, whose one job spans thousands
    // of periods: it then takes the rate where the count stopped.
    for (let pass = 0; ; pass++) {
      const rate = demoRate(this.rate, at);
      const change = demoRateChangeAfter(at);
      const end = at + (owed * 1000) / rate;
      if (end <= change || pass >= 10_000) return startedAt + end;
      owed -= ((change - at) * rate) / 1000;
      at = change;
    }
  }

  private emit(): Result {
    this.seq += 1;
    return { done: false, value: { seq: this.seq, createdAt: Date.now() } };
  }
}

/**
 * An endless (or `count`-long) source of {@link SyntheticJob}s at `rate` jobs per second, pulled
 * like a ticker-fed Go producer: each `next()` resolves when the next job is due. The first job is
 * due one interval (1000 / rate ms) after the first `next()`. A consumer that pulls late gets one
 * job at once and the following one a full interval later: missed jobs are dropped, not burst.
 * With `demo`, the rate follows {@link demoRate} (elapsed since the first `next()`), changing
 * mid-interval when the profile does, so a slow calm interval never delays or skips a burst.
 * `return()` (also called by `break` in `for await`) ends a pending wait at once and clears its
 * timer.
 *
 * @throws RangeError when `rate` is not a finite number > 0 or `count` is not an integer >= 0.
 * @example
 * for await (const job of rateSource({ rate: 10, count: 3 })) {
 *   console.log(job.seq); // 1, 2, 3 — about 100 ms apart
 * }
 */
export function rateSource(options: RateSourceOptions): AsyncIterableIterator<SyntheticJob> {
  const { rate, count } = options;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`Expected \`rate\` to be a finite number > 0, got \`${showValue(rate)}\``);
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw new RangeError(`Expected \`count\` to be an integer >= 0, got \`${showValue(count)}\``);
  }
  return new RateSource(options);
}
