// Ctrl+C without losing work. A batch of jobs runs through the pipeline; on the first Ctrl+C (or
// SIGTERM) it shuts down gracefully: running jobs finish, and the jobs that never started are
// written to a file: both those the pipeline hands back (`summary.abandonedJobs`, taken from the list
// but still queued) and those it never took. Run it again and it resumes from that file.
//
//   npx tsx examples/graceful-shutdown.ts              # press Ctrl+C after a second or two
//   npx tsx examples/graceful-shutdown.ts              # ...picks up .tmp/pending-jobs.json
//   npx tsx examples/graceful-shutdown.ts --drain      # Ctrl+C finishes the queued jobs first
//   npx tsx examples/graceful-shutdown.ts --stop-after 1500 --pending /tmp/p.json --jobs 200
//
// `--stop-after <ms>` calls the same shutdown as the signal does (for scripts and specs). With
// `--drain` a second Ctrl+C turns draining off (a later shutdown() may only make it stricter).
//
// This file imports the package's source; installed users write `from 'dynpipe'`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createPipeline, simulatedWork } from '../lib/index.js';
import { fail, intOption, readArgs } from './support/args.js';

const usage =
  'usage: npx tsx examples/graceful-shutdown.ts [--jobs <n>] [--drain] [--stop-after <ms>]' +
  ' [--pending <file>]';
const { values } = readArgs(usage, {
  jobs: { type: 'string' },
  drain: { type: 'boolean', default: false },
  'stop-after': { type: 'string' },
  pending: { type: 'string', default: '.tmp/pending-jobs.json' },
});
const jobCount = intOption(usage, '--jobs', values.jobs, { min: 1 }) ?? 500;
const stopAfterMs = values['stop-after'] === undefined ? undefined : Number(values['stop-after']);
if (stopAfterMs !== undefined && !(Number.isFinite(stopAfterMs) && stopAfterMs >= 0)) {
  fail(usage, `--stop-after must be a number of milliseconds >= 0, got "${values['stop-after']}"`);
}
const pendingFile = values.pending;
const drain = values.drain;

interface ReportJob {
  id: number;
  name: string;
}

/** The jobs left by an interrupted run, or undefined when there is no file. */
async function loadPending(path: string): Promise<ReportJob[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    fail(usage, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const { jobs } = JSON.parse(text) as { jobs: unknown };
    if (
      Array.isArray(jobs) &&
      jobs.every(
        (j: Partial<ReportJob> | null) => Number.isInteger(j?.id) && typeof j?.name === 'string',
      )
    ) {
      return jobs as ReportJob[];
    }
  } catch {
    // reported below
  }
  fail(usage, `${path} is not a pending-jobs file (expected {"jobs": [{"id": 1, "name": "..."}]})`);
}

const resumed = await loadPending(pendingFile);
const jobs: ReportJob[] =
  resumed ??
  Array.from({ length: jobCount }, (_, i) => ({
    id: i + 1,
    name: `report-${String(i + 1).padStart(4, '0')}`,
  }));
if (resumed) {
  console.log(`resuming ${resumed.length} pending jobs from ${pendingFile}`);
} else {
  console.log(`starting a batch of ${jobs.length} jobs`);
}

// The source: the list, read through a cursor, so that whatever the pipeline never took is known.
let cursor = 0;
function* fromList(): Generator<ReportJob> {
  while (cursor < jobs.length) yield jobs[cursor++]!;
}

const pipeline = createPipeline({
  source: fromList(),
  // Stands in for real work (rendering a report, calling an API): 100 ± 50 ms each.
  process: simulatedWork<ReportJob>({ processMs: 100, jitterMs: 50 }),
  minWorkers: 2,
  maxWorkers: 8,
  queueCap: 50,
  scaleIntervalMs: 500,
});

const failed: ReportJob[] = [];
pipeline.results$.subscribe((r) => {
  if (!r.ok) failed.push(r.payload); // kept for the next run too
});
const startedAt = Date.now();
const stamp = () => `[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(4)}s]`;
pipeline.events$.subscribe((e) => {
  if (e.type === 'shutdown-requested') {
    console.log(`${stamp()} shutdown requested: reason=${e.reason} drain=${e.drain}`);
  } else if (e.type === 'worker-stopping' && e.busy) {
    console.log(`${stamp()} worker ${e.workerId} finishing its current job`);
  }
});
const progress = setInterval(() => {
  const s = pipeline.stats();
  console.log(
    `${stamp()} done=${s.processed} running=${s.inFlight} queued=${s.queued} workers=${s.workers}`,
  );
}, 1_000);

