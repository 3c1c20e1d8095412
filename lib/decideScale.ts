import type { ScaleDirection } from './PipelineEvent.js';

/** The settings the scaling rule reads. */
export interface ScaleLimits {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly highWater: number;
  readonly lowWater: number;
}

/**
 * The supervisor's rule for one tick, as in the Go design: +1 worker when the queue depth is at or
 * above the high-water mark, -1 at or below the low-water mark, one step per tick, within min..max.
 * With `minWorkers` 0 a backlog below the high mark still gets one worker, and the last worker is
 * only let go once the queue is empty, so jobs never wait for a pool of zero.
 *
 * @example
 * decideScale(73, 1, { minWorkers: 1, maxWorkers: 8, highWater: 70, lowWater: 20 }); // 'up'
 */
export function decideScale(depth: number, workers: number, limits: ScaleLimits): ScaleDirection {
  const { minWorkers, maxWorkers, highWater, lowWater } = limits;
  if (workers < minWorkers) return 'up';
  if (workers > maxWorkers) return 'down';
  if (workers < maxWorkers && (depth >= highWater || (workers === 0 && depth > 0))) return 'up';
  if (workers > minWorkers && depth <= lowWater && !(workers === 1 && depth > 0)) return 'down';
  return 'steady';
}
