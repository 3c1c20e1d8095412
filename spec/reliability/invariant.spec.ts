// Issue 5, property-based: random settings, sources, job behaviours and shutdown moments, each run
// under its own fake clock, each checked against the whole invariant (./support/audit.ts).
//
// A failure prints fast-check's seed and path; replay it with
//   FC_SEED=<seed> FC_PATH=<path> npx mocha spec/reliability/invariant.spec.ts
// (FC_RUNS=<n> runs more cases, for a longer hunt).
import { expect } from 'chai';
import fc from 'fast-check';
import { Observable } from 'rxjs';
import sinon from 'sinon';
import {
  isJobTimeoutError,
  isQueueOverflowError,
  isShutdownDeadlineError,
  type JobContext,
  type OverflowPolicy,
  type PipelineEvent,
  type PipelineSummary,
  type ShutdownOptions,
} from '../../lib/index.js';
import { delay, settle } from '../support/harness.js';
import { audited, type Entry } from './support/audit.js';

const T0 = 1_000_000;

/** What one attempt of a job does. */
type Outcome =
  | { readonly kind: 'value' } // returns at once, synchronously
  | { readonly kind: 'throw'; readonly what: 'error' | 'string' | 'undefined' } // throws synchronously
  | { readonly kind: 'resolve'; readonly ms: number } // resolves after ms; its signal aborts it
  | { readonly kind: 'reject'; readonly ms: number } // rejects after ms; its signal aborts it
  | { readonly kind: 'stubborn'; readonly ms: number } // resolves after ms, ignoring its signal
  | { readonly kind: 'hang' }; // never settles, ignores its signal (stubborn 120 ms without timeoutMs)

interface JobSpec {
  /** Outcome per attempt; the last one repeats. */
  readonly outcomes: readonly Outcome[];
  /** Time before the source gives this item (async iterable and Observable sources). */
  readonly gapMs: number;
}

interface Settings {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly queueCap: number;
  readonly highWater: number;
  readonly lowWater: number;
  readonly scaleIntervalMs: number;
  readonly errThreshold: number;
  readonly errWindowMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly timeoutMs: number | undefined;
  readonly shutdownDeadlineMs: number | undefined;
  readonly overflow: OverflowPolicy;
}

interface ShutdownPlan {
  /**
   * What calls shutdown(): a timer `atMs` after run() (-1: before run()); or, synchronously, a
   * results$ subscriber on the `nth` result, an events$ subscriber on the `nth` event of type
   * `event`, a depth$ subscriber on the `nth` depth it sees, or onFailure on the `nth` failure.
   */
  readonly on: 'timer' | 'result' | 'event' | 'depth' | 'failure';
  readonly atMs: number;
  readonly nth: number;
  readonly event: PipelineEvent['type'];
  readonly first: ShutdownOptions;
  /** A second call, `afterMs` after the first. */
  readonly second: { readonly afterMs: number; readonly options: ShutdownOptions } | undefined;
}

interface Scenario {
  readonly settings: Settings;
  readonly source: 'iterable' | 'async' | 'observable';
  readonly end: 'complete' | 'error';
  readonly jobs: readonly JobSpec[];
  readonly shutdown: ShutdownPlan | undefined;
  /** Math.random's values, cycled (the retry jitter). */
  readonly jitter: readonly number[];
}

/** Multiples of 5 ms up to `max`: coarse, so that events often fall on the same instant. */
const ms = (max: number) => fc.integer({ min: 0, max: max / 5 }).map((n) => n * 5);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'value' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('throw' as const),
      what: fc.constantFrom('error' as const, 'string' as const, 'undefined' as const),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('resolve' as const), ms: ms(60) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reject' as const), ms: ms(60) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stubborn' as const), ms: ms(120) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang' as const }) },
);

const jobArb: fc.Arbitrary<JobSpec> = fc.record({
  outcomes: fc.array(outcomeArb, { minLength: 1, maxLength: 3 }),
  gapMs: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: ms(40) }),
});

