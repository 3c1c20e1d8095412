// Calling an HTTP service whose latency changes: a local server answers in ~20 ms, then slows to
// 150..450 ms for three seconds, then recovers. Requests arrive at a steady 30/s. While the service
// is slow the queue fills and the pool grows (one worker per 250 ms tick); once it recovers the
// queue drains and the pool shrinks. Each job has `timeoutMs: 400`: in the slow phase some requests
// take longer, the pipeline fires their AbortSignal, `fetch` aborts, the job fails with a
// JobTimeoutError, and the server sees the client go away and drops the request.
//
//   npx tsx examples/http.ts                  # 300 requests, ~10 s
//   npx tsx examples/http.ts --requests 120   # ~4 s, still reaches the slow phase
//
// Only 127.0.0.1 is ever contacted. This file imports the package's source; installed users write
// `from 'dynpipe'`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPipeline,
  isJobTimeoutError,
  rateSource,
  type JobContext,
  type SyntheticJob,
} from '../lib/index.js';
import { intOption, readArgs } from './support/args.js';

const usage = 'usage: npx tsx examples/http.ts [--requests <n>]';
const { values } = readArgs(usage, { requests: { type: 'string' } });
const requests = intOption(usage, '--requests', values.requests, { min: 1 }) ?? 300;

const RATE = 30; // requests per second
const TIMEOUT_MS = 400;
const SLOW_FROM_MS = 2_000;
const SLOW_UNTIL_MS = 5_000;

// --- the service -------------------------------------------------------------------------------

let t0 = Date.now();
const elapsed = () => Date.now() - t0;
const slow = () => elapsed() >= SLOW_FROM_MS && elapsed() < SLOW_UNTIL_MS;
/** 20 ms when healthy; 150..450 ms (so a sixth of them over the timeout) when slow. */
const latencyMs = () => (slow() ? 150 + Math.random() * 300 : 20);

const server = { served: 0, aborted: 0 };
const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
  const delay = latencyMs();
  const timer = setTimeout(() => {
    server.served++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, latencyMs: Math.round(delay) }));
  }, delay);
  // The client aborted (its job timed out): stop working on it instead of answering nobody.
  res.on('close', () => {
    if (!res.writableEnded) {
      clearTimeout(timer);
      server.aborted++;
    }
  });
});
httpServer.listen(0, '127.0.0.1');
await new Promise<void>((resolve, reject) => {
  httpServer.once('listening', resolve);
  httpServer.once('error', reject);
});
const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

// --- the client pipeline -----------------------------------------------------------------------

