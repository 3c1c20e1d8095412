import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { flagDefaults } from '../../lib/cli/flags.js';
import { repeatedSignalMs } from '../../lib/cli/runDemo.js';
import { runAll, runCli, startCli, type CliExit } from './spawnCli.js';

/*
 * The real command, spawned: `node --import tsx lib/cli/main.ts ...`. Each run is short (a fast
 * producer, 5 ms jobs, a 100 ms supervisor tick) and killed outright if it outlives its timeout.
 */

/** A quick, failure-free run; specs that want failures or other values add flags after these. */
const fast = [
  '-scale-interval=100ms',
  '-producer-rate=200',
  '-process-ms=5',
  '-jitter-ms=2',
  '-error-rate=0',
  '-demo=false', // a steady rate: the demo profile is calm (a tenth of the rate) most of the time
];

const hint = "Run 'dynpipe -help' for usage.";
const stackLine = /^\s+at /m;

const startupOf = (exit: CliExit): string => {
  const line = exit.lines.find((l) => l.includes('[main] starting: '));
  expect(line, `a startup line in:\n${exit.stdout}`).to.be.a('string');
  return line!;
};

/** Asserts that some stdout line matches `pattern`. */
function expectLine(exit: CliExit, pattern: RegExp): void {
  expect(
    exit.lines.some((line) => pattern.test(line)),
    `a line matching ${pattern} in:\n${exit.stdout}\n${exit.stderr}`,
  ).to.equal(true);
}

const summaryOf = (exit: CliExit): string => {
  const last = exit.lines.at(-1) ?? '';
  expect(last, `the last line of:\n${exit.stdout}\n${exit.stderr}`).to.match(
    /\[main\] shutdown complete: /,
  );
  return last;
};

/** The counts of a text summary line. */
function countsOf(summary: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, key, value] of summary.matchAll(/(\w+)=(\d+)\b/g)) counts[key!] = Number(value);
  return counts;
}

/** The collector lines: job id and outcome, in the order written. */
function jobsOf(exit: CliExit): { id: number; ok: boolean }[] {
  const jobs: { id: number; ok: boolean }[] = [];
  for (const line of exit.lines) {
    const match = /\[collector\] job (\d+) by worker \d+ (OK|FAILED)/.exec(line);
    if (match) jobs.push({ id: Number(match[1]), ok: match[2] === 'OK' });
  }
  return jobs;
}

