// An auditor for the reliability specs: runs a pipeline with every job start, result, failure hook
// and event recorded in one interleaved log, then checks the whole invariant of issue 5 on it.
import { expect } from 'chai';
import {
  createPipeline,
  isJobTimeoutError,
  isShutdownDeadlineError,
  type JobContext,
  type JobFailure,
  type JobResult,
  type Pipeline,
  type PipelineEvent,
  type PipelineOptions,
  type PipelineState,
  type PipelineSummary,
} from '../../../lib/index.js';
import { settingDefaults } from '../../../lib/settingsSchema.js';

/** A `process` call: one attempt of one job on one worker. */
export interface StartEntry {
  readonly kind: 'start';
  readonly jobId: number;
  readonly attempt: number;
  readonly workerId: number;
  readonly at: number;
  readonly signal: AbortSignal;
}

export interface ResultEntry<In, Out> {
  readonly kind: 'result';
  readonly result: JobResult<Out, In>;
  /** The pipeline's state when the result reached the auditor (before the error window saw it). */
  readonly state: PipelineState;
}

export interface EventEntry<In> {
  readonly kind: 'event';
  readonly event: PipelineEvent<In>;
  readonly state: PipelineState;
  /** Emitted inside `run()` itself (the initial workers). */
  readonly inRun: boolean;
}

export interface FailureHookEntry<In> {
  readonly kind: 'on-failure';
  readonly result: JobFailure<In>;
  readonly state: PipelineState;
}

export type Entry<In, Out> =
  StartEntry | ResultEntry<In, Out> | EventEntry<In> | FailureHookEntry<In>;

/** The settings the checks read, with the library's defaults filled in. */
export interface AuditSettings {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly queueCap: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly errWindowMs: number;
  readonly errThreshold: number;
  readonly timeoutMs: number | undefined;
}

export interface Audited<In, Out> {
  readonly pipeline: Pipeline<In, Out>;
  readonly settings: AuditSettings;
  readonly log: Entry<In, Out>[];
  /** Calls `pipeline.run()`, marking the events it emits synchronously as the start-up. */
  run(): Promise<PipelineSummary<In>>;
  results(): JobResult<Out, In>[];
  events(): PipelineEvent<In>[];
  ofType<T extends PipelineEvent<In>['type']>(type: T): Extract<PipelineEvent<In>, { type: T }>[];
  starts(): StartEntry[];
  /** Checks the invariant on the finished run; throws an AssertionError naming the broken rule. */
  check(summary: PipelineSummary<In>): void;
}

/** Creates a pipeline whose every step is logged, for {@link Audited.check}. */
export function audited<In, Out>(options: PipelineOptions<In, Out>): Audited<In, Out> {
  const log: Entry<In, Out>[] = [];
  let inRun = false;
  const queueCap = options.queueCap ?? settingDefaults.queueCap;
  const settings: AuditSettings = {
    minWorkers: options.minWorkers ?? settingDefaults.minWorkers,
    maxWorkers: options.maxWorkers ?? settingDefaults.maxWorkers,
    queueCap,
    retries: options.retries ?? settingDefaults.retries,
    retryDelayMs: options.retryDelayMs ?? settingDefaults.retryDelayMs,
    errWindowMs: options.errWindowMs ?? settingDefaults.errWindowMs,
    errThreshold: options.errThreshold ?? settingDefaults.errThreshold,
    timeoutMs: options.timeoutMs,
  };
  const userProcess = options.process;
  const userOnFailure = options.onFailure;
  const pipeline = createPipeline<In, Out>({
    ...options,
    process: (payload: In, ctx: JobContext) => {
      log.push({
        kind: 'start',
        jobId: ctx.jobId,
        attempt: ctx.attempt,
        workerId: ctx.workerId,
        at: Date.now(),
        signal: ctx.signal,
      });
      return userProcess(payload, ctx);
    },
    onFailure: (result) => {
      log.push({ kind: 'on-failure', result, state: pipeline.stats().state });
      userOnFailure?.(result);
    },
  });
  pipeline.results$.subscribe((result) =>
    log.push({ kind: 'result', result, state: pipeline.stats().state }),
  );
  pipeline.events$.subscribe((event) =>
    log.push({ kind: 'event', event, state: pipeline.stats().state, inRun }),
  );
  const events = () =>
    log.filter((e): e is EventEntry<In> => e.kind === 'event').map((e) => e.event);
  return {
    pipeline,
    settings,
    log,
    run() {
      inRun = true;
      try {
        return pipeline.run();
      } finally {
        inRun = false;
      }
    },
    results: () =>
      log.filter((e): e is ResultEntry<In, Out> => e.kind === 'result').map((e) => e.result),
    events,
    ofType: (type) => events().filter((e) => e.type === type) as never,
    starts: () => log.filter((e): e is StartEntry => e.kind === 'start'),
    check: (summary) => checkInvariant(log, settings, summary),
  };
}

