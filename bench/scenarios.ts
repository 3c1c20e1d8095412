/**
 * The scenarios: what each measures, its settings (full and `--quick`), its contenders, the figures
 * shown in the tables, and the ratios that matter.
 */
import { autoscaleContenderNames } from './autoscale.js';
import { jobContenderNames } from './contenders.js';
import type { Params, ScenarioKind } from './protocol.js';

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly digits: number;
  /** Which way is better, for the comparison; undefined when neither. */
  readonly better?: 'lower' | 'higher';
}

/** `num` / `den` of a metric's medians; `fastest-peer` is the best library (not dynpipe, not the floor). */
export interface RatioSpec {
  readonly label: string;
  readonly metric: string;
  readonly num: string;
  readonly den: string;
}

export interface Variant {
  /** Unique, e.g. `overhead-c8`. */
  readonly id: string;
  readonly kind: ScenarioKind;
  readonly title: string;
  readonly description: string;
  params: Record<string, number>;
  /** Per-contender settings that differ (e.g. fewer jobs for one that would take minutes). */
  readonly overrides: Readonly<Record<string, Params>>;
  readonly contenders: readonly string[];
  readonly repeat: number;
  readonly timeoutMs: number;
  readonly columns: readonly Column[];
  readonly ratios: readonly RatioSpec[];
}

export interface SuiteOptions {
  readonly quick: boolean;
  /** Replaces every default repeat count except the autoscale one. */
  readonly repeat?: number | undefined;
  readonly autoscaleRepeat?: number | undefined;
}

const FASTEST_PEER = 'fastest-peer';
export { FASTEST_PEER };

function overheadVariant(concurrency: number, o: SuiteOptions): Variant {
  return {
    id: `overhead-c${concurrency}`,
    kind: 'overhead',
    title: `1. Overhead: no-op async jobs, concurrency ${concurrency}`,
    description:
      'Each job is `async () => {}`: the time per job is what the pool itself costs. One untimed warm-up run of the same contender precedes the timed run in the same process. Peak RSS is the process maximum (resourceUsage().maxRSS), Node + tsx included; "RSS growth" is that peak minus the RSS before the timed run.',
    params: {
      jobs: o.quick ? 20_000 : 200_000,
      warmup: o.quick ? 5_000 : 20_000,
      concurrency,
      queueCap: 100,
      scaleIntervalMs: 10,
    },
    overrides: {},
    contenders: jobContenderNames,
    repeat: o.repeat ?? (o.quick ? 2 : 5),
    timeoutMs: 120_000,
    columns: [
      { key: 'nsPerJob', label: 'ns/job', digits: 0, better: 'lower' },
      { key: 'jobsPerSec', label: 'jobs/s', digits: 0, better: 'higher' },
      { key: 'peakRssMB', label: 'peak RSS MB', digits: 0, better: 'lower' },
      { key: 'rssGrowthMB', label: 'RSS growth MB', digits: 1, better: 'lower' },
    ],
    ratios: [
      {
        label: 'dynpipe-off / fastest peer',
        metric: 'nsPerJob',
        num: 'dynpipe-off',
        den: FASTEST_PEER,
      },
      {
        label: 'dynpipe-off / minimal-pool',
        metric: 'nsPerJob',
        num: 'dynpipe-off',
        den: 'minimal-pool',
      },
      {
        label: 'dynpipe-on / dynpipe-off',
        metric: 'nsPerJob',
        num: 'dynpipe-on',
        den: 'dynpipe-off',
      },
      {
        label: 'dynpipe-on / fastest peer',
        metric: 'nsPerJob',
        num: 'dynpipe-on',
        den: FASTEST_PEER,
      },
    ],
  };
}

function timerVariant(o: SuiteOptions): Variant {
  const jobs = o.quick ? 500 : 2_000;
  return {
    id: 'timer-c50',
    kind: 'timer',
    title: `2. Timer-bound: ${jobs} jobs of setTimeout(10 ms), concurrency 50`,
    description:
      'Efficiency = ideal wall time (jobs / concurrency x 10 ms) / measured wall time. Node timers fire 1 ms late or more, so even the floor stays below 1. dynpipe-on starts at 1 worker and adds one per 10 ms tick: its ramp-up to 50 workers is part of what it measures.',
    params: { jobs, warmup: 200, concurrency: 50, delayMs: 10, queueCap: 100, scaleIntervalMs: 10 },
    overrides: {},
    contenders: jobContenderNames,
    repeat: o.repeat ?? (o.quick ? 2 : 5),
    timeoutMs: 60_000,
    columns: [
      { key: 'efficiency', label: 'efficiency', digits: 3, better: 'higher' },
      { key: 'ms', label: 'wall ms', digits: 0, better: 'lower' },
    ],
    ratios: [
      {
        label: 'dynpipe-off / minimal-pool',
        metric: 'efficiency',
        num: 'dynpipe-off',
        den: 'minimal-pool',
      },
      {
        label: 'dynpipe-on / minimal-pool',
        metric: 'efficiency',
        num: 'dynpipe-on',
        den: 'minimal-pool',
      },
      {
        label: 'dynpipe-off / fastest peer',
        metric: 'efficiency',
        num: 'dynpipe-off',
        den: FASTEST_PEER,
      },
    ],
  };
}