describe('dynpipe (the command)', function () {
  this.timeout(15_000);

  describe('flags', () => {
    it('reads -name=value, -name value, --name=value, --name value and bare booleans', async () => {
      const [a, b] = await runAll([
        [
          ...fast,
          '-max-workers=3',
          '-queue-cap',
          '50',
          '--scale-interval=150ms',
          '--producer-rate',
          '150',
          '-demo=false',
          '-duration=200ms',
        ],
        [
          ...fast,
          '--max-workers=4',
          '--queue-cap',
          '60',
          '-low-water',
          '5',
          '-demo',
          '--seed=7',
          '--duration',
          '200ms',
        ],
      ]);
      expect(a!.code, a!.stderr).to.equal(0);
      expect(startupOf(a!)).to.include(
        'max-workers=3 queue-cap=50 high-water=35 low-water=10 scale-interval=150ms producer-rate=150',
      );
      expect(startupOf(a!)).to.include(' demo=false ').and.include(' duration=200ms ');
      expect(b!.code, b!.stderr).to.equal(0);
      expect(startupOf(b!)).to.include('max-workers=4 queue-cap=60 high-water=42 low-water=5 ');
      expect(startupOf(b!)).to.include(' demo=true ').and.include(' seed=7 ');
    });

    it('prints a seed in the startup line when none is given, so the run can be repeated', async () => {
      const exit = await runCli([...fast, '-duration=100ms']);
      expect(startupOf(exit)).to.match(/ seed=\d+ /);
    });
  });

  describe('bad flags', () => {
    const cases: { name: string; argv: string[]; problems: string[] }[] = [
      {
        name: 'an unknown flag',
        argv: ['-foo'],
        problems: ['flag provided but not defined: -foo'],
      },
      {
        name: 'a bad number',
        argv: ['-max-workers=abc'],
        problems: ['invalid value "abc" for flag -max-workers: expected an integer >= 1'],
      },
      {
        name: 'a bad duration',
        argv: ['-scale-interval', '5'],
        problems: [
          'invalid value "5" for flag -scale-interval: expected a duration such as 500ms, 2s or 1m30s',
        ],
      },
      {
        name: '-min-workers above -max-workers',
        argv: ['-min-workers=5', '-max-workers=2'],
        problems: ['Expected `-min-workers` to be <= `-max-workers` (`2`), got `5`'],
      },
      {
        name: '-low-water not below -high-water',
        argv: ['-low-water=40', '-high-water=40'],
        problems: ['Expected `-low-water` to be < `-high-water` (`40`), got `40`'],
      },
      {
        name: '-high-water above -queue-cap',
        argv: ['-queue-cap=50', '-high-water=60'],
        problems: ['Expected `-high-water` to be <= `-queue-cap` (`50`), got `60`'],
      },
      {
        name: 'an error rate above 1',
        argv: ['-error-rate=1.5'],
        problems: ['Expected `-error-rate` to be a number from 0 to 1, got `1.5`'],
      },
      {
        name: 'an error rate below 0',
        argv: ['--error-rate', '-0.1'],
        problems: ['Expected `-error-rate` to be a number from 0 to 1, got `-0.1`'],
      },
      {
        name: 'several problems at once',
        argv: ['-foo', '-max-workers=abc', '-duration=soon', '-error-rate=2'],
        problems: [
          'flag provided but not defined: -foo',
          'invalid value "abc" for flag -max-workers: expected an integer >= 1',
          'Expected `-error-rate` to be a number from 0 to 1, got `2`',
          'invalid value "soon" for flag -duration: expected a duration such as 500ms, 2s or 1m30s',
        ],
      },
    ];
    let exits: CliExit[] = [];

    before(async function () {
      this.timeout(20_000);
      exits = await runAll(
        cases.map((c) => c.argv),
        { concurrency: 3 },
      );
    });

    cases.forEach((c, i) => {
      it(`exits 2 on ${c.name}, printing every problem and the hint, and no stack trace`, () => {
        const exit = exits[i]!;
        expect(exit.code).to.equal(2);
        expect(exit.stderr).to.equal(`${[...c.problems, hint].join('\n')}\n`);
        expect(exit.stderr).not.to.match(stackLine);
        expect(exit.stdout).to.equal('');
      });
    });
  });

  describe('stopping', () => {
    it('shuts down gracefully on SIGINT and on SIGTERM, printing the summary, exit 0', async () => {
      const stopWith = async (signal: NodeJS.Signals): Promise<CliExit> => {
        const run = startCli(fast);
        await run.waitForLine(/\[collector\] job \d+ by worker \d+ OK/);
        run.child.kill(signal);
        return run.exit;
      };
      const exits = await Promise.all([stopWith('SIGINT'), stopWith('SIGTERM')]);
      for (const [signal, exit] of [
        ['SIGINT', exits[0]!],
        ['SIGTERM', exits[1]!],
      ] as const) {
        expect(exit.code, `${signal}: ${exit.stderr}`).to.equal(0);
        expectLine(
          exit,
          new RegExp(
            `\\[main\\] received ${signal}, shutting down gracefully \\(press Ctrl\\+C again to abort in-flight jobs\\)$`,
          ),
        );
        const counts = countsOf(summaryOf(exit));
        expect(summaryOf(exit)).to.include('reason=shutdown');
        expect(counts.produced).to.equal(counts.processed! + counts.abandoned! + counts.dropped!);
        expect(exit.stderr).to.equal('');
      }
    });

    it('aborts the jobs in flight on a second signal, still prints the summary, exit 130', async () => {
      const abortWith = async (first: NodeJS.Signals, second: NodeJS.Signals) => {
        const run = startCli([
          '-process-ms=5000',
          '-jitter-ms=0',
          '-producer-rate=50',
          '-demo=false',
          '-scale-interval=100ms',
          '-error-rate=0',
        ]);
        await run.waitForLine(/\[info\] worker 1 started/);
        await delay(200); // job 1 is due after 20 ms: let it start
        const signalledAt = Date.now();
        run.child.kill(first);
        await run.waitForLine(/\[info\] shutdown requested: /);
        // Past the window in which a repeat counts as the same signal delivered twice.
        await delay(repeatedSignalMs + 100);
        run.child.kill(second);
        const exit = await run.exit;
        return { exit, tookMs: Date.now() - signalledAt };
      };
      const runs = await Promise.all([
        abortWith('SIGINT', 'SIGINT'),
        abortWith('SIGTERM', 'SIGTERM'),
      ]);
      for (const [{ exit, tookMs }, signal] of runs.map(
        (r, i) => [r, i === 0 ? 'SIGINT' : 'SIGTERM'] as const,
      )) {
        expect(exit.code, `${signal}: ${exit.stderr}`).to.equal(130);
        expect(tookMs, 'it did not wait for the 5 s job').to.be.below(4000);
        expectLine(
          exit,
          new RegExp(`\\[main\\] received ${signal} during shutdown, aborting in-flight jobs$`),
        );
        expectLine(exit, /\[warn\] shutdown deadline exceeded: aborted=1$/);
        expectLine(exit, /\[collector\] job 1 by worker 1 FAILED .*aborted/);
        expect(summaryOf(exit)).to.match(/processed=1 errors=1 /);
        expect(exit.stderr).to.equal('');
      }
    });

    it('takes a repeat right after the first signal as the same signal, not a second one', async () => {
      const run = startCli([...fast, '-process-ms=600', '-jitter-ms=0']);
      await run.waitForLine(/\[info\] worker 1 started/);
      await delay(100); // job 1 is due after 5 ms: let it start
      run.child.kill('SIGINT');
      await run.waitForLine(/\[main\] received SIGINT, shutting down gracefully/);
      run.child.kill('SIGINT'); // as `timeout -s INT` or npm would relay it
      const exit = await run.exit;
      expect(exit.code, exit.stderr).to.equal(0);
      expect(exit.stdout).not.to.include('aborting in-flight jobs');
      expect(summaryOf(exit)).to.match(/processed=1 errors=0 /);
    });

    it('shuts itself down when the error window trips, with the warn line, exit 1', async () => {
      const exit = await runCli([...fast, '-error-rate=1', '-err-threshold=5']);
      expect(exit.code, exit.stderr).to.equal(1);
      expectLine(exit, /\[warn\] error rate threshold exceeded -> triggering auto-shutdown$/);
      expect(summaryOf(exit)).to.include('reason=error-rate');
      expect(countsOf(summaryOf(exit)).errors).to.be.at.least(5);
      expect(exit.stderr).to.equal('');
    });

    it('stops by itself when stdout is closed, without a stack trace', async () => {
      const run = startCli(fast);
      await run.waitForLine(/\[collector\] job \d+/);
      run.child.stdout!.destroy();
      const exit = await run.exit;
      expect(exit.code).to.equal(1);
      expect(exit.stderr).to.equal('');
    });
  });

  describe('a -duration run with -seed', () => {
    const argv = [...fast, '-error-rate=0.2', '-err-threshold=0', '-duration=1s', '-seed=42'];
    let exits: CliExit[] = [];

    before(async function () {
      this.timeout(15_000);
      exits = await runAll([argv, argv]);
    });

    it('stops after the duration with exit 0', () => {
      for (const exit of exits) {
        expect(exit.code, exit.stderr).to.equal(0);
        expectLine(exit, /\[main\] duration 1s elapsed, shutting down gracefully$/);
      }
    });

    it('logs every job once, and the summary counts the lines', () => {
      for (const exit of exits) {
        const jobs = jobsOf(exit);
        const ids = jobs.map((j) => j.id);
        expect(new Set(ids).size, 'job ids are unique').to.equal(ids.length);
        const failed = jobs.filter((j) => !j.ok).length;
        expect(failed, 'some jobs fail at -error-rate=0.2').to.be.above(0);
        const counts = countsOf(summaryOf(exit));
        expect(counts.processed).to.equal(jobs.length);
        expect(counts.errors).to.equal(failed);
        expect(counts.produced).to.equal(counts.processed! + counts.abandoned! + counts.dropped!);
      }
    });

    it('gives every job the same outcome in both runs', () => {
      const [first, second] = exits.map((exit) => new Map(jobsOf(exit).map((j) => [j.id, j.ok])));
      let compared = 0;
      for (const [id, ok] of first!) {
        if (!second!.has(id)) continue;
        expect(second!.get(id), `job ${id}`).to.equal(ok);
        compared++;
      }
      expect(compared).to.be.above(50);
    });
  });

  describe('-log-format=json', () => {
    it('writes every line as a JSON object, the main lines included', async () => {
      const run = startCli([...fast, '-error-rate=0.3', '-err-threshold=0', '-log-format=json']);
      await run.waitForLine(/"tag":"collector"/);
      run.child.kill('SIGINT');
      const exit = await run.exit;
      expect(exit.code, exit.stderr).to.equal(0);
      const records = exit.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const record of records) {
        expect(record).to.include.keys('time', 'level', 'tag', 'msg');
      }
      const tags = new Set(records.map((r) => r.tag));
      expect([...tags]).to.include.members(['main', 'info', 'collector']);
      expect(records[0]).to.include({ tag: 'main', producerRate: 200, logFormat: 'json' });
      expect(records.some((r) => r.tag === 'main' && r.signal === 'SIGINT')).to.equal(true);
      expect(records.at(-1)).to.include({ tag: 'main', reason: 'shutdown' });
    });
  });

  describe('-help and -version', () => {
    it('prints the usage with every flag, and the package version, exit 0', async () => {
      const [help, version] = await runAll([['-help'], ['--version']]);
      expect(help!.code).to.equal(0);
      expect(help!.stderr).to.equal('');
      for (const flag of flagDefaults) {
        expect(help!.stdout).to.match(new RegExp(`^  -${flag.name}\\b`, 'm'));
      }
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
      expect(version!.code).to.equal(0);
      expect(version!.stdout).to.equal(`${(pkg as { version: string }).version}\n`);
    });

    it('answers -h even next to a bad flag', async () => {
      const exit = await runCli(['-h', '-foo']);
      expect(exit.code).to.equal(0);
      expect(exit.stdout).to.match(/^Usage: dynpipe/);
    });
  });
});
