/**
 * Scenario 4, the child's side: a step load in real time. Jobs arrive at `lowRate`/s, then at
 * `highRate`/s for `burstMs`, then at `lowRate`/s again; each takes `jobMs` (a timer). dynpipe with
 * scaling on is compared with fixed pools (scaling off) of a few sizes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPipeline, type PipelineEvent } from '../lib/index.js';
import type { Params, Sample } from './protocol.js';
import { quantile } from './stats.js';

export const autoscaleContenderNames = [
  'dynpipe-auto',
  'dynpipe-fixed-1',
  'dynpipe-fixed-2',
  'dynpipe-fixed-4',
  'dynpipe-fixed-8',
] as const;

export type AutoscaleContenderName = (typeof autoscaleContenderNames)[number];

/** Arrival times in ms from the start, evenly spaced within each phase. */
export function arrivalSchedule(p: Params): number[] {
  const times: number[] = [];
  const phase = (from: number, to: number, rate: number) => {
    for (let t = from; t < to - 1e-9; t += 1000 / rate) times.push(t);
  };
  const burstAt = p.preMs;
  const burstEnd = burstAt + p.burstMs;
  phase(0, burstAt, p.lowRate);
  phase(burstAt, burstEnd, p.highRate);
  phase(burstEnd, burstEnd + p.postMs, p.lowRate);
  return times;
}

/** Workers the burst needs: arrival rate x job time. */
export function neededWorkers(p: Params): number {
  return Math.ceil((p.highRate * p.jobMs) / 1000);
}

interface Step {
  /** ms since the first arrival was due */
  readonly t: number;
  readonly workers: number;
}

/** The integral of a step function of time over [from, to], in worker-ms. */
function integrate(steps: readonly Step[], from: number, to: number): number {
  let total = 0;
  for (let k = 0; k < steps.length; k++) {
    const start = Math.max(from, steps[k]!.t);
    const end = Math.min(to, k + 1 < steps.length ? steps[k + 1]!.t : Infinity);
    if (end > start) total += steps[k]!.workers * (end - start);
  }
  return total;
}

export async function autoscale(name: string, p: Params): Promise<Sample> {
  const match = /^dynpipe-(auto|fixed-(\d+))$/.exec(name);
  if (!match) throw new Error(`unknown autoscale contender ${name}`);
  const fixed = match[2] === undefined ? undefined : Number(match[2]);
  const minWorkers = fixed ?? p.minWorkers;
  const schedule = arrivalSchedule(p);
  const burstAt = p.preMs;
  const burstEnd = p.preMs + p.burstMs;
  let t0 = Date.now();

  // Each payload is its due time; the source sleeps until then.
  async function* arrivals(): AsyncGenerator<number> {
    t0 = Date.now();
    for (const due of schedule) {
      const wait = t0 + due - Date.now();
      if (wait >= 1) await sleep(wait);
      yield due;
    }
  }

  const pipeline = createPipeline<number, void>({
    source: arrivals(),
    process: () => sleep(p.jobMs),
    minWorkers,
    maxWorkers: fixed ?? p.maxWorkers,
    queueCap: p.queueCap,
    highWater: p.highWater,
    lowWater: p.lowWater,
    scaleIntervalMs: p.scaleIntervalMs,
    errThreshold: 0,
  });

  /** Live workers (started, not yet exited) and the supervisor's count (running, not stopping). */
  const live: Step[] = [];
  const active: Step[] = [];
  let liveCount = 0;
  const scaleTimeline: [number, number, number][] = [];
  const record = (event: PipelineEvent<number>) => {
    const t = event.at - t0;
    switch (event.type) {
      case 'worker-started':
        live.push({ t, workers: ++liveCount });
        active.push({ t, workers: event.workers });
        break;
      case 'worker-stopping':
        active.push({ t, workers: event.workers });
        break;
      case 'worker-stopped':
        live.push({ t, workers: --liveCount });
        break;
      case 'scale':
        scaleTimeline.push([t, event.depth, event.workers]);
        break;
      default:
    }
  };
  pipeline.events$.subscribe(record);

  const loadEnd = burstEnd + p.postMs;
  const waits: number[] = [];
  const sinceArrival: number[] = [];
  let busyMs = 0;
  pipeline.results$.subscribe((r) => {
    waits.push(r.startedAt - r.queuedAt);
    sinceArrival.push(r.startedAt - (t0 + r.payload));
    // Busy time within the load window, like the worker time it is compared with.
    busyMs += Math.max(0, Math.min(r.finishedAt, t0 + loadEnd) - r.startedAt);
  });

  // Whatever is still waiting `graceMs` after the last arrival is handed back, not waited for.
  const cutoff = setTimeout(() => void pipeline.shutdown(), loadEnd + p.graceMs);
  const summary = await pipeline.run();
  clearTimeout(cutoff);
  const stoppedAt = summary.finishedAt;
  for (const job of summary.abandonedJobs) {
    // Censored: these waited at least this long.
    waits.push(stoppedAt - job.queuedAt);
    sinceArrival.push(stoppedAt - (t0 + job.payload));
  }

  const needed = neededWorkers(p);
  const firstAt = (steps: readonly Step[], from: number, test: (w: number) => boolean) => {
    // The state in force at `from`, or the first change after it.
    let last: Step | undefined;
    for (const step of steps) {
      if (step.t <= from) last = step;
      else break;
    }
    if (last && test(last.workers)) return 0;
    const hit = steps.find((s) => s.t > from && test(s.workers));
    return hit ? hit.t - from : NaN;
  };

  const workerMs = integrate(live, 0, loadEnd);
  return {
    metrics: {
      jobs: schedule.length,
      processed: summary.processed,
      unfinished: summary.abandoned,
      neededWorkers: needed,
      timeToNeededMs: firstAt(active, burstAt, (w) => w >= needed),
      peakWorkers: summary.peakWorkers,
      peakBacklog: summary.peakDepth,
      waitP50Ms: quantile(waits, 0.5),
      waitP95Ms: quantile(waits, 0.95),
      waitMaxMs: Math.max(...waits),
      arrivalWaitP95Ms: quantile(sinceArrival, 0.95),
      workerSeconds: workerMs / 1000,
      busySeconds: busyMs / 1000,
      utilization: busyMs / workerMs,
      timeBackToMinMs: firstAt(active, burstEnd, (w) => w <= minWorkers),
      durationMs: summary.durationMs,
    },
    extra: { scaleTimeline },
  };
}
