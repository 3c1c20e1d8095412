import {
  BehaviorSubject,
  defer,
  filter,
  interval,
  map,
  merge,
  mergeMap,
  Observable,
  Subject,
  share,
  take,
  takeUntil,
  type Subscription,
} from 'rxjs';
import { decideScale } from './decideScale.js';
import type { JobFailure, JobResult } from './JobResult.js';
import { JobTimeoutError } from './JobTimeoutError.js';
import { log } from './log.js';
import type { ResolvedOptions } from './options.js';
import type { ErrorRateExceededEvent, PipelineEvent, SourceErrorEvent } from './PipelineEvent.js';
import type { PipelineState, PipelineStats } from './PipelineStats.js';
import type { AbandonedJob, PipelineSummary, StopReason } from './PipelineSummary.js';
import { Producer } from './Producer.js';
import { QueueOverflowError } from './QueueOverflowError.js';
import { RingBuffer } from './RingBuffer.js';
import { ShutdownDeadlineError } from './ShutdownDeadlineError.js';
import { SlidingWindowCounter } from './SlidingWindowCounter.js';
import { Job, Worker } from './Worker.js';

const debugSupervisor = log.extend('supervisor');
const debugWorker = log.extend('worker');
const debugCollector = log.extend('collector');

/**
 * Jobs the pool starts between two turns of the event loop that it asks for. Jobs that settle at once
 * chain microtasks only, which would starve timers and signals: past this many starts, workers wait
 * for a `setImmediate`. Counted for the whole pool, so the cost is one immediate per this many jobs.
 */
const TURN_BUDGET = 1024;

/** A request to stop, from a user, the error window, or the source. */
interface StopRequest {
  readonly reason: StopReason;
  readonly drain: boolean;
  readonly deadlineMs: number | undefined;
  /**
   * The event that says why (the error window tripped, the source failed), emitted by `stop()` once
   * the stop is under way: a listener that calls shutdown() then makes it stricter, not overtakes it.
   */
  readonly cause?: ErrorRateExceededEvent | SourceErrorEvent;
}

/** Options of {@link Pipeline.shutdown}. */
export interface ShutdownOptions {
  /** Process every queued job before stopping, instead of handing them back. Default false. */
  drain?: boolean;
  /**
   * After this many milliseconds, fire the AbortSignal of the jobs still running, count them as
   * failed, and stop (unstarted jobs are handed back). Default: the `shutdownDeadlineMs` option, or none.
   */
  deadlineMs?: number;
}

/**
 * A running pipeline: a producer feeding a bounded buffer, a supervisor scaling a worker pool from the
 * queue depth, and a collector counting every result. Create it with {@link createPipeline}.
 */
export class Pipeline<In, Out> {
  private readonly events = new Subject<PipelineEvent<In>>();
  private readonly results = new Subject<JobResult<Out, In>>();
  /** The failed results only: what the sliding error window reads. */
  private readonly failedResults = new Subject<JobResult<Out, In>>();
  private readonly depth = new BehaviorSubject<number>(0);
  private readonly stopRequested = new Subject<StopRequest>();
  private readonly spawn = new Subject<void>();

  /** Every job's result, exactly once, in the order jobs end. Completes when the pipeline stops. */
  readonly results$: Observable<JobResult<Out, In>> = this.results.asObservable();
  /** What the pipeline does: workers, scaling, shutdown. Completes after the `stopped` event. */
  readonly events$: Observable<PipelineEvent<In>> = this.events.asObservable();
  /** The number of jobs waiting for a worker; emits the current value on subscribe. */
  readonly depth$: Observable<number> = defer(() => {
    // The subject is only fed while observed (it costs per job): bring it up to date first.
    this.depthChanged(true);
    return this.depth;
  });

  private state: PipelineState = 'idle';
  private reason: StopReason = 'shutdown';
  private sourceError: unknown = undefined;
  private draining = false;