/** An attempt is identified by its job and its number. */
const key = (jobId: number, attempt: number) => `${jobId}#${attempt}`;

function fail(rule: string, detail: string): never {
  expect.fail(`invariant broken: ${rule}: ${detail}`);
}

function check(ok: boolean, rule: string, detail: () => string): void {
  if (!ok) fail(rule, detail());
}

/**
 * The invariant of issue 5, on one finished run:
 * - produced = succeeded + failed + abandoned + dropped, and every job id 1..produced is in exactly
 *   one of results, abandonedJobs, job-dropped events;
 * - attempts of a job are numbered 1, 2, ... with a job-retry event before each retry, and no job is
 *   started after its result, nor while it runs elsewhere;
 * - a worker runs one job at a time, takes none once asked to stop, and a busy stopping worker
 *   exits only after that job's result (or retry);
 * - while running, the pool stays within minWorkers..maxWorkers and changes only by the supervisor's
 *   one step per tick;
 * - a failure that ends while running has used all its attempts; no job starts after a stop
 *   without drain; a job handed back was never started, or was waiting for its retry;
 * - the run stops with `error-rate` exactly when the sliding window reached the threshold while
 *   running, and with `source-error` exactly when a source failure was announced;
 * - a shutdown deadline is kept; every worker exits; `stopped` is the last event and carries the
 *   summary, and nothing follows it.
 */