const settingsArb: fc.Arbitrary<Settings> = fc
  .record({
    minWorkers: fc.integer({ min: 0, max: 3 }),
    extraWorkers: fc.integer({ min: 0, max: 3 }),
    queueCap: fc.integer({ min: 1, max: 6 }),
    high: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    low: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    scaleIntervalMs: fc.constantFrom(5, 10, 25, 50, 200),
    errThreshold: fc.integer({ min: 0, max: 4 }),
    errWindowMs: fc.constantFrom(10, 25, 50, 100, 1_000),
    retries: fc.integer({ min: 0, max: 2 }),
    retryDelayMs: fc.constantFrom(0, 5, 10, 40),
    timeoutMs: optional(fc.constantFrom(15, 30, 100)),
    shutdownDeadlineMs: optional(fc.constantFrom(0, 10, 50)),
    overflow: fc.constantFrom<OverflowPolicy>('error', 'drop-newest', 'drop-oldest'),
  })
  .map(({ minWorkers, extraWorkers, high, low, ...rest }) => {
    // 1 <= highWater <= queueCap, 0 <= lowWater < highWater; maxWorkers >= max(minWorkers, 1).
    const highWater = 1 + Math.floor(high * rest.queueCap);
    const lowWater = Math.floor(low * highWater);
    const maxWorkers = Math.max(1, minWorkers) + extraWorkers;
    return { ...rest, minWorkers, maxWorkers, highWater, lowWater };
  });

const shutdownOptionsArb: fc.Arbitrary<ShutdownOptions> = fc.record({
  drain: fc.boolean(),
  deadlineMs: optional(ms(100)),
});

const shutdownArb: fc.Arbitrary<ShutdownPlan | undefined> = optional(
  fc.record({
    on: fc.oneof(
      { weight: 4, arbitrary: fc.constant('timer' as const) },
      { weight: 1, arbitrary: fc.constant('result' as const) },
      { weight: 2, arbitrary: fc.constant('event' as const) },
      { weight: 1, arbitrary: fc.constant('depth' as const) },
      { weight: 1, arbitrary: fc.constant('failure' as const) },
    ),
    atMs: fc.oneof({ weight: 1, arbitrary: fc.constant(-1) }, { weight: 6, arbitrary: ms(300) }),
    nth: fc.integer({ min: 1, max: 4 }),
    event: fc.constantFrom<PipelineEvent['type']>(
      'worker-started',
      'worker-stopping',
      'worker-stopped',
      'scale',
      'job-retry',
      'job-dropped',
      'source-completed',
      'source-error',
      'error-rate-exceeded',
      'shutdown-requested',
      'deadline-exceeded',
      'stopped',
    ),
    first: shutdownOptionsArb,
    second: optional(fc.record({ afterMs: ms(100), options: shutdownOptionsArb })),
  }),
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  settings: settingsArb,
  source: fc.constantFrom('iterable' as const, 'async' as const, 'observable' as const),
  end: fc.oneof(
    { weight: 4, arbitrary: fc.constant('complete' as const) },
    { weight: 1, arbitrary: fc.constant('error' as const) },
  ),
  jobs: fc.array(jobArb, { maxLength: 25 }),
  shutdown: shutdownArb,
  jitter: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
    minLength: 1,
    maxLength: 5,
  }),
});

/** What a job throws, so that a failed result can be matched to its cause. */
function thrown(what: 'error' | 'string' | 'undefined', payload: number, attempt: number): unknown {
  if (what === 'error') return new Error(`job ${payload} attempt ${attempt}`);
  if (what === 'string') return `job ${payload} attempt ${attempt}`;
  return undefined;
}

/** Runs one scenario under its own fake clock and checks everything; throws on a violation. */
async function runScenario(scenario: Scenario): Promise<void> {
  // A sandbox of its own per run: the clock and the stub are gone when the run ends, pass or fail.
  const sandbox = sinon.createSandbox();
  const clock = sandbox.useFakeTimers({ now: T0 });
  let draws = 0;
  sandbox.stub(Math, 'random').callsFake(() => scenario.jitter[draws++ % scenario.jitter.length]!);
  try {
    await checkScenario(clock, scenario);
  } finally {
    sandbox.restore();
  }
}

