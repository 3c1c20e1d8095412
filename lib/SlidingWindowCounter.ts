import { RingBuffer } from './RingBuffer.js';

/**
 * Counts events in the trailing `windowMs` (a sliding window, not tumbling buckets): an event at time
 * `t` counts while `now - t < windowMs`, so one exactly `windowMs` old has left the window.
 *
 * @example
 * const c = new SlidingWindowCounter(10_000);
 * c.add(9_900); c.add(10_100); c.count(19_000); // 2
 */
export class SlidingWindowCounter {
  private readonly times = new RingBuffer<number>();

  constructor(readonly windowMs: number) {}

  /** Records an event at `at` and returns how many are in the window ending then. */
  add(at: number): number {
    this.times.push(at);
    return this.count(at);
  }

  /** How many events fall in the window ending at `now`. */
  count(now: number): number {
    for (
      let t = this.times.peek();
      t !== undefined && now - t >= this.windowMs;
      t = this.times.peek()
    ) {
      this.times.shift();
    }
    return this.times.length;
  }
}
