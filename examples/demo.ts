// The Go design's demo, built from the library API instead of the `dynpipe` command: a producer at
// a base rate of 10 jobs/s that follows the demo profile (`demoRate`: calm, then a burst, every
// 30 s), simulated jobs of 80 ± 40 ms that fail 5 % of the time, and a pool of 1..8 workers that
// grows while the queue is deep and shrinks once it drains. Stop it with Ctrl+C (graceful: running
// jobs finish, queued ones are handed back), or give it a duration.
//
//   npx tsx examples/demo.ts                         # until Ctrl+C
//   npx tsx examples/demo.ts --duration 30s          # one full period of the profile
//   npx tsx examples/demo.ts --duration 30s --seed 1 --err-threshold 0   # without the error guard
//
// This file imports the package's source; installed users write `from 'dynpipe'`.
import {
  createPipeline,
  rateSource,
  simulatedWork,
  type PipelineEvent,
  type SyntheticJob,
} from '../lib/index.js';
import { durationOption, intOption, readArgs } from './support/args.js';

const usage =
  'usage: npx tsx examples/demo.ts [--duration 30s] [--seed <integer>] [--err-threshold <n>]';
const { values } = readArgs(usage, {
  duration: { type: 'string' },
  seed: { type: 'string' },
  'err-threshold': { type: 'string' },
});
const durationMs = durationOption(usage, '--duration', values.duration);
const seed = intOption(usage, '--seed', values.seed) ?? Math.floor(Math.random() * 2 ** 31);
const errThreshold = intOption(usage, '--err-threshold', values['err-threshold'], { min: 0 }) ?? 10;

const pipeline = createPipeline({
  source: rateSource({ rate: 10, demo: true }),
  process: simulatedWork<SyntheticJob>({ processMs: 80, jitterMs: 40, errorRate: 0.05, seed }),
  // The defaults, spelled out: this is the Go design's configuration.
  minWorkers: 1,
  maxWorkers: 8,
  queueCap: 100,
  highWater: 70,
  lowWater: 20,
  scaleIntervalMs: 2_000,
  errWindowMs: 10_000,
  // The error guard: 10 failures within 10 s stop the run (exit code 1). With 5 % of jobs failing
  // a busy stretch can trip it; `--err-threshold 0` turns it off.
  errThreshold,
});

const startedAt = Date.now();
const stamp = (at: number) => `[${((at - startedAt) / 1000).toFixed(1).padStart(5)}s]`;

function describe(e: PipelineEvent<SyntheticJob>): string | undefined {
  switch (e.type) {
    case 'scale':
      return e.direction === 'steady'
        ? `steady      queue=${e.depth} workers=${e.workers}`
        : `scale ${e.direction.padEnd(5)} queue=${e.depth} workers=${e.workers} (${e.delta > 0 ? '+' : ''}${e.delta})`;
    case 'worker-started':
      return `worker ${e.workerId} started (workers=${e.workers})`;
    case 'worker-stopping':
      return `worker ${e.workerId} stopping${e.busy ? ' (finishing its current job)' : ''}`;
    case 'worker-stopped':
      return `worker ${e.workerId} stopped (workers=${e.workers})`;
    case 'error-rate-exceeded':
      return `error rate exceeded: ${e.errors} errors in ${e.windowMs / 1000}s (threshold ${e.threshold}) -> auto-shutdown`;
    case 'shutdown-requested':
      return `shutdown requested: reason=${e.reason} drain=${e.drain}`;
    default:
      return undefined;
  }
}

pipeline.events$.subscribe((e) => {
  const line = describe(e);
  if (line !== undefined) console.log(`${stamp(e.at)} ${line}`);
});
pipeline.results$.subscribe((r) => {
  if (!r.ok) {
    const message = r.error instanceof Error ? r.error.message : String(r.error);
    console.log(`${stamp(r.finishedAt)} job ${r.jobId} failed on worker ${r.workerId}: ${message}`);
  }
});

// Ctrl+C or a `kill`: stop taking jobs, let running ones finish, hand back the queued ones.
let signals = 0;
function onSignal(signal: NodeJS.Signals): void {
  if (++signals > 1) {
    console.log(`${stamp(Date.now())} ${signal} again: exiting without waiting`);
    process.exit(130);
  }
  console.log(`${stamp(Date.now())} ${signal}: shutting down (press Ctrl+C again to force)`);
  void pipeline.shutdown();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const timer =
  durationMs === undefined ? undefined : setTimeout(() => void pipeline.shutdown(), durationMs);

console.log(
  `demo: seed=${seed} workers 1..8, queue 100 (up at >=70, down at <=20), tick 2s;` +
    ` ${durationMs === undefined ? 'Ctrl+C to stop' : `stopping after ${durationMs / 1000}s`}`,
);
const summary = await pipeline.run();
clearTimeout(timer);
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);

console.log(
  `summary: reason=${summary.reason} processed=${summary.processed} succeeded=${summary.succeeded}` +
    ` errors=${summary.errors} abandoned=${summary.abandoned} produced=${summary.produced}` +
    ` peakWorkers=${summary.peakWorkers} peakDepth=${summary.peakDepth}` +
    ` duration=${(summary.durationMs / 1000).toFixed(1)}s`,
);
// The error-rate guard stopping the run is a failure worth an exit code; a requested stop is not.
process.exitCode = summary.reason === 'error-rate' ? 1 : 0;

/*
 * What it prints (a real run, lib as of this writing; times and counts vary):
 *
 * $ npx tsx examples/demo.ts --duration 30s --seed 1
 * demo: seed=1 workers 1..8, queue 100 (up at >=70, down at <=20), tick 2s; stopping after 30s
 * [  0.0s] worker 1 started (workers=1)
 * [  1.1s] job 1 failed on worker 1: simulated processing error
 * [  2.0s] steady      queue=0 workers=1
 * [  4.0s] steady      queue=0 workers=1
 * [  6.0s] scale up    queue=82 workers=2 (+1)
 * [  6.0s] worker 2 started (workers=2)
 * [  6.4s] job 24 failed on worker 2: simulated processing error
 * [  6.8s] job 32 failed on worker 2: simulated processing error
 * [  8.0s] steady      queue=33 workers=2
 * [  9.3s] job 96 failed on worker 2: simulated processing error
 * [ 10.0s] scale down  queue=0 workers=1 (-1)
 * [ 10.0s] worker 2 stopping
 * [ 10.0s] worker 2 stopped (workers=1)
 * [ 10.6s] job 100 failed on worker 1: simulated processing error
 * [ 12.0s] steady      queue=0 workers=1
 * [ 14.0s] steady      queue=0 workers=1
 * [ 16.0s] steady      queue=0 workers=1
 * [ 18.0s] steady      queue=0 workers=1
 * [ 20.0s] steady      queue=0 workers=1
 * [ 20.6s] job 110 failed on worker 1: simulated processing error
 * [ 21.6s] job 111 failed on worker 1: simulated processing error
 * [ 22.0s] steady      queue=0 workers=1
 * [ 24.0s] steady      queue=0 workers=1
 * [ 25.6s] job 115 failed on worker 1: simulated processing error
 * [ 26.0s] steady      queue=0 workers=1
 * [ 28.0s] steady      queue=0 workers=1
 * [ 30.0s] shutdown requested: reason=shutdown drain=false
 * [ 30.0s] worker 1 stopping
 * [ 30.0s] worker 1 stopped (workers=0)
 * summary: reason=shutdown processed=119 succeeded=111 errors=8 abandoned=0 produced=119 peakWorkers=2 peakDepth=82 duration=30.0s
 */