async function checkScenario(clock: sinon.SinonFakeTimers, scenario: Scenario): Promise<void> {
  const { settings, jobs, end } = scenario;
  const n = jobs.length;
  const sourceFailure = new Error('the source failed');
  let handed = 0;

  const outcomeOf = (payload: number, attempt: number): Outcome => {
    const { outcomes } = jobs[payload]!;
    const outcome = outcomes[Math.min(attempt, outcomes.length) - 1]!;
    return outcome.kind === 'hang' && settings.timeoutMs === undefined
      ? { kind: 'stubborn', ms: 120 }
      : outcome;
  };

  function processJob(payload: number, ctx: JobContext): number | Promise<number> {
    const outcome = outcomeOf(payload, ctx.attempt);
    switch (outcome.kind) {
      case 'value':
        return payload;
      case 'throw':
        throw thrown(outcome.what, payload, ctx.attempt);
      case 'resolve':
        return delay(outcome.ms, ctx.signal).then(() => payload);
      case 'reject':
        return delay(outcome.ms, ctx.signal).then(() => {
          throw thrown('error', payload, ctx.attempt);
        });
      case 'stubborn':
        return delay(outcome.ms).then(() => payload);
      case 'hang':
        return new Promise<number>(() => {});
    }
  }

  function* iterable(): Generator<number> {
    for (let i = 0; i < n; i++) {
      handed++;
      yield i;
    }
    if (end === 'error') throw sourceFailure;
  }

  async function* asyncIterable(): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      if (jobs[i]!.gapMs > 0) await delay(jobs[i]!.gapMs);
      handed++;
      yield i;
    }
    if (end === 'error') throw sourceFailure;
  }

  const observable = new Observable<number>((subscriber) => {
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const emitDue = () => {
      // Items with no gap go out in the same instant as the one before them: bursts.
      do {
        if (subscriber.closed) return;
        handed++;
        subscriber.next(i++);
      } while (i < n && jobs[i]!.gapMs === 0);
      schedule();
    };
    const schedule = () => {
      if (subscriber.closed) return;
      if (i >= n) {
        if (end === 'error') subscriber.error(sourceFailure);
        else subscriber.complete();
        return;
      }
      timer = setTimeout(emitDue, jobs[i]!.gapMs);
    };
    if (n > 0 && jobs[0]!.gapMs === 0) emitDue();
    else schedule();
    return () => clearTimeout(timer);
  });

  const source =
    scenario.source === 'iterable'
      ? iterable()
      : scenario.source === 'async'
        ? asyncIterable()
        : observable;
  // Shutdown at a random moment: before run(), from a timer or from a listener; maybe twice.
  const plan = scenario.shutdown;
  const calls: Promise<PipelineSummary<number>>[] = [];
  let noDrainAt = Infinity; // the log's length when shutdown() without drain was first called
  const shutdown = (options: ShutdownOptions) => {
    if (!options.drain) noDrainAt = Math.min(noDrainAt, a.log.length);
    calls.push(a.pipeline.shutdown(options));
  };
  const callFirst = () => {
    shutdown(plan!.first);
    if (plan?.second) {
      const { options } = plan.second;
      setTimeout(() => shutdown(options), plan.second.afterMs);
    }
  };
  let failures = 0;
  const a = audited<number, number>({
    ...settings,
    source,
    process: processJob,
    onFailure: () => {
      if (plan?.on === 'failure' && ++failures === plan.nth) callFirst();
    },
  });
  const { pipeline } = a;
  const before = plan?.on === 'timer' && plan.atMs < 0;
  if (before) callFirst();
  if (plan?.on === 'event') {
    let seen = 0;
    pipeline.events$.subscribe((e) => {
      if (e.type === plan.event && ++seen === plan.nth) callFirst();
    });
  }
  if (plan?.on === 'depth') {
    let seen = 0; // the first is the current depth, on subscribe: before run()
    pipeline.depth$.subscribe(() => {
      if (++seen === plan.nth) callFirst();
    });
  }
  const run = a.run();
  if (plan?.on === 'timer' && plan.atMs >= 0) setTimeout(callFirst, plan.atMs);
  if (plan?.on === 'result') {
    // Subscribed after run(), so after the error window: the window sees each result first.
    let seen = 0;
    pipeline.results$.subscribe(() => {
      if (++seen === plan.nth) callFirst();
    });
  }

  const summary = await settle(clock, run, { stepMs: 50, maxMs: 300_000 });
  a.check(summary);
  for (const call of calls) expect(await call).to.equal(summary);
  expect(await pipeline.shutdown()).to.equal(summary); // and once more, after the stop

  if (coverage) {
    const seen = (label: string, yes: boolean) => {
      if (yes) coverage!.set(label, (coverage!.get(label) ?? 0) + 1);
    };
    seen(`reason ${summary.reason}`, true);
    seen(`source ${scenario.source}`, true);
    seen(
      'scaled up',
      a.ofType('scale').some((e) => e.delta > 0),
    );
    seen(
      'scaled down',
      a.ofType('scale').some((e) => e.delta < 0),
    );
    seen(
      'stopped a busy worker while running',
      a.ofType('scale').some((e) => e.delta < 0) && a.ofType('worker-stopping').some((e) => e.busy),
    );
    seen('retried', a.ofType('job-retry').length > 0);
    seen(
      'timed out',
      a.results().some((r) => !r.ok && isJobTimeoutError(r.error)),
    );
    seen('deadline passed', a.ofType('deadline-exceeded').length > 0);
    seen('dropped', summary.dropped > 0);
    seen('abandoned', summary.abandoned > 0);
    seen(
      'abandoned a retry',
      summary.abandonedJobs.some((j) => a.starts().some((s) => s.jobId === j.jobId)),
    );
    seen('shutdown twice', calls.length > 1);
    seen(`shutdown from ${plan?.on ?? 'nobody'}`, calls.length > 0);
    seen(
      'drain',
      a.ofType('shutdown-requested').some((e) => e.drain),
    );
    seen('min 0', settings.minWorkers === 0);
    seen('more jobs at once than maxWorkers', peakConcurrency(a.log) > settings.maxWorkers);
    seen('min = max', settings.minWorkers === settings.maxWorkers);
    seen('errThreshold 1', settings.errThreshold === 1);
  }

  // maxWorkers bounds the jobs running at once, counting workers still finishing after a scale-down.
  expect(peakConcurrency(a.log), 'jobs running at once').to.be.at.most(settings.maxWorkers);

  // Every item the source gave was taken, except one a pending async pull brought after the deadline.
  const deadlinePassed = a.ofType('deadline-exceeded').length > 0;
  if (scenario.source === 'async' && deadlinePassed) {
    expect(handed - summary.produced).to.be.within(0, 1);
  } else {
    expect(summary.produced, 'items the source gave = produced').to.equal(handed);
  }

  // Each result is what its last attempt did, or a timeout, or the deadline.
  for (const r of a.results()) {
    expect(r.payload).to.equal(r.jobId - 1);
    const outcome = outcomeOf(r.payload, r.attempt);
    if (r.ok) {
      expect(['value', 'resolve', 'stubborn', 'hang']).to.include(outcome.kind);
      expect(r.value).to.equal(r.payload);
      continue;
    }
    if (isJobTimeoutError(r.error) || isShutdownDeadlineError(r.error)) {
      if (isJobTimeoutError(r.error)) expect(settings.timeoutMs).to.not.equal(undefined);
      else expect(deadlinePassed).to.equal(true);
      continue;
    }
    expect(['throw', 'reject']).to.include(outcome.kind);
    const expected = thrown(
      outcome.kind === 'throw' ? outcome.what : 'error',
      r.payload,
      r.attempt,
    );
    expect(r.error).to.deep.equal(expected);
  }

  // After shutdown() without drain, whatever was asked before, no job starts.
  expect(
    a.log.slice(noDrainAt).filter((e) => e.kind === 'start'),
    'no job starts after shutdown() without drain',
  ).to.deep.equal([]);

  // Why it stopped.
  const overflowed = a.ofType('source-error').some((e) => isQueueOverflowError(e.error));
  if (before) {
    expect(summary).to.include({ reason: 'shutdown', produced: 0 });
    expect(a.starts()).to.have.length(0);
  }
  if (summary.reason === 'shutdown') expect(calls.length).to.be.greaterThan(0);
  if (overflowed) expect(scenario.source).to.equal('observable');
  if (summary.reason === 'source-error' && !isQueueOverflowError(summary.error)) {
    expect(summary.error).to.equal(sourceFailure);
  }
  if (calls.length === 0 && end === 'complete' && !overflowed) {
    expect(['completed', 'error-rate']).to.include(summary.reason);
  }
  // A stop that drains (source end or error, shutdown with drain) processes everything it holds,
  // unless a deadline or a later shutdown without drain cut it short.
  const requests = a.ofType('shutdown-requested');
  const drained =
    summary.reason !== 'error-rate' && !deadlinePassed && requests.every((e) => e.drain);
  if (drained) {
    const late = scenario.source === 'async' ? 1 : 0; // an item a pending pull brought in
    expect(summary.abandoned).to.be.at.most(late + (overflowed ? 1 : 0));
  }
}

/** The most attempts running at once (workers asked to stop still finish theirs). */
function peakConcurrency(log: readonly Entry<number, number>[]): number {
  const running = new Set<string>();
  let peak = 0;
  for (const e of log) {
    if (e.kind === 'start') running.add(`${e.jobId}#${e.attempt}`);
    else if (e.kind === 'result' || e.kind === 'on-failure') {
      running.delete(`${e.result.jobId}#${e.result.attempt}`);
    } else if (e.event.type === 'job-retry') {
      running.delete(`${e.event.jobId}#${e.event.attempt - 1}`);
    }
    peak = Math.max(peak, running.size);
  }
  return peak;
}

/** With FC_STATS=1, how often each path was taken (to see that the generators reach them). */
const coverage = process.env.FC_STATS ? new Map<string, number>() : undefined;

describe('reliability: the invariant, property-based', () => {
  after(() => {
    if (coverage) console.table(Object.fromEntries([...coverage].sort()));
  });

  it('holds for random settings, sources, job behaviours and shutdown moments', async function () {
    this.timeout(60_000);
    const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), {
      numRuns: Number(process.env.FC_RUNS ?? 200),
      ...(seed === undefined ? {} : { seed }),
      ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }),
    });
  });
});
