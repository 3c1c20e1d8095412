// Prometheus metrics for a pipeline, with prom-client: the worker count and queue depth as gauges
// (fed by events$ and depth$), in-flight jobs and recent errors read from stats() at scrape time,
// a counter of results by outcome and histograms of job durations and queue waits (from results$).
// It runs the synthetic demo workload and serves http://127.0.0.1:9464/metrics.
//
//   npx tsx examples/metrics.ts                          # until Ctrl+C; scrape it meanwhile:
//   curl -s http://127.0.0.1:9464/metrics | grep dynpipe_
//   npx tsx examples/metrics.ts --port 0 --duration 5s  # a random free port, 5 seconds
//
// This file imports the package's source; installed users write `from 'dynpipe'`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  createPipeline,
  isJobTimeoutError,
  rateSource,
  simulatedWork,
  type SyntheticJob,
} from '../lib/index.js';
import { durationOption, fail, intOption, readArgs } from './support/args.js';

const usage = 'usage: npx tsx examples/metrics.ts [--port 9464] [--duration 30s]';
const { values } = readArgs(usage, {
  port: { type: 'string', default: '9464' },
  duration: { type: 'string' },
});
const port = intOption(usage, '--port', values.port, { min: 0, max: 65535 });
const durationMs = durationOption(usage, '--duration', values.duration);

// --- the pipeline: the synthetic demo workload ------------------------------------------------

const QUEUE_CAP = 100;
const pipeline = createPipeline({
  source: rateSource({ rate: 10, demo: true }),
  process: simulatedWork<SyntheticJob>({ processMs: 80, jitterMs: 40, errorRate: 0.05 }),
  queueCap: QUEUE_CAP,
  // A service that exports metrics alerts on them rather than stopping itself: keep it running.
  errThreshold: 0,
});

// --- the metrics -------------------------------------------------------------------------------

const registry = new Registry();
collectDefaultMetrics({ register: registry }); // process_cpu_seconds_total, nodejs_heap_*, ...

const workers = new Gauge({
  name: 'dynpipe_workers',
  help: 'Workers running (not counting those asked to stop)',
  registers: [registry],
});
const queueDepth = new Gauge({
  name: 'dynpipe_queue_depth',
  help: 'Jobs waiting for a worker',
  registers: [registry],
});
new Gauge({
  name: 'dynpipe_queue_capacity',
  help: 'Size of the bounded buffer',
  registers: [registry],
}).set(QUEUE_CAP);
// Read at scrape time: these change with every job, so there is nothing to push.
new Gauge({
  name: 'dynpipe_jobs_in_flight',
  help: 'Jobs a worker is running now',
  registers: [registry],
  collect() {
    this.set(pipeline.stats().inFlight);
  },
});
new Gauge({
  name: 'dynpipe_errors_in_window',
  help: 'Failures inside the sliding error window',
  registers: [registry],
  collect() {
    this.set(pipeline.stats().errorsInWindow);
  },
});
const scaleDecisions = new Counter({
  name: 'dynpipe_scale_decisions_total',
  help: 'Supervisor ticks, by decision',
  labelNames: ['direction'] as const,
  registers: [registry],
});
const results = new Counter({
  name: 'dynpipe_job_results_total',
  help: 'Finished jobs, by outcome: ok, error, timeout (jobs over `timeoutMs`, when set)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const jobSeconds = new Histogram({
  name: 'dynpipe_job_duration_seconds',
  help: 'How long jobs ran, by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.25, 0.5, 1],
  registers: [registry],
});
const waitSeconds = new Histogram({
  name: 'dynpipe_job_wait_seconds',
  help: 'How long jobs waited in the queue before a worker took them',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

// Every label value from the start, so that rate() and alerts see a 0 rather than no series.
for (const outcome of ['ok', 'error', 'timeout']) {
  results.inc({ outcome }, 0);
  jobSeconds.zero({ outcome });
}
for (const direction of ['up', 'down', 'steady']) scaleDecisions.inc({ direction }, 0);

pipeline.depth$.subscribe((depth) => queueDepth.set(depth));
pipeline.events$.subscribe((e) => {
  if (e.type === 'worker-started' || e.type === 'worker-stopping') workers.set(e.workers);
  else if (e.type === 'scale') scaleDecisions.inc({ direction: e.direction });
});
pipeline.results$.subscribe((r) => {
  const outcome = r.ok ? 'ok' : isJobTimeoutError(r.error) ? 'timeout' : 'error';
  results.inc({ outcome });
  jobSeconds.observe({ outcome }, (r.finishedAt - r.startedAt) / 1000);
  waitSeconds.observe((r.startedAt - r.queuedAt) / 1000);
});

// --- the endpoint ------------------------------------------------------------------------------

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('try GET /metrics\n');
    return;
  }
  registry.metrics().then(
    (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
    (error: unknown) => res.writeHead(500).end(String(error)),
  );
});
try {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  fail(
    usage,
    code === 'EADDRINUSE'
      ? `port ${port} is in use; pick another with --port (0 = any free port)`
      : `cannot listen on 127.0.0.1:${port}: ${code ?? String(error)}`,
  );
}
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
console.log(`metrics at ${url}`);
console.log(
  `running the demo workload ${durationMs === undefined ? 'until Ctrl+C' : `for ${durationMs / 1000}s`}`,
);