function memoryVariant(o: SuiteOptions): Variant {
  const jobs = o.quick ? 100_000 : 1_000_000;
  // mergeMap's buffer is an array emptied with shift(): quadratic once it is large (1M jobs: ~160 s).
  const rxjsJobs = o.quick ? 50_000 : 200_000;
  return {
    id: 'memory-source',
    kind: 'memory',
    title: `3. Memory under a fast source: ${jobs.toLocaleString('en-US')} jobs from an iterable, concurrency 8`,
    description:
      'The source is a lazy iterable; each job waits one event-loop turn (setImmediate), so the source is far faster than the pool. dynpipe queueCap 100; p-queue-bounded waits for room below 100. After an untimed 10k-job warm-up and a full GC, "retained growth" is the largest post-GC heapUsed at 25/50/75% of the jobs started, minus the post-GC heapUsed before the run (what the queue holds); "peak heap growth" is the largest heapUsed sampled without GC (garbage included) minus the same baseline.',
    params: { jobs, warmup: 10_000, concurrency: 8, queueCap: 100, scaleIntervalMs: 10 },
    overrides: { 'rxjs-mergeMap': { jobs: rxjsJobs } },
    contenders: jobContenderNames,
    repeat: o.repeat ?? (o.quick ? 1 : 3),
    timeoutMs: 300_000,
    columns: [
      { key: 'jobs', label: 'jobs', digits: 0 },
      { key: 'retainedGrowthMB', label: 'retained growth MB', digits: 1, better: 'lower' },
      { key: 'peakHeapGrowthMB', label: 'peak heap growth MB', digits: 1, better: 'lower' },
      { key: 'peakRssMB', label: 'peak RSS MB', digits: 0, better: 'lower' },
      { key: 'jobsPerSec', label: 'jobs/s', digits: 0, better: 'higher' },
    ],
    ratios: [
      {
        label: 'dynpipe-off / minimal-pool',
        metric: 'jobsPerSec',
        num: 'dynpipe-off',
        den: 'minimal-pool',
      },
      {
        label: 'dynpipe-off / fastest peer',
        metric: 'jobsPerSec',
        num: 'dynpipe-off',
        den: FASTEST_PEER,
      },
    ],
  };
}

function autoscaleVariant(o: SuiteOptions): Variant {
  return {
    id: 'autoscale-step',
    kind: 'autoscale',
    title: `4. Autoscaling: step load 10/s -> 200/s for ${o.quick ? 2 : 10} s -> 10/s, 20 ms jobs`,
    description:
      'Real time. Arrivals are evenly spaced; each job is a 20 ms timer, so the burst needs ceil(200 x 0.02) = 4 workers. dynpipe-auto: minWorkers 1, maxWorkers 8, scaleIntervalMs 250, highWater 10, lowWater 2, queueCap 5000 (large, so that the source is never held back and waits are true). The fixed pools are dynpipe with minWorkers = maxWorkers. Waits are startedAt - queuedAt from results$; jobs still queued at the cut-off (last arrival + grace) are handed back and count with the wait they had so far (a lower bound). Worker-seconds integrate the live worker count (worker-started .. worker-stopped events) over the load window; utilization = busy time / worker time.',
    params: {
      lowRate: 10,
      highRate: 200,
      preMs: o.quick ? 1_000 : 2_000,
      burstMs: o.quick ? 2_000 : 10_000,
      postMs: o.quick ? 2_000 : 10_000,
      graceMs: o.quick ? 1_000 : 5_000,
      jobMs: 20,
      minWorkers: 1,
      maxWorkers: 8,
      scaleIntervalMs: 250,
      highWater: 10,
      lowWater: 2,
      queueCap: 5_000,
    },
    overrides: {},
    contenders: autoscaleContenderNames,
    repeat: o.autoscaleRepeat ?? 1,
    timeoutMs: 120_000,
    columns: [
      { key: 'timeToNeededMs', label: 'to 4 workers ms', digits: 0, better: 'lower' },
      { key: 'peakWorkers', label: 'peak workers', digits: 0 },
      { key: 'peakBacklog', label: 'peak backlog', digits: 0, better: 'lower' },
      { key: 'waitP50Ms', label: 'wait p50 ms', digits: 0, better: 'lower' },
      { key: 'waitP95Ms', label: 'wait p95 ms', digits: 0, better: 'lower' },
      { key: 'waitMaxMs', label: 'wait max ms', digits: 0, better: 'lower' },
      { key: 'workerSeconds', label: 'worker-s', digits: 1, better: 'lower' },
      { key: 'utilization', label: 'utilization', digits: 2, better: 'higher' },
      { key: 'timeBackToMinMs', label: 'back to min ms', digits: 0, better: 'lower' },
      { key: 'unfinished', label: 'unfinished', digits: 0, better: 'lower' },
    ],
    ratios: [
      {
        label: 'worker-s: auto / fixed-8',
        metric: 'workerSeconds',
        num: 'dynpipe-auto',
        den: 'dynpipe-fixed-8',
      },
      {
        label: 'worker-s: auto / fixed-4',
        metric: 'workerSeconds',
        num: 'dynpipe-auto',
        den: 'dynpipe-fixed-4',
      },
      {
        label: 'wait p95: auto / fixed-4',
        metric: 'waitP95Ms',
        num: 'dynpipe-auto',
        den: 'dynpipe-fixed-4',
      },
    ],
  };
}

export function suite(o: SuiteOptions): Variant[] {
  return [
    overheadVariant(8, o),
    overheadVariant(64, o),
    timerVariant(o),
    memoryVariant(o),
    autoscaleVariant(o),
  ];
}
