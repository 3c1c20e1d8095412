/** Length of one cycle of the demo profile: calm, burst, calm again. */
export const demoPeriodMs = 30_000;

// The producer runs at `calmFactor` times the base rate, except from `burstStartMs` to
// `burstEndMs` of each period, when it runs at `burstFactor` times it.
const calmFactor = 0.1;
const burstFactor = 18;
const burstStartMs = 5_500;
const burstEndMs = 6_000;

/*
 * Why these numbers work with the command's defaults (-producer-rate 10, jobs 80 ± 40 ms so one
 * worker handles ~12.5 jobs/s, 1..8 workers, queue capacity 100, +1 at depth >= 70, -1 at depth
 * <= 20, a supervisor tick every 2 s, 5 % of jobs failing, shutdown at 10 failures in 10 s):
 *
 * - Calm, 1 job/s: one worker keeps the queue empty, so every tick sees depth 0 and keeps 1 worker.
 * - The burst, 180 jobs/s for 0.5 s = 90 jobs, ends on the supervisor's tick at 6 s (the default
 *   2 s tick × 3). One worker takes ~6 of them meanwhile, so that tick sees a depth of ~83 (81..85
 *   over 200 seeded runs) >= 70 and adds a worker.
 * - Two workers drain ~25 jobs/s against 1 job/s in: depth ~36 at the 8 s tick (no change) and ~0
 *   by ~9.5 s, so the tick at 10 s removes the worker again: up and back down by 10 s of each 30 s.
 * - The error guard: every job of the burst is processed within ~4 s of it, so any 10 s window
 *   holds at most ~90 + 10 calm = ~100 jobs, ~5 failures expected at 5 %. Reaching 10 of them has
 *   a chance of ~3 % (binomial, n = 100, p = 0.05) per burst; 3 in 200 simulated 30 s runs did.
 *
 * The burst is short and steep because the queue must hold >= 70 jobs at the tick, and everything
 * a single worker processes during the burst adds to the error window but not to the depth: the
 * same 90 jobs spread over 1 s leave only ~77 at the tick, and a late tick (a 2 s timer drifts)
 * then misses the mark; with 0.5 s the depth stays >= 75 even when the tick comes 0.5 s late. A
 * longer or bigger burst trips the guard: the former profile (7x the rate for 10 s, ~600 jobs in
 * a window) did in every run. spec/synthetic/demoRate.spec.ts checks the model and the real
 * pipeline.
 */

/**
 * The demo's producer rate in jobs per second, `elapsedMs` after the start: `baseRate * 18` from
 * 5.5 s to 6 s, `baseRate * 0.1` the rest of the time, repeating every {@link demoPeriodMs}. Sized
 * so that, with the command's defaults, the pool scales up at the supervisor tick that ends the
 * burst and back down a few seconds later, without the default error guard stopping the run.
 *
 * @example
 * demoRate(10, 1_000); // 1 (calm)
 * demoRate(10, 5_600); // 180 (burst)
 * demoRate(10, 35_600); // 180 (burst of the second period)
 */
export function demoRate(baseRate: number, elapsedMs: number): number {
  // Double modulo so a negative elapsed time (clock skew) still lands inside a period.
  const phase = ((elapsedMs % demoPeriodMs) + demoPeriodMs) % demoPeriodMs;
  const factor = phase >= burstStartMs && phase < burstEndMs ? burstFactor : calmFactor;
  return baseRate * factor;
}

/**
 * The first time after `elapsedMs` at which {@link demoRate} changes: the start or the end of a
 * burst. Always greater than `elapsedMs`, and a whole number of milliseconds, so `demoRate` at it
 * already gives the new rate. Lets a rate source follow the profile within one job's interval.
 *
 * @example
 * demoRateChangeAfter(1_000); // 5_500
 * demoRateChangeAfter(5_500); // 6_000
 * demoRateChangeAfter(6_000); // 35_500
 */
export function demoRateChangeAfter(elapsedMs: number): number {
  const phase = ((elapsedMs % demoPeriodMs) + demoPeriodMs) % demoPeriodMs;
  const periodStart = Math.round((elapsedMs - phase) / demoPeriodMs) * demoPeriodMs;
  if (phase < burstStartMs) return periodStart + burstStartMs;
  if (phase < burstEndMs) return periodStart + burstEndMs;
  return periodStart + demoPeriodMs + burstStartMs;
}