// The first request stops gracefully; with --drain a second one stops draining; a third exits now.
let requests = 0;
function requestStop(why: string): void {
  requests++;
  if (requests === 1) {
    console.log(
      `${stamp()} ${why}: ${drain ? 'finishing queued jobs, then stopping' : 'stopping'}`,
    );
    void pipeline.shutdown({ drain });
  } else if (requests === 2 && drain) {
    console.log(`${stamp()} ${why} again: not draining any more, saving the queued jobs`);
    void pipeline.shutdown({ drain: false });
  } else {
    console.log(`${stamp()} ${why} again: exiting now, the queued jobs are not saved`);
    process.exit(130);
  }
}
const onSignal = (signal: NodeJS.Signals) => requestStop(signal);
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const stopTimer =
  stopAfterMs === undefined
    ? undefined
    : setTimeout(() => requestStop(`--stop-after ${stopAfterMs}`), stopAfterMs);

const summary = await pipeline.run();
clearTimeout(stopTimer);
clearInterval(progress);
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);

const handedBack = summary.abandonedJobs.map((a) => a.payload);
const neverTaken = jobs.slice(cursor);
const left = [...failed, ...handedBack, ...neverTaken].sort((a, b) => a.id - b.id);
console.log(
  `summary: reason=${summary.reason} succeeded=${summary.succeeded} failed=${summary.errors}` +
    ` abandoned=${summary.abandoned} notTaken=${neverTaken.length} in ${(summary.durationMs / 1000).toFixed(1)}s`,
);
// Every job is accounted for: done, or saved for the next run.
console.log(`accounted: ${summary.succeeded} done + ${left.length} pending = ${jobs.length} jobs`);

// The file is replaced (or removed) only now, so that a crash mid-run still leaves it in place.
if (left.length > 0) {
  await mkdir(dirname(pendingFile), { recursive: true });
  await writeFile(pendingFile, JSON.stringify({ savedAt: new Date().toISOString(), jobs: left }));
  console.log(
    `saved ${left.length} pending jobs to ${pendingFile} (${handedBack.length} handed back by` +
      ` the pipeline, ${neverTaken.length} never taken, ${failed.length} failed); run again to resume`,
  );
} else {
  await rm(pendingFile, { force: true });
  console.log(`all jobs done${resumed ? `; removed ${pendingFile}` : ''}`);
}

/*
 * What it prints (a real run, lib as of this writing; times and counts vary):
 *
 * $ npx tsx examples/graceful-shutdown.ts        # Ctrl+C after 2 s
 * starting a batch of 500 jobs
 * [ 1.0s] done=25 running=3 queued=50 workers=3
 * [ 2.0s] done=69 running=5 queued=50 workers=5
 * ^C
 * [ 2.0s] SIGINT: stopping
 * [ 2.0s] shutdown requested: reason=shutdown drain=false
 * [ 2.0s] worker 1 finishing its current job
 * [ 2.0s] worker 2 finishing its current job
 * [ 2.0s] worker 3 finishing its current job
 * [ 2.0s] worker 4 finishing its current job
 * [ 2.0s] worker 5 finishing its current job
 * [ 2.0s] worker 6 finishing its current job
 * summary: reason=shutdown succeeded=78 failed=0 abandoned=50 notTaken=372 in 2.1s
 * accounted: 78 done + 422 pending = 500 jobs
 * saved 422 pending jobs to .tmp/pending-jobs.json (50 handed back by the pipeline, 372 never taken, 0 failed); run again to resume
 *
 * $ npx tsx examples/graceful-shutdown.ts        # again: resumes
 * resuming 422 pending jobs from .tmp/pending-jobs.json
 * [ 1.0s] done=22 running=3 queued=50 workers=3
 * [ 2.0s] done=67 running=5 queued=50 workers=5
 * [ 3.0s] done=134 running=7 queued=50 workers=7
 * [ 4.0s] done=210 running=8 queued=50 workers=8
 * [ 5.0s] done=295 running=8 queued=50 workers=8
 * [ 6.0s] done=374 running=8 queued=40 workers=8
 * [ 6.5s] worker 8 finishing its current job
 * summary: reason=completed succeeded=422 failed=0 abandoned=0 notTaken=0 in 6.6s
 * accounted: 422 done + 0 pending = 422 jobs
 * all jobs done; removed .tmp/pending-jobs.json
 *
 * $ npx tsx examples/graceful-shutdown.ts --jobs 200 --stop-after 1000 --drain --pending /tmp/p.json
 * starting a batch of 200 jobs
 * [ 1.0s] done=25 running=3 queued=50 workers=3
 * [ 1.0s] --stop-after 1000: finishing queued jobs, then stopping
 * [ 1.0s] shutdown requested: reason=shutdown drain=true
 * [ 2.0s] done=55 running=3 queued=20 workers=3
 * summary: reason=shutdown succeeded=78 failed=0 abandoned=0 notTaken=122 in 2.8s
 * accounted: 78 done + 122 pending = 200 jobs
 * saved 122 pending jobs to /tmp/p.json (0 handed back by the pipeline, 122 never taken, 0 failed); run again to resume
 */
