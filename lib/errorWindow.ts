import { EMPTY, Observable, type OperatorFunction } from 'rxjs';
import type { JobResult } from './JobResult.js';
import { SlidingWindowCounter } from './SlidingWindowCounter.js';

/** What `errorWindow` emits when the window trips. */
export interface ErrorWindowTrip {
  readonly at: number;
  readonly errors: number;
}

/**
 * Emits once, then completes, when the failures among the results in the trailing `windowMs` reach
 * `threshold` (0 never trips). The window is measured on each failure's `finishedAt`.
 *
 * @example
 * results$.pipe(errorWindow(10_000, 10)).subscribe(() => pipeline.shutdown());
 */
export function errorWindow(
  windowMs: number,
  threshold: number,
): OperatorFunction<JobResult<unknown>, ErrorWindowTrip> {
  return (results) =>
    threshold <= 0
      ? EMPTY
      : new Observable<ErrorWindowTrip>((subscriber) => {
          const counter = new SlidingWindowCounter(windowMs);
          return results.subscribe({
            next(result) {
              if (result.ok) return;
              const errors = counter.add(result.finishedAt);
              if (errors >= threshold) {
                subscriber.next({ at: result.finishedAt, errors });
                subscriber.complete();
              }
            },
            error: (err: unknown) => subscriber.error(err),
            complete: () => subscriber.complete(),
          });
        });
}