export function checkInvariant<In, Out>(
  log: readonly Entry<In, Out>[],
  settings: AuditSettings,
  summary: PipelineSummary<In>,
): void {
  const { minWorkers, maxWorkers, retries, retryDelayMs, errWindowMs, errThreshold, queueCap } =
    settings;
  const show = (v: unknown) => JSON.stringify(v);

  // --- accounting ---------------------------------------------------------------------------
  check(
    summary.produced === summary.succeeded + summary.errors + summary.abandoned + summary.dropped,
    'produced = succeeded + failed + abandoned + dropped',
    () => show(summary),
  );
  check(summary.processed === summary.succeeded + summary.errors, 'processed = ok + failed', () =>
    show(summary),
  );
  check(summary.abandoned === summary.abandonedJobs.length, 'abandoned = abandonedJobs', () =>
    show(summary),
  );

  const results = log.filter((e): e is ResultEntry<In, Out> => e.kind === 'result');
  const eventEntries = log.filter((e): e is EventEntry<In> => e.kind === 'event');
  const dropped = eventEntries.flatMap((e) => (e.event.type === 'job-dropped' ? [e.event] : []));
  check(results.length === summary.processed, 'one result per processed job', () =>
    show({ results: results.length, processed: summary.processed }),
  );
  check(
    results.filter((r) => r.result.ok).length === summary.succeeded,
    'succeeded counts the ok results',
    () => show(summary),
  );
  check(dropped.length === summary.dropped, 'every drop is a job-dropped event', () =>
    show({ events: dropped.length, dropped: summary.dropped }),
  );
  const owner = new Map<number, string>();
  const claim = (jobId: number, where: string) => {
    const before = owner.get(jobId);
    check(before === undefined, 'each job ends in one place only', () =>
      show({ jobId, first: before, again: where }),
    );
    owner.set(jobId, where);
  };
  for (const r of results) claim(r.result.jobId, 'result');
  for (const a of summary.abandonedJobs) claim(a.jobId, 'abandoned');
  for (const d of dropped) claim(d.jobId, 'dropped');
  for (let id = 1; id <= summary.produced; id++) {
    check(owner.has(id), 'every produced job is accounted for', () => `job ${id} has no end`);
  }
  check(owner.size === summary.produced, 'no job beyond produced', () =>
    show([...owner.keys()].filter((id) => id > summary.produced)),
  );
  for (let i = 1; i < summary.abandonedJobs.length; i++) {
    check(
      summary.abandonedJobs[i - 1]!.jobId < summary.abandonedJobs[i]!.jobId,
      'abandonedJobs in source order',
      () => show(summary.abandonedJobs.map((j) => j.jobId)),
    );
  }

  // --- walk the log in order ------------------------------------------------------------------
  const attemptsOf = new Map<number, StartEntry[]>(); // job -> its starts
  const retryEvent = new Map<string, { at: number; delayMs: number }>(); // job#attempt (the next one)
  const resultOf = new Map<number, JobResult<Out, In>>();
  const running = new Map<number, StartEntry>(); // worker -> its running attempt
  const attemptEnded = new Set<string>();
  const started = new Set<number>();
  const stopping = new Set<number>();
  const stopped = new Set<number>();
  const workerIds: number[] = [];
  let workers = 0;
  let initialStarts = 0;
  let pendingScale: { delta: number; workers: number } | undefined;
  let stoppedEvent: PipelineSummary<In> | undefined;
  let tripAt: number | undefined; // index of the first result that trips the window
  let tripWhileRunning = false;
  let lastStartIndex = -1;
  let stoppedWithoutDrain = -1; // index of the first shutdown-requested without drain
  const failureTimes: number[] = [];
  const hooks: JobFailure<In>[] = [];
  const deadlines: number[] = [];
  let retriedJobs = 0;

  const endAttempt = (jobId: number, attempt: number, index: number) => {
    for (const [workerId, start] of running) {
      if (start.jobId === jobId && start.attempt === attempt) {
        running.delete(workerId);
        attemptEnded.add(key(jobId, attempt));
        return;
      }
    }
    fail('a result or retry ends a running attempt', show({ jobId, attempt, index }));
  };

  log.forEach((entry, index) => {
    check(stoppedEvent === undefined, 'nothing after the stopped event', () => show(entry));
    if (entry.kind === 'start') {
      check(stoppedWithoutDrain < 0, 'no job starts after a stop without drain', () =>
        show({ start: entry, stopAt: stoppedWithoutDrain }),
      );
      lastStartIndex = index;
      const { jobId, attempt, workerId } = entry;
      const previous = attemptsOf.get(jobId) ?? [];
      check(attempt === previous.length + 1, 'attempts are numbered 1, 2, ...', () =>
        show({ jobId, attempt, before: previous.map((s) => s.attempt) }),
      );
      check(attempt <= retries + 1, 'at most retries + 1 attempts', () =>
        show({ jobId, attempt, retries }),
      );
      check(!resultOf.has(jobId), 'no job starts after its result', () => show({ jobId }));
      check(owner.get(jobId) !== 'dropped', 'a dropped job never starts', () => show({ jobId }));
      if (attempt > 1) {
        const retry = retryEvent.get(key(jobId, attempt));
        check(retry !== undefined, 'a retry is announced by job-retry', () =>
          show({ jobId, attempt }),
        );
        check(
          attemptEnded.has(key(jobId, attempt - 1)),
          'a retry starts after the attempt before it ended',
          () => show({ jobId, attempt }),
        );
        check(entry.at >= retry!.at + Math.floor(retry!.delayMs), 'a retry waits its backoff', () =>
          show({ jobId, attempt, startedAt: entry.at, retry }),
        );
      }
      check(started.has(workerId), 'jobs run on started workers', () => show({ workerId }));
      check(!stopping.has(workerId), 'a stopping worker takes no new job', () =>
        show({ workerId, jobId, attempt }),
      );
      check(!running.has(workerId), 'a worker runs one job at a time', () =>
        show({ workerId, running: running.get(workerId), next: { jobId, attempt } }),
      );
      running.set(workerId, entry);
      attemptsOf.set(jobId, [...previous, entry]);
      return;
    }
    if (entry.kind === 'on-failure' || entry.kind === 'result') {
      const r = entry.result;
      if (entry.kind === 'on-failure') hooks.push(entry.result);
      if (resultOf.get(r.jobId) !== r) {
        // The first sighting ends the attempt. onFailure runs in the collector, before any
        // results$ subscriber, so for a failure that is the hook.
        const last = attemptsOf.get(r.jobId)?.at(-1);
        check(last !== undefined, 'a result comes from a started job', () => show(r));
        check(
          r.attempt === last!.attempt && r.workerId === last!.workerId && r.startedAt === last!.at,
          'a result reports its last attempt, worker and start',
          () => show({ result: r, last }),
        );
        check(r.finishedAt >= r.startedAt, 'finishedAt >= startedAt', () => show(r));
        endAttempt(r.jobId, r.attempt, index);
        resultOf.set(r.jobId, r);
        if (!r.ok && entry.state === 'running') {
          check(
            r.attempt === retries + 1,
            'a failure while running is final only after retries',
            () => show({ jobId: r.jobId, attempt: r.attempt, retries }),
          );
        }
      } else {
        check(entry.kind === 'result', 'onFailure comes before results$ subscribers', () =>
          show(r),
        );
      }
      if (entry.kind === 'result' && !r.ok) {
        failureTimes.push(r.finishedAt);
        const last = attemptsOf.get(r.jobId)!.at(-1)!;
        if (settings.timeoutMs !== undefined && isJobTimeoutError(r.error)) {
          check(
            r.finishedAt - r.startedAt === settings.timeoutMs,
            'a timeout fires at timeoutMs',
            () => show(r),
          );
        }
        if (isJobTimeoutError(r.error) || isShutdownDeadlineError(r.error)) {
          check(
            last.signal.aborted && last.signal.reason === r.error,
            'a timed-out or deadline-aborted job had its signal fired with that error',
            () => show(r),
          );
        }
        // The error window reads a failure after every results$ subscriber has seen it: it trips
        // if the pipeline is still running then (see preemptedTrip below for a listener's shutdown).
        if (tripAt === undefined && errThreshold > 0) {
          const inWindow = failureTimes.filter((t) => r.finishedAt - t < errWindowMs).length;
          if (inWindow >= errThreshold) {
            tripAt = index;
            tripWhileRunning = entry.state === 'running';
          }
        }
      }
      return;
    }
    const { event } = entry;
    switch (event.type) {
      case 'worker-started': {
        check(!started.has(event.workerId), 'worker ids are never reused', () => show(event));
        check(event.workerId === workerIds.length + 1, 'worker ids count up from 1', () =>
          show(event),
        );
        workerIds.push(event.workerId);
        started.add(event.workerId);
        workers++;
        check(event.workers === workers, 'worker-started reports the pool size', () =>
          show({ event, workers }),
        );
        if (entry.state === 'running') {
          if (entry.inRun) {
            initialStarts++;
            check(initialStarts <= minWorkers, 'run() starts minWorkers workers', () =>
              show({ initialStarts, minWorkers }),
            );
          } else {
            check(
              pendingScale?.delta === 1 && pendingScale.workers === workers,
              'while running, a worker starts only on a scale-up tick',
              () => show({ event, pendingScale }),
            );
            pendingScale = undefined;
          }
        }
        break;
      }
      case 'worker-stopping': {
        check(
          started.has(event.workerId) && !stopping.has(event.workerId),
          'one stop per worker',
          () => show(event),
        );
        stopping.add(event.workerId);
        workers--;
        check(event.workers === workers, 'worker-stopping reports the pool size', () =>
          show({ event, workers }),
        );
        check(
          event.busy === running.has(event.workerId),
          'worker-stopping says whether it is busy',
          () => show({ event, running: running.get(event.workerId) }),
        );
        if (entry.state === 'running') {
          check(
            pendingScale?.delta === -1 && pendingScale.workers === workers,
            'while running, a worker stops only on a scale-down tick',
            () => show({ event, pendingScale }),
          );
          pendingScale = undefined;
        }
        break;
      }
      case 'worker-stopped':
        check(stopping.has(event.workerId), 'worker-stopped follows worker-stopping', () =>
          show(event),
        );
        check(!stopped.has(event.workerId), 'a worker stops once', () => show(event));
        check(
          !running.has(event.workerId),
          'a stopping worker finishes its current job first',
          () => show({ event, running: running.get(event.workerId) }),
        );
        stopped.add(event.workerId);
        break;
      case 'scale':
        check(entry.state === 'running', 'the supervisor ticks only while running', () =>
          show({ event, state: entry.state }),
        );
        check(pendingScale === undefined, 'each scale step is carried out at once', () =>
          show({ event, pendingScale }),
        );
        check(event.workers === workers + event.delta, 'a tick changes the pool by its delta', () =>
          show({ event, workers }),
        );
        check(
          event.workers >= minWorkers && event.workers <= maxWorkers,
          'a tick keeps the pool within minWorkers..maxWorkers',
          () => show({ event, minWorkers, maxWorkers }),
        );
        check(
          (event.delta === 0) === (event.direction === 'steady'),
          'the direction matches the delta',
          () => show(event),
        );
        if (event.delta !== 0) pendingScale = { delta: event.delta, workers: event.workers };
        break;
      case 'job-retry': {
        check(
          event.attempt >= 2 && event.attempt <= retries + 1,
          'retries stay within retries',
          () => show({ event, retries }),
        );
        const base = retryDelayMs * 2 ** (event.attempt - 2);
        // [0.5, 1) in exact arithmetic; 0.5 + (1 - 2^-53) / 2 rounds to 1 in floating point.
        check(
          event.delayMs >= base * 0.5 && event.delayMs <= base,
          'backoff is base * 2^(n-1) with jitter in [0.5, 1]',
          () => show({ event, base }),
        );
        endAttempt(event.jobId, event.attempt - 1, index);
        retryEvent.set(key(event.jobId, event.attempt), { at: event.at, delayMs: event.delayMs });
        if (event.attempt === 2) retriedJobs++;
        break;
      }
      case 'shutdown-requested':
        if (!event.drain && stoppedWithoutDrain < 0) stoppedWithoutDrain = index;
        // A timer of 0 ms fires on the next turn, 1 ms later (as Node clamps it).
        if (Number.isFinite(event.deadlineMs))
          deadlines.push(event.at + Math.max(1, event.deadlineMs));
        break;
      case 'stopped':
        stoppedEvent = event.summary;
        break;
      default:
        break;
    }
    // Between two ticks, the pool stays within its bounds.
    if (entry.state === 'running' && !entry.inRun && pendingScale === undefined) {
      check(workers >= minWorkers && workers <= maxWorkers, 'the pool stays within bounds', () =>
        show({ event, workers, minWorkers, maxWorkers }),
      );
    }
  });

  // --- how it ended ---------------------------------------------------------------------------
  check(stoppedEvent === summary, 'the last event is stopped, with the summary', () =>
    show(eventEntries.at(-1)?.event.type),
  );
  check(running.size === 0, 'no attempt outlives the run', () => show([...running.values()]));
  for (const id of started) {
    check(stopped.has(id), 'every worker exits before stopped', () => show({ workerId: id }));
  }
  check(summary.peakWorkers <= maxWorkers, 'peakWorkers <= maxWorkers', () => show(summary));
  check(summary.peakDepth <= queueCap + retriedJobs, 'the queue holds at most queueCap', () =>
    show({ peakDepth: summary.peakDepth, queueCap, retriedJobs }),
  );
  for (const deadline of deadlines) {
    check(summary.finishedAt <= deadline, 'the shutdown deadline is kept', () =>
      show({ finishedAt: summary.finishedAt, deadline }),
    );
  }

  // Abandoned jobs never started, unless they were waiting for a retry.
  for (const job of summary.abandonedJobs) {
    const starts = attemptsOf.get(job.jobId) ?? [];
    if (starts.length > 0) {
      check(
        retryEvent.has(key(job.jobId, starts.length + 1)),
        'an abandoned job was never started, or was waiting for its retry',
        () => show({ jobId: job.jobId, attempts: starts.length }),
      );
    }
  }

  // onFailure sees each final failure once, in order, before anyone else.
  const failures = results.filter((r) => !r.result.ok).map((r) => r.result);
  check(
    hooks.length === failures.length && hooks.every((h, i) => h === failures[i]),
    'onFailure gets every final failure exactly once',
    () => show({ hooks: hooks.map((h) => h.jobId), failures: failures.map((f) => f.jobId) }),
  );

  // The error window: error-rate exactly when the trailing window reached the threshold while running.
  // A results$ listener that shuts down on the very failure that fills the window asks first.
  const nextStop =
    tripAt === undefined
      ? undefined
      : log
          .slice(tripAt + 1)
          .find(
            (e) =>
              e.kind === 'event' &&
              (e.event.type === 'shutdown-requested' || e.event.type === 'error-rate-exceeded'),
          );
  const preemptedTrip =
    nextStop?.kind === 'event' &&
    nextStop.event.type === 'shutdown-requested' &&
    nextStop.event.reason === 'shutdown';
  const expectErrorRate = tripAt !== undefined && tripWhileRunning && !preemptedTrip;
  check(
    (summary.reason === 'error-rate') === expectErrorRate,
    'reason error-rate exactly when the sliding window reached errThreshold',
    () =>
      show({
        reason: summary.reason,
        errThreshold,
        errWindowMs,
        failures: failureTimes,
        tripAt,
        tripWhileRunning,
      }),
  );
  const trips = eventEntries.filter((e) => e.event.type === 'error-rate-exceeded');
  check(trips.length === (expectErrorRate ? 1 : 0), 'error-rate-exceeded once, when tripped', () =>
    show(trips.map((t) => t.event)),
  );
  if (expectErrorRate) {
    const trip = (log[tripAt!] as ResultEntry<In, Out>).result;
    const event = trips[0]!.event;
    check(
      event.type === 'error-rate-exceeded' &&
        event.errors === errThreshold &&
        event.at === trip.finishedAt,
      'error-rate-exceeded reports the tripping failure',
      () => show({ event, trip: trip.jobId }),
    );
    check(lastStartIndex < tripAt!, 'no job starts after the window tripped', () =>
      show({ lastStartIndex, tripAt }),
    );
  }

  if (summary.reason === 'completed') {
    check(summary.abandoned === 0, 'a completed run abandons nothing', () => show(summary));
    check(
      eventEntries.some((e) => e.event.type === 'source-completed'),
      'a completed run saw the source complete',
      () => 'no source-completed event',
    );
  }
  // A source failure announced while running is what stops the run, whoever calls shutdown().
  const sourceErrors = eventEntries.flatMap((e) =>
    e.event.type === 'source-error' ? [e.event] : [],
  );
  check(
    (summary.reason === 'source-error') === (sourceErrors.length === 1) && sourceErrors.length <= 1,
    'reason source-error exactly when a source-error was announced',
    () => show({ reason: summary.reason, sourceErrors: sourceErrors.length }),
  );
  if (summary.reason === 'source-error') {
    check(sourceErrors[0]!.error === summary.error, 'the summary carries the source error', () =>
      show(summary),
    );
  }
}