const stop = () => void pipeline.shutdown();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
const timer = durationMs === undefined ? undefined : setTimeout(stop, durationMs);
const progress = setInterval(() => {
  const s = pipeline.stats();
  console.log(
    `  processed=${s.processed} errors=${s.errors} workers=${s.workers} queue=${s.queued}`,
  );
}, 5_000);

const summary = await pipeline.run();
clearTimeout(timer);
clearInterval(progress);
process.off('SIGINT', stop);
process.off('SIGTERM', stop);

console.log(
  `stopped: reason=${summary.reason} processed=${summary.processed} errors=${summary.errors}` +
    ` peakWorkers=${summary.peakWorkers}; final values:`,
);
const final = (await registry.metrics())
  .split('\n')
  .filter((line) => /^dynpipe_(job_results_total|workers|job_duration_seconds_count)/.test(line));
for (const line of final) console.log(`  ${line}`);

await new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

/*
 * What it prints (a real run, lib as of this writing; times and counts vary):
 *
 * $ npx tsx examples/metrics.ts --duration 12s
 * metrics at http://127.0.0.1:9464/metrics
 * running the demo workload for 12s
 *   processed=4 errors=1 workers=1 queue=0
 *   processed=99 errors=7 workers=2 queue=0
 * stopped: reason=shutdown processed=101 errors=7 peakWorkers=2; final values:
 *   dynpipe_workers 0
 *   dynpipe_job_results_total{outcome="ok"} 94
 *   dynpipe_job_results_total{outcome="error"} 7
 *   dynpipe_job_results_total{outcome="timeout"} 0
 *   dynpipe_job_duration_seconds_count{outcome="ok"} 94
 *   dynpipe_job_duration_seconds_count{outcome="error"} 7
 *   dynpipe_job_duration_seconds_count{outcome="timeout"} 0
 *
 * $ curl -s http://127.0.0.1:9464/metrics | grep ^dynpipe_     # at ~8 s (some buckets left out)
 * dynpipe_workers 2
 * dynpipe_queue_depth 45
 * dynpipe_queue_capacity 100
 * dynpipe_jobs_in_flight 2
 * dynpipe_errors_in_window 6
 * dynpipe_scale_decisions_total{direction="up"} 1
 * dynpipe_scale_decisions_total{direction="down"} 0
 * dynpipe_scale_decisions_total{direction="steady"} 2
 * dynpipe_job_results_total{outcome="ok"} 43
 * dynpipe_job_results_total{outcome="error"} 6
 * dynpipe_job_results_total{outcome="timeout"} 0
 * dynpipe_job_duration_seconds_bucket{le="0.05",outcome="ok"} 3
 * dynpipe_job_duration_seconds_bucket{le="0.075",outcome="ok"} 23
 * dynpipe_job_duration_seconds_bucket{le="0.1",outcome="ok"} 35
 * dynpipe_job_duration_seconds_bucket{le="0.125",outcome="ok"} 43
 * dynpipe_job_duration_seconds_bucket{le="0.25",outcome="ok"} 43
 * dynpipe_job_duration_seconds_sum{outcome="ok"} 3.2800000000000002
 * dynpipe_job_duration_seconds_count{outcome="ok"} 43
 * dynpipe_job_duration_seconds_sum{outcome="error"} 0.524
 * dynpipe_job_duration_seconds_count{outcome="error"} 6
 * dynpipe_job_duration_seconds_sum{outcome="timeout"} 0
 * dynpipe_job_duration_seconds_count{outcome="timeout"} 0
 * dynpipe_job_wait_seconds_sum 40.02799999999999
 * dynpipe_job_wait_seconds_count 49
 */