  private readonly queue = new RingBuffer<Job<In>>();
  /** Retried jobs whose backoff has passed: served before the queue, outside its capacity. */
  private readonly ready = new RingBuffer<Job<In>>();
  private readonly retrying = new Map<Job<In>, ReturnType<typeof setTimeout>>();
  private readonly active: Worker<In>[] = [];
  private readonly idle: Worker<In>[] = [];
  /** Workers that have not exited, running or leaving. */
  private readonly live = new Set<Worker<In>>();
  /** Attempts running now. */
  private inFlight = 0;
  /** Job starts since the pool last waited for the event loop to turn (see TURN_BUDGET). */
  private sinceTurn = 0;
  /** Workers waiting for that turn. */
  private readonly parked: Worker<In>[] = [];
  /** Whether successes are logged: read once per run, as the `enabled` getter costs per job. */
  private traceResults = false;
  /** Workers asked to stop that have not exited yet (finishing their job). */
  private leaving = 0;
  private registryClosed = false;
  private readonly producer: Producer<In>;
  private readonly failures: SlidingWindowCounter;
  private readonly abandonedJobs: AbandonedJob<In>[] = [];
  private subscriptions: Subscription[] = [];
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private deadlineAt = Infinity;
  private workersDone = false;
  private sourceDone = false;

  private jobSeq = 0;
  private workerSeq = 0;
  private attemptSeq = 0;
  private produced = 0;
  private succeeded = 0;
  private failed = 0;
  private dropped = 0;
  private peakWorkers = 0;
  private peakDepth = 0;
  private startedAt = 0;
  /** `Date.now()` of the settlement being handled, reused by what it starts in the same turn. */
  private now = 0;

  private readonly finished: Promise<PipelineSummary<In>>;
  private resolveFinished!: (summary: PipelineSummary<In>) => void;

