// Runs every example as a real child process, briefly, one after the other, and checks that it
// exits by itself with code 0 and prints what it should. Real time and real processes: each run
// is bounded by a hard timeout and killed when it overruns.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HARD_TIMEOUT_MS = 20_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Called with the whole stdout so far, each time more arrives. */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

/** `node --import tsx examples/<name>.ts ...args`, killed after {@link HARD_TIMEOUT_MS}. */
function runExample(name: string, args: string[], options: RunOptions = {}): Promise<Run> {
  // Without DEBUG, so that a developer's `DEBUG=dynpipe:*` does not change what the examples print.
  const { DEBUG: _debug, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `examples/${name}.ts ${args.join(' ')} did not exit within ${HARD_TIMEOUT_MS} ms\n` +
            `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
        ),
      );
    }, HARD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const show = (run: Run) => `\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
const STACK_FRAME = /^\s+at .+[(:]/m;

/** Exit code 0, nothing on stderr that looks like a stack trace. */
function expectSuccess(run: Run): void {
  expect(run.code, `exit code${show(run)}`).to.equal(0);
  expect(run.stderr, `stderr${show(run)}`).not.to.match(STACK_FRAME);
}

/** A user mistake: exit code 2 and a one-line `error:` message, no stack trace. */
function expectUsageError(run: Run, message: RegExp): void {
  expect(run.code, `exit code${show(run)}`).to.equal(2);
  expect(run.stderr).to.match(/^error: /);
  expect(run.stderr).to.match(message);
  expect(run.stderr).not.to.match(STACK_FRAME);
}

/** The number after `name=` in the first line that has it. */
function field(text: string, name: string): number {
  const match = new RegExp(`\\b${name}=(\\d+)`).exec(text);
  expect(match, `${name}= in:\n${text}`).to.not.equal(null);
  return Number(match![1]);
}

function lineWith(text: string, prefix: string): string {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  expect(line, `a line starting with "${prefix}" in:\n${text}`).to.be.a('string');
  return line!;
}

describe('examples (real child processes)', function () {
  this.timeout(HARD_TIMEOUT_MS + 5_000);

  describe('demo', () => {
    it('runs the demo workload for a given duration and prints a summary', async () => {
      const run = await runExample('demo', ['--duration', '3s', '--seed', '1']);
      expectSuccess(run);
      expect(run.stdout).to.include('worker 1 started');
      const summary = lineWith(run.stdout, 'summary:');
      expect(summary).to.include('reason=shutdown');
      expect(field(summary, 'processed')).to.be.greaterThan(0);
    });

    it('shuts down gracefully on SIGINT', async () => {
      let sent = false;
      const run = await runExample('demo', ['--seed', '2'], {
        onStdout(stdout, child) {
          if (!sent && stdout.includes('worker 1 started')) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 1_500);
          }
        },
      });
      expectSuccess(run);
      expect(run.stdout).to.include('SIGINT: shutting down');
      expect(lineWith(run.stdout, 'summary:')).to.include('reason=shutdown');
    });

    it('reports a bad flag in one line, without a stack trace', async () => {
      expectUsageError(await runExample('demo', ['--duration', 'soon']), /--duration/);
    });
  });

  it('file-lines: reads a generated file with flat memory', async () => {
    const run = await runExample('file-lines', ['--lines', '20000']);
    expectSuccess(run);
    const done = lineWith(run.stdout, 'done:');
    expect(done).to.include('reason=completed lines=20000 ok=20000 errors=0');
    expect(done).to.match(/\d+ lines\/s/);
    expect(lineWith(run.stdout, 'memory:')).to.match(/peak heap [\d.]+ MB, peak rss [\d.]+ MB/);
  });

  describe('hash-files', () => {
    it('hashes files under node_modules and reports the bytes', async () => {
      const run = await runExample('hash-files', ['--limit', '200']);
      expectSuccess(run);
      const done = lineWith(run.stdout, 'done:');
      expect(done).to.include('reason=completed files=200 errors=0');
      expect(field(done, 'bytes')).to.be.greaterThan(0);
      expect(run.stdout).to.match(/largest: .+ sha256=[0-9a-f]{64}/);
    });

    it('reports a missing directory without a stack trace', async () => {
      const missing = join(tmpdir(), 'dynpipe-no-such-dir');
      expectUsageError(await runExample('hash-files', [missing]), /cannot read .*ENOENT/);
    });
  });

  it('http: scales up while the service is slow, times requests out, closes the server', async () => {
    const run = await runExample('http', ['--requests', '120']);
    expectSuccess(run);
    const done = lineWith(run.stdout, 'done:');
    expect(done).to.include('reason=completed requests=120');
    expect(field(done, 'ok')).to.be.greaterThan(0);
    expect(field(done, 'peakWorkers')).to.be.greaterThan(1);
    expect(run.stdout).to.include('scale up:');
    expect(run.stdout).to.match(/^server: answered=\d+ dropped after client abort=\d+/m);
  });

  describe('graceful-shutdown', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dynpipe-examples-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('saves the unstarted jobs on --stop-after, and a rerun picks them up', async function () {
      this.timeout(2 * HARD_TIMEOUT_MS + 5_000);
      const pending = join(dir, 'pending.json');
      const args = ['--jobs', '100', '--stop-after', '600', '--pending', pending];
      const first = await runExample('graceful-shutdown', args);
      expectSuccess(first);
      expect(lineWith(first.stdout, 'summary:')).to.include('reason=shutdown');
      expect(field(lineWith(first.stdout, 'summary:'), 'abandoned')).to.be.greaterThan(0);
      expect(existsSync(pending), `${pending} exists${show(first)}`).to.equal(true);
      const { jobs } = JSON.parse(await readFile(pending, 'utf8')) as { jobs: { id: number }[] };
      expect(jobs.length).to.be.greaterThan(0);
      const done = field(lineWith(first.stdout, 'summary:'), 'succeeded');
      expect(done + jobs.length, 'every job done or pending').to.equal(100);

      const second = await runExample('graceful-shutdown', ['--pending', pending]);
      expectSuccess(second);
      expect(second.stdout).to.include(`resuming ${jobs.length} pending jobs from ${pending}`);
      const summary = lineWith(second.stdout, 'summary:');
      expect(summary).to.include('reason=completed');
      expect(field(summary, 'succeeded')).to.equal(jobs.length);
      expect(existsSync(pending), 'the pending file is removed').to.equal(false);
    });

    it('with --drain, finishes the queued jobs and saves only those never taken', async () => {
      const pending = join(dir, 'pending.json');
      const args = ['--jobs', '100', '--stop-after', '300', '--drain', '--pending', pending];
      const run = await runExample('graceful-shutdown', args);
      expectSuccess(run);
      const summary = lineWith(run.stdout, 'summary:');
      expect(summary).to.include('abandoned=0');
      const notTaken = field(summary, 'notTaken');
      expect(notTaken).to.be.greaterThan(0);
      const { jobs } = JSON.parse(await readFile(pending, 'utf8')) as { jobs: unknown[] };
      expect(jobs).to.have.length(notTaken);
    });
  });

  it('metrics: serves dynpipe_ metrics at the URL it prints', async () => {
    let scrape: Promise<string> | undefined;
    const run = await runExample('metrics', ['--port', '0', '--duration', '3s'], {
      onStdout(stdout) {
        const url = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout)?.[1];
        if (url && !scrape) {
          scrape = fetch(url).then(
            (res) => res.text(),
            (error: unknown) => `scraping ${url} failed: ${String(error)}`,
          );
        }
      },
    });
    expectSuccess(run);
    expect(scrape, `a metrics URL in the output${show(run)}`).to.not.equal(undefined);
    const body = await scrape!;
    for (const name of [
      'dynpipe_workers',
      'dynpipe_queue_depth',
      'dynpipe_jobs_in_flight',
      'dynpipe_job_results_total',
      'dynpipe_job_duration_seconds_bucket',
    ]) {
      expect(body).to.include(name);
    }
    expect(lineWith(run.stdout, 'stopped:')).to.include('reason=shutdown');
  });
});