async function call(job: SyntheticJob, { signal }: JobContext): Promise<number> {
  // The signal fires after `timeoutMs` (or at a shutdown deadline) and aborts the request.
  const res = await fetch(`${base}/work/${job.seq}`, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { latencyMs: number };
  return body.latencyMs;
}

const pipeline = createPipeline({
  source: rateSource({ rate: RATE, count: requests }),
  process: call,
  minWorkers: 1,
  maxWorkers: 16,
  queueCap: 20, // up at >= 14 waiting, down at <= 4
  scaleIntervalMs: 250,
  timeoutMs: TIMEOUT_MS,
  errThreshold: 50, // some timeouts are expected here; 50 in 10 s would mean the service is down
});

const counts = { ok: 0, timeouts: 0, otherErrors: 0 };
const durations: number[] = [];
pipeline.results$.subscribe((r) => {
  if (r.ok) {
    counts.ok++;
    durations.push(r.finishedAt - r.startedAt);
  } else if (isJobTimeoutError(r.error)) {
    counts.timeouts++;
  } else {
    counts.otherErrors++;
    if (counts.otherErrors === 1) console.log(`  request ${r.jobId} failed: ${String(r.error)}`);
  }
});
const stamp = () => `t=${(elapsed() / 1000).toFixed(2)}s`;
pipeline.events$.subscribe((e) => {
  if (e.type === 'scale' && e.direction !== 'steady') {
    console.log(`  ${stamp()} scale ${e.direction}: queue=${e.depth} workers=${e.workers}`);
  }
});
const status = setInterval(() => {
  const s = pipeline.stats();
  console.log(
    `${stamp()} service ${slow() ? 'SLOW' : 'fast'}  workers=${s.workers} queue=${s.queued}` +
      ` in-flight=${s.inFlight}  ok=${counts.ok} timeouts=${counts.timeouts}`,
  );
}, 1_000);

console.log(
  `server at ${base}; ${requests} requests at ${RATE}/s, timeout ${TIMEOUT_MS} ms;` +
    ` slow from ${SLOW_FROM_MS / 1000}s to ${SLOW_UNTIL_MS / 1000}s`,
);
const onSignal = () => void pipeline.shutdown();
process.once('SIGINT', onSignal);
t0 = Date.now();
const summary = await pipeline.run();
process.off('SIGINT', onSignal);
clearInterval(status);

// Close the server: idle keep-alive connections too, or close() would wait for them.
await new Promise<void>((resolve) => {
  httpServer.close(() => resolve());
  httpServer.closeAllConnections();
});

durations.sort((a, b) => a - b);
const pct = (p: number) =>
  durations[Math.min(durations.length - 1, Math.floor(p * durations.length))];
console.log(
  `done: reason=${summary.reason} requests=${summary.processed} ok=${counts.ok}` +
    ` timeouts=${counts.timeouts} otherErrors=${counts.otherErrors} peakWorkers=${summary.peakWorkers}` +
    ` in ${(summary.durationMs / 1000).toFixed(1)}s`,
);
if (durations.length > 0) {
  console.log(`ok latency: p50=${pct(0.5)}ms p95=${pct(0.95)}ms max=${durations.at(-1)}ms`);
}
// A request that times out while its answer is already on the wire counts as answered here.
console.log(`server: answered=${server.served} dropped after client abort=${server.aborted}`);

/*
 * What it prints (a real run, lib as of this writing; times and counts vary):
 *
 * $ npx tsx examples/http.ts
 * server at http://127.0.0.1:36015; 300 requests at 30/s, timeout 400 ms; slow from 2s to 5s
 * t=1.00s service fast  workers=1 queue=0 in-flight=0  ok=29 timeouts=0
 * t=2.00s service SLOW  workers=1 queue=0 in-flight=0  ok=59 timeouts=0
 *   t=2.75s scale up: queue=20 workers=2
 * t=3.00s service SLOW  workers=2 queue=20 in-flight=2  ok=61 timeouts=1
 *   t=3.00s scale up: queue=20 workers=3
 *   t=3.25s scale up: queue=20 workers=4
 *   t=3.50s scale up: queue=20 workers=5
 *   t=3.75s scale up: queue=20 workers=6
 * t=4.00s service SLOW  workers=6 queue=20 in-flight=6  ok=70 timeouts=5
 *   t=4.00s scale up: queue=20 workers=7
 *   t=4.25s scale up: queue=19 workers=8
 *   t=4.50s scale up: queue=19 workers=9
 *   t=4.75s scale up: queue=19 workers=10
 * t=5.00s service fast  workers=10 queue=16 in-flight=10  ok=93 timeouts=9
 *   t=5.00s scale up: queue=16 workers=11
 *   t=5.25s scale down: queue=0 workers=10
 *   t=5.50s scale down: queue=0 workers=9
 *   t=5.75s scale down: queue=0 workers=8
 * t=6.00s service fast  workers=8 queue=0 in-flight=0  ok=148 timeouts=10
 *   t=6.00s scale down: queue=0 workers=7
 *   t=6.25s scale down: queue=0 workers=6
 *   t=6.51s scale down: queue=0 workers=5
 *   t=6.76s scale down: queue=0 workers=4
 * t=7.00s service fast  workers=4 queue=0 in-flight=0  ok=178 timeouts=10
 *   t=7.02s scale down: queue=0 workers=3
 *   t=7.26s scale down: queue=0 workers=2
 *   t=7.51s scale down: queue=0 workers=1
 * t=8.00s service fast  workers=1 queue=0 in-flight=0  ok=208 timeouts=10
 * t=9.00s service fast  workers=1 queue=0 in-flight=0  ok=238 timeouts=10
 * t=10.00s service fast  workers=1 queue=0 in-flight=1  ok=267 timeouts=10
 * done: reason=completed requests=300 ok=290 timeouts=10 otherErrors=0 peakWorkers=11 in 10.7s
 * ok latency: p50=22ms p95=316ms max=377ms
 * server: answered=290 dropped after client abort=10
 */
