// Soak run (real time, not a spec): a million fast jobs through one pipeline from an iterable, ~1 %
// failing, with a shutdown once 990,000 results are in. Checks the invariant's terms on every job
// and that the heap stays flat, prints a short table and PASS or FAIL (exit code 1).
//
//   npm run soak            (node --expose-gc --import tsx bench/soak.ts)
//   SOAK_JOBS=200000 npm run soak
import { createPipeline, createRandom } from '../lib/index.js';

const TOTAL = Number(process.env.SOAK_JOBS ?? 1_000_000);
const STOP_AT = Math.round(TOTAL * 0.99); // results in when shutdown() is called
const CHECKPOINTS = [0.1, 0.5, 0.9].map((f) => Math.round(TOTAL * f)); // the first is the warm-up
const FAILURE_RATE = 0.01;
const SAMPLE_MS = 100;
const FLAT_LIMIT_BYTES = 4 * 1024 * 1024; // heap growth after warm-up, measured after gc()
const TIME_LIMIT_MS = 60_000;

const gc = globalThis.gc;
if (!gc) {
  console.error('soak: run with node --expose-gc (npm run soak)');
  process.exit(2);
}

// --- memory sampling ---------------------------------------------------------------------------
let peakHeap = 0;
let peakRss = 0;
let samples = 0;
function sample(): void {
  const { heapUsed, rss } = process.memoryUsage();
  peakHeap = Math.max(peakHeap, heapUsed);
  peakRss = Math.max(peakRss, rss);
  samples++;
}
/** Heap in use after a full collection: what the run really holds. */
function settledHeap(): number {
  gc!();
  sample();
  return process.memoryUsage().heapUsed;
}
const sampler = setInterval(sample, SAMPLE_MS);

// --- the run -----------------------------------------------------------------------------------
let pulled = 0;
function* source(): Generator<number> {
  for (let i = 1; i <= TOTAL; i++) {
    pulled++;
    yield i;
  }
}

const random = createRandom(20_251_204);
let hooked = 0;
const pipeline = createPipeline({
  source: source(),
  // Settles at once (a plain value) or after a microtask (a resolved or rejected promise).
  process: (n: number): number | Promise<number> => {
    const roll = random();
    if (roll < FAILURE_RATE) return Promise.reject(new Error(`job ${n} failed`));
    return roll < 0.5 ? n : Promise.resolve(n);
  },
  minWorkers: 1,
  maxWorkers: 8,
  queueCap: 100,
  scaleIntervalMs: 100,
  errThreshold: 0,
  onFailure: () => void hooked++,
});

// Each job id is marked once: 1 in a result, 2 when handed back. A Uint8Array keeps this off the heap.
const seen = new Uint8Array(TOTAL + 1);
let results = 0;
let ok = 0;
let failed = 0;
let duplicates = 0;
const heapAt: number[] = [];
pipeline.results$.subscribe((r) => {
  if (seen[r.jobId] !== 0) duplicates++;
  seen[r.jobId] = 1;
  results++;
  if (r.ok) ok++;
  else failed++;
  if (CHECKPOINTS.includes(results)) heapAt.push(settledHeap());
  if (results === STOP_AT) void pipeline.shutdown();
});

const startedAt = performance.now();
const summary = await pipeline.run();
const durationMs = performance.now() - startedAt;
clearInterval(sampler);
const heapEnd = settledHeap();

// --- the invariant -----------------------------------------------------------------------------
let overlap = 0;
for (const job of summary.abandonedJobs) {
  if (seen[job.jobId] !== 0) overlap++;
  seen[job.jobId] = 2;
}
let missing = 0;
for (let id = 1; id <= summary.produced; id++) if (seen[id] === 0) missing++;
let beyond = 0;
for (let id = summary.produced + 1; id <= TOTAL; id++) if (seen[id] !== 0) beyond++;

const sum = summary.succeeded + summary.errors + summary.abandoned + summary.dropped;
const heapWarm = heapAt[0] ?? NaN;
const growth = heapEnd - heapWarm;

const checks: [string, boolean][] = [
  ['produced = succeeded + failed + abandoned + dropped', sum === summary.produced],
  ['the source gave exactly `produced` items', pulled === summary.produced],
  ['one result per processed job, none twice', results === summary.processed && duplicates === 0],
  ['results agree with the summary', ok === summary.succeeded && failed === summary.errors],
  ['every job id 1..produced ends once', missing === 0 && overlap === 0 && beyond === 0],
  ['onFailure saw every failure', hooked === summary.errors],
  ['stopped by the shutdown near the end', summary.reason === 'shutdown'],
  [`heap flat after warm-up (< ${mb(FLAT_LIMIT_BYTES)})`, growth < FLAT_LIMIT_BYTES],
  [`done within ${TIME_LIMIT_MS / 1000} s`, durationMs < TIME_LIMIT_MS],
];

// --- report ------------------------------------------------------------------------------------
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
const n = (v: number) => v.toLocaleString('en-US');
const row = (label: string, value: string, note = '') =>
  console.log(`  ${label.padEnd(36)}${value.padStart(14)}  ${note}`);

console.log(
  `\ndynpipe soak: ${n(TOTAL)} jobs, ~${FAILURE_RATE * 100}% failing, errThreshold 0, ` +
    `shutdown() at ${n(STOP_AT)} results\n`,
);
row('reason', summary.reason);
row('produced', n(summary.produced), `(the source gave ${n(pulled)})`);
row('succeeded', n(summary.succeeded));
row('failed', n(summary.errors), `(onFailure: ${n(hooked)})`);
row('abandoned', n(summary.abandoned), '(handed back at shutdown)');
row('dropped', n(summary.dropped));
row('sum of the four', n(sum), '(must equal produced)');
row(
  'results seen',
  n(results),
  `(twice: ${duplicates}, missing: ${missing}, also abandoned: ${overlap})`,
);
row('peak workers / peak depth', `${summary.peakWorkers} / ${summary.peakDepth}`);
row(
  'time',
  `${(durationMs / 1000).toFixed(2)} s`,
  `(${n(Math.round(summary.processed / (durationMs / 1000)))} jobs/s)`,
);
CHECKPOINTS.forEach((at, i) =>
  row(
    `heap after gc at ${n(at)}`,
    heapAt[i] === undefined ? '-' : mb(heapAt[i]!),
    i === 0 ? '(warm-up)' : '',
  ),
);
row('heap after gc at the end', mb(heapEnd));
row('heap growth after warm-up', `${growth >= 0 ? '+' : ''}${mb(growth)}`);
row(
  'peak heap / peak RSS',
  `${mb(peakHeap)} / ${mb(peakRss)}`,
  `(${samples} samples, every ${SAMPLE_MS} ms)`,
);
console.log('');
for (const [label, pass] of checks) console.log(`  ${pass ? 'ok  ' : 'FAIL'}  ${label}`);
const passed = checks.every(([, pass]) => pass);
console.log(`\n${passed ? 'PASS' : 'FAIL'}`);
process.exitCode = passed ? 0 : 1;
