/**
 * The child's side of the job scenarios: warm up, then time one run of a contender from inside the
 * process, so that Node's and tsx's start-up never count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers';
import { jobContenders, type JobContenderName, type JobsSpec } from './contenders.js';
import { MB, type Params, type Sample } from './protocol.js';

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  const t0 = process.hrtime.bigint();
  gc();
  return Number(process.hrtime.bigint() - t0);
}

/**
 * Runs `fn`, the timed part; with BENCH_PROFILE_DIR set, under the CPU profiler (sampling every
 * 100 µs), written to that folder as <scenario>-<contender>-<pid>.cpuprofile. The start-up, the
 * warm-up and the loading of tsx stay out of the profile (unlike with `node --cpu-prof`).
 */
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${label}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.error(`profile: ${file}`);
  }
}

function contender(name: string) {
  const run = jobContenders[name as JobContenderName];
  if (!run) throw new Error(`unknown contender ${name}`);
  return run;
}

function spec(params: Params, n: number, work: (i: number) => Promise<void>): JobsSpec {
  return {
    n,
    work,
    concurrency: params.concurrency,
    queueCap: params.queueCap,
    scaleIntervalMs: params.scaleIntervalMs,
  };
}

/** Scenario 1: no-op async jobs; what a job costs the pool itself. */
export async function overhead(name: string, params: Params): Promise<Sample> {
  const run = contender(name);
  const n = params.jobs;
  let calls = 0;
  const work = async (_i: number): Promise<void> => {
    calls++;
  };
  await run(spec(params, params.warmup, work));
  collect();
  calls = 0;
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  await timed(`overhead-c${params.concurrency}-${name}`, () => run(spec(params, n, work)));
  const ns = Number(process.hrtime.bigint() - t0);
  if (calls !== n) throw new Error(`${name}: ${calls} of ${n} jobs ran`);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  return {
    metrics: {
      nsPerJob: ns / n,
      jobsPerSec: n / (ns / 1e9),
      ms: ns / 1e6,
      peakRssMB: peakRss / MB,
      rssBeforeMB: rssBefore / MB,
      rssGrowthMB: Math.max(0, peakRss - rssBefore) / MB,
    },
  };
}

/** Scenario 2: jobs that wait on a timer; how close to the ideal wall time the pool gets. */
export async function timer(name: string, params: Params): Promise<Sample> {
  const run = contender(name);
  const { jobs: n, concurrency, delayMs } = params;
  let calls = 0;
  const work = (_i: number): Promise<void> => {
    calls++;
    return new Promise((resolve) => setTimeout(resolve, delayMs));
  };
  await run(spec(params, params.warmup, work));
  collect();
  calls = 0;
  const t0 = process.hrtime.bigint();
  await timed(`timer-${name}`, () => run(spec(params, n, work)));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (calls !== n) throw new Error(`${name}: ${calls} of ${n} jobs ran`);
  const idealMs = Math.ceil(n / concurrency) * delayMs;
  return { metrics: { efficiency: idealMs / ms, ms, idealMs } };
}

/**
 * Scenario 3: a million-item source and a consumer slower than it (each job waits one event-loop
 * turn). Heap is read after a full GC at 25/50/75% of the jobs started (retained memory: what the
 * queue holds) and sampled without GC throughout (peak, garbage included).
 */
export async function memory(name: string, params: Params): Promise<Sample> {
  const run = contender(name);
  const n = params.jobs;
  let calls = 0;
  let measuring = false;
  let peakHeap = 0;
  let gcNs = 0;
  const checkpoints = new Map<number, number>([
    [Math.floor(n * 0.25), NaN],
    [Math.floor(n * 0.5), NaN],
    [Math.floor(n * 0.75), NaN],
  ]);
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > peakHeap) peakHeap = used;
  };
  const work = (i: number): Promise<void> => {
    calls++;
    if (measuring) {
      if ((i & 1023) === 0) sample();
      if (checkpoints.has(i)) {
        sample();
        gcNs += collect();
        checkpoints.set(i, process.memoryUsage().heapUsed);
      }
    }
    return new Promise((resolve) => nextTurn(resolve));
  };
  await run(spec(params, params.warmup, work));
  collect();
  calls = 0;
  const baseline = process.memoryUsage();
  peakHeap = baseline.heapUsed;
  measuring = true;
  const sampler = setInterval(sample, 10);
  const t0 = process.hrtime.bigint();
  await timed(`memory-${name}`, () => run(spec(params, n, work)));
  const ns = Number(process.hrtime.bigint() - t0) - gcNs;
  clearInterval(sampler);
  sample();
  measuring = false;
  if (calls !== n) throw new Error(`${name}: ${calls} of ${n} jobs ran`);
  collect();
  const after = process.memoryUsage().heapUsed;
  const retained = [...checkpoints.values()];
  const peakRss = process.resourceUsage().maxRSS * 1024;
  return {
    metrics: {
      retainedGrowthMB: (Math.max(...retained) - baseline.heapUsed) / MB,
      peakHeapGrowthMB: (peakHeap - baseline.heapUsed) / MB,
      peakHeapMB: peakHeap / MB,
      peakRssMB: peakRss / MB,
      rssGrowthMB: Math.max(0, peakRss - baseline.rss) / MB,
      baselineHeapMB: baseline.heapUsed / MB,
      heapAfterMB: after / MB,
      ms: ns / 1e6,
      jobsPerSec: n / (ns / 1e9),
      jobs: n,
    },
    extra: { retainedAtQuartersMB: retained.map((b) => (b - baseline.heapUsed) / MB) },
  };
}