  /** @internal Build pipelines with {@link createPipeline}, which validates the options. */
  constructor(private readonly options: ResolvedOptions<In, Out>) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.failures = new SlidingWindowCounter(options.errWindowMs);
    this.producer = new Producer(options.source, {
      hasRoom: () => this.queue.length < options.queueCap || this.idle.length > 0,
      offer: (payload) => this.offer(payload),
      complete: () => this.onSourceComplete(),
      error: (err) => this.onSourceError(err),
      settled: () => this.tryFinalize(),
    });
  }

  /**
   * Starts the pipeline. Resolves once it has fully stopped: the source is done and every job
   * processed, or a shutdown finished. Calling it again returns the same promise.
   */
  run(): Promise<PipelineSummary<In>> {
    if (this.state !== 'idle') return this.finished;
    this.state = 'running';
    this.startedAt = Date.now();
    this.traceResults = debugCollector.enabled;
    const { options } = this;

    // The collector already counted each failure in the sliding window (`failures`): read it.
    const errorRate$ = this.failedResults.pipe(
      filter(() => options.errThreshold > 0),
      map((failure) => ({
        at: failure.finishedAt,
        errors: this.failures.count(failure.finishedAt),
      })),
      filter((trip) => trip.errors >= options.errThreshold),
      take(1),
      map((trip): StopRequest => ({
        reason: 'error-rate',
        drain: false,
        deadlineMs: options.shutdownDeadlineMs,
        cause: {
          type: 'error-rate-exceeded',
          at: trip.at,
          errors: trip.errors,
          windowMs: options.errWindowMs,
          threshold: options.errThreshold,
        },
      })),
    );
    // Whatever asks first stops the pipeline; the supervisor ends with it (takeUntil).
    const stop$ = merge(this.stopRequested, errorRate$).pipe(take(1), share());
    this.subscriptions.push(
      stop$.subscribe((request) => this.stop(request)),
      interval(options.scaleIntervalMs)
        .pipe(takeUntil(stop$))
        .subscribe(() => this.tick()),
      // The worker registry: each +1 subscribes one worker; it completes once every worker has exited.
      this.spawn
        .pipe(
          mergeMap(() => new Observable<never>((registration) => this.startWorker(registration))),
        )
        .subscribe({ complete: () => this.onWorkersDone() }),
    );
    for (let i = 0; i < options.minWorkers; i++) this.spawn.next();
    if (this.state === 'running') this.producer.start();
    return this.finished;
  }

  /**
   * Stops gracefully: the producer and supervisor stop at once, each worker finishes its current job,
   * and unstarted jobs are handed back in the summary (or processed first, with `drain`). Idempotent:
   * every call returns the same promise, resolved at once when already stopped; a later call may only
   * make the shutdown stricter (turn drain off, bring the deadline closer).
   *
   * @example
   * process.once('SIGINT', () => void pipeline.shutdown({ deadlineMs: 5_000 }));
   */
  shutdown(options: ShutdownOptions = {}): Promise<PipelineSummary<In>> {
    const deadlineMs = options.deadlineMs ?? this.options.shutdownDeadlineMs;
    if (deadlineMs !== undefined && !(deadlineMs >= 0)) {
      throw new RangeError(
        `Expected \`deadlineMs\` to be a number of milliseconds >= 0, got \`${String(deadlineMs)}\``,
      );
    }
    this.request({ reason: 'shutdown', drain: options.drain ?? false, deadlineMs });
    return this.finished;
  }

  /** A snapshot of the counters. */
  stats(): PipelineStats {
    return {
      state: this.state,
      produced: this.produced,
      queued: this.backlog(),
      inFlight: this.inFlight,
      workers: this.active.length,
      processed: this.succeeded + this.failed,
      succeeded: this.succeeded,
      errors: this.failed,
      abandoned: this.abandonedJobs.length,
      dropped: this.dropped,
      errorsInWindow: this.failures.count(Date.now()),
      peakWorkers: this.peakWorkers,
      peakDepth: this.peakDepth,
    };
  }

  // --- producer side -------------------------------------------------------------------------

  private offer(payload: In): void {
    const job = new Job(++this.jobSeq, payload, this.now || Date.now());
    this.produced++;
    if (this.state !== 'running') {
      this.abandon(job); // a pull that was pending when shutdown began: hand it back
      return;
    }
    const worker = this.idle.pop();
    if (worker) {
      this.startJob(worker, job);
      return;
    }
    if (this.queue.length >= this.options.queueCap) {
      this.overflow(job);
      return;
    }
    this.queue.push(job);
    this.depthChanged();
  }

  private overflow(job: Job<In>): void {
    const policy = this.options.overflow;
    if (policy === 'error') {
      this.abandon(job);
      this.producer.stop();
      this.onSourceError(new QueueOverflowError(this.options.queueCap));
      return;
    }
    let dropped = job;
    if (policy === 'drop-oldest') {
      dropped = this.queue.shift()!;
      this.queue.push(job);
    }
    this.dropped++;
    this.emit({
      type: 'job-dropped',
      at: Date.now(),
      jobId: dropped.id,
      payload: dropped.payload,
      policy,
    });
  }

  private onSourceComplete(): void {
    this.sourceDone = true;
    this.emit({ type: 'source-completed', at: Date.now(), produced: this.produced });
    this.maybeComplete();
  }

  private onSourceError(error: unknown): void {
    this.sourceDone = true;
    if (this.state !== 'running') return;
    this.sourceError = error;
    // The jobs the source already gave are still processed: the source failing says nothing of them.
    this.request({
      reason: 'source-error',
      drain: true,
      deadlineMs: this.options.shutdownDeadlineMs,
      cause: { type: 'source-error', at: Date.now(), error },
    });
  }

  // --- supervisor ----------------------------------------------------------------------------

  private tick(): void {
    const depth = this.backlog();
    const workers = this.active.length;
    let direction = decideScale(depth, workers, this.options);
    // Workers still finishing their job after a scale-down count against maxWorkers, so that it
    // bounds the jobs running at once, not only the pool.
    if (direction === 'up' && workers + this.leaving >= this.options.maxWorkers)
      direction = 'steady';
    const delta = direction === 'up' ? 1 : direction === 'down' ? -1 : 0;
    debugSupervisor('%s: queue=%d workers=%d', direction, depth, workers + delta);
    this.emit({ type: 'scale', at: Date.now(), direction, delta, depth, workers: workers + delta });
    if (this.state !== 'running') return; // a listener shut the pipeline down
    if (delta > 0) this.spawn.next();
    else if (delta < 0) this.stopWorker(this.active[this.active.length - 1]!); // the newest one
  }

  // --- workers -------------------------------------------------------------------------------

  private startWorker(registration: Worker<In>['registration']): void {
    const worker = new Worker<In>(++this.workerSeq, registration);
    // Without a per-job timeout an attempt ends only by settling or at the deadline (after which the
    // worker runs no other job), so these two handlers serve every job of the worker.
    worker.onValue = (value) => this.settle(worker, worker.attemptToken, true, value);
    worker.onError = (error) => this.settle(worker, worker.attemptToken, false, error);
    this.live.add(worker);
    this.active.push(worker);
    this.peakWorkers = Math.max(this.peakWorkers, this.active.length);
    debugWorker('worker %d started', worker.id);
    this.emit({
      type: 'worker-started',
      at: Date.now(),
      workerId: worker.id,
      workers: this.active.length,
    });
    this.next(worker);
  }

  private stopWorker(worker: Worker<In>): void {
    if (worker.stopping) return;
    worker.stopping = true;
    this.leaving++;
    this.active.splice(this.active.indexOf(worker), 1);
    const busy = worker.job !== undefined;
    debugWorker('worker %d stopping%s', worker.id, busy ? ' (will finish current job)' : '');
    this.emit({
      type: 'worker-stopping',
      at: Date.now(),
      workerId: worker.id,
      busy,
      workers: this.active.length,
    });
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) {
      this.idle.splice(idleAt, 1);
      this.exitWorker(worker);
    }
  }

  private exitWorker(worker: Worker<In>): void {
    if (worker.exited) return;
    worker.exited = true;
    this.leaving--;
    this.live.delete(worker);
    debugWorker('worker %d stopped', worker.id);
    this.emit({
      type: 'worker-stopped',
      at: Date.now(),
      workerId: worker.id,
      workers: this.active.length,
    });
    worker.registration.complete();
  }

  /** What a worker does when it is free: exit if asked, else take the next job, else wait idle. */
  private next(worker: Worker<In>): void {
    if (worker.stopping) {
      this.exitWorker(worker);
      this.maybeComplete(); // its job may have been the last one
      this.staffDrain(); // its slot may be the one a drainer waits for
      return;
    }
    if (this.sinceTurn >= TURN_BUDGET && this.backlog() > 0) {
      // Wait for the turn; a stop request meanwhile is seen when it resumes.
      this.parked.push(worker);
      if (this.parked.length === 1) setImmediate(this.resumeParked);
      return;
    }
    this.sinceTurn++;
    const job = this.take();
    if (job) {
      this.startJob(worker, job);
      this.depthChanged(); // after the start: a depth$ listener that shuts down finds the job running
      this.producer.pull(); // room appeared; pulled after the start so the source never sees an idle pool
      return;
    }
    if (this.state === 'running' || (this.draining && this.retrying.size > 0)) {
      this.idle.push(worker);
      this.maybeComplete();
      return;
    }
    // Stopping, and nothing left for it.
    this.stopWorker(worker);
    this.exitWorker(worker);
    this.releaseIdle();
  }

  /** The event loop turned: the workers that waited for it go on. */
  private readonly resumeParked = (): void => {
    this.sinceTurn = 0;
    const parked = this.parked.splice(0);
    for (const worker of parked) this.next(worker);
  };

  /** While draining: once nothing is left to do, the idle workers may go. */
  private releaseIdle(): void {
    if (this.state !== 'stopping' || this.backlog() + this.retrying.size > 0) return;
    for (const worker of [...this.idle]) this.stopWorker(worker);
  }

  /** The next job to run: retries first. The caller reports the new depth once the job started. */
  private take(): Job<In> | undefined {
    return this.ready.shift() ?? this.queue.shift();
  }

  private startJob(worker: Worker<In>, job: Job<In>): void {
    job.begin(worker.id, this.now || Date.now());
    const token = ++this.attemptSeq;
    worker.job = job;
    worker.attemptToken = token;
    this.inFlight++;
    const { timeoutMs } = this.options;
    if (timeoutMs !== undefined) {
      worker.timeout = setTimeout(() => {
        const error = new JobTimeoutError(job.id, timeoutMs);
        job.abort(error);
        this.settle(worker, token, false, error);
      }, timeoutMs);
    }
    let outcome: Out | PromiseLike<Out>;
    try {
      outcome = this.options.process(job.payload, job);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    if (timeoutMs === undefined) {
      Promise.resolve(outcome).then(worker.onValue, worker.onError);
    } else {
      // After a timeout the worker moves on while this attempt may still settle: bind the token.
      Promise.resolve(outcome).then(
        (value) => this.settle(worker, token, true, value),
        (error: unknown) => this.settle(worker, token, false, error),
      );
    }
  }

  /** Ends the attempt `token` on `worker`, once: late settlements (after a timeout or deadline) are ignored. */
  private settle(
    worker: Worker<In>,
    token: number,
    ok: boolean,
    valueOrError: unknown,
    final = false,
  ): void {
    if (worker.attemptToken !== token || worker.job === undefined) return;
    const job = worker.job;
    worker.job = undefined;
    worker.attemptToken = 0;
    if (worker.timeout !== undefined) {
      clearTimeout(worker.timeout);
      worker.timeout = undefined;
    }
    this.inFlight--;
    const finishedAt = (this.now = Date.now());
    // One object literal per outcome below, not a spread of a shared base: a spread cost ~1.5 µs a job.
    if (ok) {
      this.succeeded++;
      // Nobody reads a success but the counter: skip building its result.
      if (this.results.observed || this.traceResults) {
        this.collect({
          jobId: job.id,
          workerId: worker.id,
          attempt: job.attempt,
          payload: job.payload,
          queuedAt: job.queuedAt,
          startedAt: job.startedAt,
          finishedAt,
          ok: true,
          value: valueOrError as Out,
        });
      }
    } else if (!final && job.attempt <= this.options.retries && this.canRetry()) {
      this.scheduleRetry(job, valueOrError);
    } else {
      this.failed++;
      this.collect({
        jobId: job.id,
        workerId: worker.id,
        attempt: job.attempt,
        payload: job.payload,
        queuedAt: job.queuedAt,
        startedAt: job.startedAt,
        finishedAt,
        ok: false,
        error: valueOrError,
      });
    }
    this.next(worker);
    this.now = 0;
  }

  private canRetry(): boolean {
    // While draining the pool cannot grow: retry only if a worker stays to run it (one not asked to
    // stop waits while a retry is pending), else the failure is final rather than lost.
    return (
      this.state === 'running' ||
      (this.state === 'stopping' && this.draining && this.active.length > 0)
    );
  }

  private scheduleRetry(job: Job<In>, error: unknown): void {
    // Exponential backoff with jitter: base * 2^(n-1), scaled by a random factor in [0.5, 1).
    const delayMs = this.options.retryDelayMs * 2 ** (job.attempt - 1) * (0.5 + Math.random() / 2);
    const timer = setTimeout(() => {
      this.retrying.delete(job);
      this.ready.push(job);
      this.depthChanged();
      this.dispatch();
    }, delayMs);
    // Registered before the event: a listener that shuts down must find the job to hand it back.
    this.retrying.set(job, timer);
    this.emit({
      type: 'job-retry',
      at: Date.now(),
      jobId: job.id,
      attempt: job.attempt + 1,
      delayMs,
      error,
    });
  }

  /** Hands waiting jobs to idle workers. */
  private dispatch(): void {
    while (this.idle.length > 0 && this.backlog() > 0) this.next(this.idle.pop()!);
  }

  // --- collector -----------------------------------------------------------------------------

  /**
   * The collector: sees every result once, after the counters moved. Failures feed the sliding error
   * window and `onFailure`; then `results$` gets it.
   */
  private collect(result: JobResult<Out, In>): void {
    if (result.ok) {
      if (debugCollector.enabled) {
        debugCollector('job %d by worker %d OK', result.jobId, result.workerId);
      }
    } else {
      if (debugCollector.enabled) {
        debugCollector(
          'job %d by worker %d FAILED: %O',
          result.jobId,
          result.workerId,
          result.error,
        );
      }
      this.failures.add(result.finishedAt);
      if (this.options.onFailure) {
        try {
          this.options.onFailure(result as JobFailure<In>);
        } catch (error) {
          debugCollector('onFailure threw: %O', error);
        }
      }
    }
    this.results.next(result);
    // After users saw it: the stop this failure may trigger comes after its result, as it happens.
    if (!result.ok) this.failedResults.next(result);
  }

  // --- stopping ------------------------------------------------------------------------------

  /** The source is done and nothing is left: stop with `completed`. */
  private maybeComplete(): void {
    if (this.state !== 'running' || !this.sourceDone) return;
    if (this.backlog() > 0 || this.retrying.size > 0 || this.inFlight > 0) return;
    this.request({ reason: 'completed', drain: true, deadlineMs: undefined });
  }

  /** The first request goes through the stop stream; later ones can only make the stop stricter. */
  private request(request: StopRequest): void {
    if (this.state === 'running') this.stopRequested.next(request);
    else this.stop(request);
  }

  private stop({ reason, drain, deadlineMs, cause }: StopRequest): void {
    if (this.state === 'stopped') return;
    const now = Date.now();
    if (this.state === 'idle') {
      // Never ran: nothing was taken from the source.
      this.state = 'stopping';
      this.reason = reason;
      this.startedAt = now;
      this.workersDone = true;
      this.emit({
        type: 'shutdown-requested',
        at: now,
        reason,
        drain,
        deadlineMs: deadlineMs ?? Infinity,
      });
      this.tryFinalize();
      return;
    }
    if (this.state === 'running') {
      this.state = 'stopping';
      this.reason = reason;
      this.draining = drain;
      this.producer.stop();
    } else if (!drain) {
      this.draining = false;
    }
    // A listener of these events may call shutdown() (a nested, stricter stop) and even see the
    // pipeline stop; then there is nothing left to do here.
    if (cause) {
      this.emit(cause);
      if (this.hasStopped()) return;
    }
    if (reason !== 'completed') {
      this.emit({
        type: 'shutdown-requested',
        at: now,
        reason: this.reason,
        drain: this.draining,
        deadlineMs: deadlineMs ?? Infinity,
      });
      if (this.hasStopped()) return;
    }
    if (deadlineMs !== undefined && now + deadlineMs < this.deadlineAt) {
      this.deadlineAt = now + deadlineMs;
      clearTimeout(this.deadline);
      this.deadline = setTimeout(() => this.onDeadline(), deadlineMs);
    }
    if (this.draining) {
      this.releaseIdle();
    } else {
      this.abandonBacklog();
      for (const worker of [...this.active]) this.stopWorker(worker);
    }
    // Last, so that a registry with no worker left completes after the backlog was accounted for.
    this.staffDrain();
    this.tryFinalize();
  }

  /**
   * While stopping, the registry takes no new worker, except one to drain a backlog that no running
   * worker will take. Workers still finishing a job count against maxWorkers: when they fill it, the
   * drainer waits for one of them to exit (this is called again then) and the registry stays open.
   */
  private staffDrain(): void {
    if (this.state !== 'stopping' || this.registryClosed) return;
    if (this.draining && this.active.length === 0 && this.backlog() + this.retrying.size > 0) {
      if (this.leaving >= this.options.maxWorkers) return;
      this.spawn.next();
    }
    this.registryClosed = true;
    this.spawn.complete();
  }

  private onDeadline(): void {
    this.deadline = undefined;
    this.draining = false;
    this.abandonBacklog();
    const running = [...this.live]
      .filter((worker) => worker.job !== undefined)
      .sort((a, b) => a.job!.id - b.job!.id);
    this.emit({ type: 'deadline-exceeded', at: Date.now(), aborted: running.length });
    for (const worker of running) {
      const job = worker.job!;
      const error = new ShutdownDeadlineError(job.id);
      job.abort(error);
      this.stopWorker(worker);
      this.settle(worker, worker.attemptToken, false, error, true);
    }
    for (const worker of [...this.active]) this.stopWorker(worker);
    this.producer.abandonPending();
    this.tryFinalize();
  }

  private abandonBacklog(): void {
    for (const [job, timer] of this.retrying) {
      clearTimeout(timer);
      this.abandon(job);
    }
    this.retrying.clear();
    const waiting = [...this.ready.drain(), ...this.queue.drain()].sort((a, b) => a.id - b.id);
    for (const job of waiting) this.abandon(job);
    this.depthChanged();
  }

  private abandon(job: Job<In>): void {
    this.abandonedJobs.push({ jobId: job.id, payload: job.payload, queuedAt: job.queuedAt });
  }

  private onWorkersDone(): void {
    this.workersDone = true;
    this.tryFinalize();
  }

  private tryFinalize(): void {
    if (this.state !== 'stopping' || !this.workersDone || this.producer.pending) return;
    this.state = 'stopped';
    clearTimeout(this.deadline);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    const finishedAt = Date.now();
    const abandonedJobs = this.abandonedJobs.sort((a, b) => a.jobId - b.jobId);
    const summary: PipelineSummary<In> = {
      reason: this.reason,
      produced: this.produced,
      processed: this.succeeded + this.failed,
      succeeded: this.succeeded,
      errors: this.failed,
      abandoned: abandonedJobs.length,
      dropped: this.dropped,
      abandonedJobs,
      peakWorkers: this.peakWorkers,
      peakDepth: this.peakDepth,
      startedAt: this.startedAt,
      finishedAt,
      durationMs: finishedAt - this.startedAt,
      ...(this.reason === 'source-error' ? { error: this.sourceError } : {}),
    };
    this.emit({ type: 'stopped', at: finishedAt, summary });
    this.events.complete();
    this.results.complete();
    this.failedResults.complete();
    this.depth.complete();
    this.resolveFinished(summary);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Read through a call: a listener may have stopped the pipeline since `state` was last narrowed. */
  private hasStopped(): boolean {
    return this.state === 'stopped';
  }

  private backlog(): number {
    return this.queue.length + this.ready.length;
  }

  /** Updates the peak, and `depth$` while anyone watches it (`force`: bring it up to date anyway). */
  private depthChanged(force = false): void {
    const depth = this.backlog();
    if (depth > this.peakDepth) this.peakDepth = depth;
    if (depth !== this.depth.value && (force || this.depth.observed)) this.depth.next(depth);
  }

  private emit(event: PipelineEvent<In>): void {
    this.events.next(event);
  }
}
