import { createRandom } from './createRandom.js';
import { showValue } from '../settingsSchema.js';

/** Options for {@link simulatedWork}. */
export interface SimulatedWorkOptions {
  /** Mean duration of a job in ms (a finite number >= 0). */
  processMs: number;
  /**
   * Durations are uniform in [processMs - jitterMs, processMs + jitterMs], clamped at >= 0.
   * Default 0.
   */
  jitterMs?: number;
  /** Probability (0..1) that a job fails with `Error('simulated processing error')`. Default 0. */
  errorRate?: number;
  /** Repeatable runs: the same seed gives the same durations and failures in call order. */
  seed?: number;
}

function check(ok: boolean, name: string, expected: string, value: unknown): void {
  if (!ok)
    throw new RangeError(`Expected \`${name}\` to be ${expected}, got \`${showValue(value)}\``);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A stand-in for real work: returns a `process` function that waits a random duration, then
 * resolves with its payload or, with probability `errorRate`, rejects with
 * `Error('simulated processing error')`. Both draws (duration, then failure) are made when the
 * function is called, so a seeded run repeats exactly in call order. Aborting `ctx.signal` (before
 * or during the wait) clears the timer and rejects with `signal.reason`.
 *
 * @throws RangeError when an option is out of range (the message names it and the value).
 * @example
 * const process = simulatedWork<string>({ processMs: 80, jitterMs: 40, errorRate: 0.05, seed: 1 });
 * // Resolves with 'payload' after 40..120 ms (or fails, 5 % of the time):
 * const out = await process('payload', { signal: AbortSignal.timeout(1_000) });
 */
export function simulatedWork<In>(
  options: SimulatedWorkOptions,
): (payload: In, ctx: { signal: AbortSignal }) => Promise<In> {
  const { processMs, jitterMs = 0, errorRate = 0, seed } = options;
  check(
    isFiniteNumber(processMs) && processMs >= 0,
    'processMs',
    'a finite number >= 0',
    processMs,
  );
  check(isFiniteNumber(jitterMs) && jitterMs >= 0, 'jitterMs', 'a finite number >= 0', jitterMs);
  check(
    isFiniteNumber(errorRate) && errorRate >= 0 && errorRate <= 1,
    'errorRate',
    'a number from 0 to 1',
    errorRate,
  );
  check(seed === undefined || Number.isInteger(seed), 'seed', 'an integer', seed);
  const random = createRandom(seed);

  return (payload, { signal }) => {
    // Draw before looking at the signal, so an abort does not shift later calls' outcomes.
    const durationMs = Math.max(0, processMs + (random() * 2 - 1) * jitterMs);
    const fails = random() < errorRate;
    return new Promise<In>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      // setTimeout/clearTimeout are looked up here, at call time, so fake timers apply.
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        if (fails) reject(new Error('simulated processing error'));
        else resolve(payload);
      }, durationMs);
      function onAbort(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(signal.reason);
      }
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}
