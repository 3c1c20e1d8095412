import { isObservable, Subject, takeUntil, type Observable } from 'rxjs';
import { log } from './log.js';
import type { PipelineSource } from './options.js';

const debug = log.extend('producer');

/** Async pulls in a row before the producer lets the event loop turn (see `pullAsync`). */
const YIELD_EVERY = 64;

/** What the producer feeds. */
export interface ProducerSink<In> {
  /** True while the buffer (or an idle worker) can take another item. */
  hasRoom(): boolean;
  /** An item taken from the source. */
  offer(payload: In): void;
  complete(): void;
  error(error: unknown): void;
  /** A pull that was pending has settled (shutdown waits for it). */
  settled(): void;
}

/**
 * Reads a source into the pipeline's buffer. Iterables and async iterables are pulled only while the
 * buffer has room (back-pressure: a million-item source never holds more than `queueCap` payloads);
 * an Observable cannot be paused, so it is subscribed and the sink applies the overflow policy.
 */
export class Producer<In> {
  private iterator: Iterator<In> | undefined;
  private asyncIterator: AsyncIterator<In> | undefined;
  private readonly stop$ = new Subject<void>();
  private pulling = false;
  private pullAgain = false;
  private finished = false;
  /** An async `next()` is in flight. */
  pending = false;
  private streak = 0;
  private yielding = false;

  constructor(
    private readonly source: PipelineSource<In>,
    private readonly sink: ProducerSink<In>,
  ) {}

  start(): void {
    const source = this.source;
    if (isObservable(source)) {
      debug('subscribing to an Observable source');
      (source as Observable<In>).pipe(takeUntil(this.stop$)).subscribe({
        next: (value) => this.sink.offer(value),
        error: (err: unknown) => this.fail(err),
        complete: () => this.done(),
      });
      return;
    }
    try {
      if (typeof (source as AsyncIterable<In>)[Symbol.asyncIterator] === 'function') {
        this.asyncIterator = (source as AsyncIterable<In>)[Symbol.asyncIterator]();
      } else {
        this.iterator = (source as Iterable<In>)[Symbol.iterator]();
      }
    } catch (err) {
      this.fail(err);
      return;
    }
    this.pull();
  }

  /** Takes items while there is room; call it whenever room may have appeared. */
  pull(): void {
    if (this.finished) return;
    if (this.iterator) this.pullSync(this.iterator);
    else if (this.asyncIterator) this.pullAsync(this.asyncIterator);
  }

  /** Stops taking items and lets the source clean up (`return()` runs a generator's `finally`). */
  stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.stop$.next();
    this.stop$.complete();
    try {
      this.iterator?.return?.();
      const returned = this.asyncIterator?.return?.();
      if (returned) Promise.resolve(returned).catch(() => undefined);
    } catch {
      // A source that fails while closing has nothing more to give; the run's counts stand.
    }
  }

  /** Forget a pending async pull (the shutdown deadline passed): an item it brings later is not taken. */
  abandonPending(): void {
    this.pending = false;
  }

  private pullSync(iterator: Iterator<In>): void {
    // A worker finishing synchronously inside `offer` asks for more: loop here instead of recursing.
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    do {
      this.pullAgain = false;
      while (!this.finished && this.sink.hasRoom()) {
        let step: IteratorResult<In>;
        try {
          step = iterator.next();
        } catch (err) {
          this.fail(err);
          break;
        }
        if (step.done) {
          this.done();
          break;
        }
        this.sink.offer(step.value);
      }
    } while (this.pullAgain && !this.finished);
    this.pulling = false;
  }

  private pullAsync(iterator: AsyncIterator<In>): void {
    if (this.pending || this.yielding || !this.sink.hasRoom()) return;
    if (++this.streak >= YIELD_EVERY) {
      // Items that come at once, handed to jobs that settle at once, chain microtasks only: without
      // a turn of the event loop now and then, no timer, tick or shutdown request could ever run.
      this.streak = 0;
      this.yielding = true;
      setImmediate(() => {
        this.yielding = false;
        this.pull();
      });
      return;
    }
    this.pending = true;
    let next: Promise<IteratorResult<In>>;
    try {
      next = Promise.resolve(iterator.next());
    } catch (err) {
      this.pending = false;
      this.fail(err);
      return;
    }
    next.then(
      (step) => {
        if (!this.pending) return; // given up at the shutdown deadline
        this.pending = false;
        if (step.done) {
          if (!this.finished) this.done();
        } else {
          // Taken even when shutdown began meanwhile: the sink hands it back, so it is not lost.
          this.sink.offer(step.value);
          this.pull();
        }
        this.sink.settled();
      },
      (err: unknown) => {
        if (!this.pending) return;
        this.pending = false;
        if (!this.finished) this.fail(err);
        this.sink.settled();
      },
    );
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    debug('source completed');
    this.sink.complete();
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    debug('source failed: %O', err);
    this.stop();
    this.sink.error(err);
  }
}
