/** Length of one cycle of the demo profile: calm, burst, calm again. */
export const demoPeriodMs = 30_000;

// The burst window inside each period, and how much faster the producer runs in it.
const burstStartMs = 5_000;
const burstEndMs = 15_000;
const burstFactor = 7;

/*
 * Why these numbers work with the command's defaults (baseRate 10/s, jobs 80 ± 40 ms so one worker
 * handles ~12.5 jobs/s, 1..8 workers, queue capacity 100, +1 at depth >= 70, -1 at depth <= 20,
 * a supervisor tick every 2 s):
 * - 0–5 s: 10/s in, 12.5/s out with one worker, so the queue stays near empty: no scaling.
 * - 5–15 s: 70/s in. With 1 worker the queue grows at 57.5/s and is full (100) by ~6.7 s, so the
 *   ticks at 8, 10, 12 and 14 s each add a worker (5 workers = 62.5/s, still < 70/s: the queue
 *   stays full and the producer is held back).
 * - 15–30 s: 10/s in, 62.5/s out with 5 workers: the queue drains at ~52.5/s and is empty by
 *   ~17 s; the ticks at 18, 20, 22 and 24 s each remove one: back to 1 worker by 24 s, inside the
 *   period.
 * spec/synthetic/demoRate.spec.ts runs this same model step by step.
 */

/**
 * The demo's producer rate in jobs per second, `elapsedMs` after the start: `baseRate` for the
 * first 5 s, `baseRate * 7` from 5 s to 15 s, `baseRate` again until 30 s, then it repeats every
 * {@link demoPeriodMs}. The burst is sized so that, with the command's defaults, the pool visibly
 * scales up during it and back down after it within each period.
 *
 * @example
 * demoRate(10, 1_000); // 10
 * demoRate(10, 6_000); // 70 (burst)
 * demoRate(10, 36_000); // 70 (burst of the second period)
 */
export function demoRate(baseRate: number, elapsedMs: number): number {
  // Double modulo so a negative elapsed time (clock skew) still lands inside a period.
  const phase = ((elapsedMs % demoPeriodMs) + demoPeriodMs) % demoPeriodMs;
  return phase >= burstStartMs && phase < burstEndMs ? baseRate * burstFactor : baseRate;
}
