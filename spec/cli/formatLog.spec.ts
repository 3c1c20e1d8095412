import { expect } from 'chai';
import { createLogFormatter, formatTimestamp } from '../../lib/cli/formatLog.js';
import type { JobResult } from '../../lib/JobResult.js';
import type { PipelineEvent } from '../../lib/PipelineEvent.js';
import type { PipelineSummary } from '../../lib/PipelineSummary.js';

/** A local time on 2025-08-21, so that the expected text does not depend on the machine's zone. */
const at = (h: number, m: number, s: number, ms: number) =>
  new Date(2025, 7, 21, h, m, s, ms).getTime();

const summary: PipelineSummary = {
  reason: 'error-rate',
  produced: 1033,
  processed: 913,
  succeeded: 796,
  errors: 117,
  abandoned: 3,
  dropped: 0,
  abandonedJobs: [],
  peakWorkers: 8,
  peakDepth: 100,
  startedAt: at(12, 0, 0, 0),
  finishedAt: at(12, 0, 21, 2),
  durationMs: 21_002,
};

function success(overrides: Partial<JobResult<string>> = {}): JobResult<string> {
  return {
    ok: true,
    value: 'done',
    jobId: 42,
    workerId: 1,
    attempt: 1,
    payload: 'p',
    queuedAt: at(12, 0, 4, 900),
    startedAt: at(12, 0, 4, 922),
    finishedAt: at(12, 0, 5, 4),
    ...overrides,
  } as JobResult<string>;
}

function failure(error: unknown, overrides: Partial<JobResult<string>> = {}): JobResult<string> {
  return {
    ok: false,
    error,
    jobId: 43,
    workerId: 2,
    attempt: 1,
    payload: 'p',
    queuedAt: at(12, 0, 5, 0),
    startedAt: at(12, 0, 5, 34),
    finishedAt: at(12, 0, 5, 105),
    ...overrides,
  } as JobResult<string>;
}

describe('formatTimestamp', () => {
  it("writes local time as Go's log with microseconds does", () => {
    expect(formatTimestamp(at(12, 0, 0, 123))).to.equal('2025/08/21 12:00:00.123000');
  });

  it('pads every field', () => {
    expect(formatTimestamp(new Date(2025, 0, 2, 3, 4, 5, 6).getTime())).to.equal(
      '2025/01/02 03:04:05.006000',
    );
    expect(formatTimestamp(new Date(2025, 11, 31, 23, 59, 59, 999).getTime())).to.equal(
      '2025/12/31 23:59:59.999000',
    );
  });
});

describe('createLogFormatter', () => {
  describe("with 'text'", () => {
    const log = createLogFormatter('text');

    it('writes the Go design lines for workers, scaling, failures and the summary', () => {
      const events: PipelineEvent[] = [
        { type: 'worker-started', at: at(12, 0, 0, 123), workerId: 1, workers: 1 },
        {
          type: 'scale',
          at: at(12, 0, 2, 124),
          direction: 'steady',
          delta: 0,
          depth: 5,
          workers: 1,
        },
        { type: 'scale', at: at(12, 0, 4, 127), direction: 'up', delta: 1, depth: 73, workers: 2 },
        {
          type: 'scale',
          at: at(12, 0, 4, 127),
          direction: 'down',
          delta: -1,
          depth: 10,
          workers: 1,
        },
        {
          type: 'error-rate-exceeded',
          at: at(12, 0, 20, 500),
          errors: 10,
          windowMs: 10_000,
          threshold: 10,
        },
        { type: 'worker-stopping', at: at(12, 0, 20, 500), workerId: 3, busy: true, workers: 2 },
        { type: 'worker-stopped', at: at(12, 0, 20, 600), workerId: 3, workers: 2 },
        { type: 'stopped', at: at(12, 0, 21, 2), summary },
      ];
      expect(events.map((e) => log.event(e))).to.deep.equal([
        '2025/08/21 12:00:00.123000 [info] worker 1 started',
        '2025/08/21 12:00:02.124000 [info] steady: queue=5 workers=1',
        '2025/08/21 12:00:04.127000 [info] scale up: queue=73 workers=2 (+1)',
        '2025/08/21 12:00:04.127000 [info] scale down: queue=10 workers=1 (-1)',
        '2025/08/21 12:00:20.500000 [warn] error rate threshold exceeded -> triggering auto-shutdown',
        '2025/08/21 12:00:20.500000 [info] worker 3 stopping (will finish current job)',
        '2025/08/21 12:00:20.600000 [info] worker 3 stopped',
        '2025/08/21 12:00:21.002000 [main] shutdown complete: processed=913 errors=117 abandoned=3 dropped=0 produced=1033 reason=error-rate duration=21.0s',
      ]);
    });

    it('writes an idle worker stopping without the note about its job', () => {
      expect(
        log.event({
          type: 'worker-stopping',
          at: at(12, 0, 20, 500),
          workerId: 3,
          busy: false,
          workers: 2,
        }),
      ).to.equal('2025/08/21 12:00:20.500000 [info] worker 3 stopping');
    });

    it('writes a success with the time from start to finish', () => {
      expect(log.result(success())).to.equal(
        '2025/08/21 12:00:05.004000 [collector] job 42 by worker 1 OK in 82ms',
      );
    });

    it("writes a failure with the time it took and the error's message", () => {
      expect(log.result(failure(new Error('simulated processing error')))).to.equal(
        '2025/08/21 12:00:05.105000 [collector] job 43 by worker 2 FAILED after 71ms: simulated processing error',
      );
    });

    it('writes a failure that is not an Error with String(error)', () => {
      expect(log.result(failure('boom'))).to.match(/FAILED after 71ms: boom$/);
      expect(log.result(failure(42))).to.match(/FAILED after 71ms: 42$/);
      expect(log.result(failure(undefined))).to.match(/FAILED after 71ms: undefined$/);
      expect(log.result(failure({ code: 7 }))).to.match(/FAILED after 71ms: \[object Object\]$/);
    });

    it('does not throw on an error that String() cannot convert', () => {
      expect(log.result(failure(Object.create(null)))).to.match(
        /FAILED after 71ms: \[object Object\]$/,
      );
    });

    it('writes long job times in Go units and notes a retried attempt', () => {
      const startedAt = at(12, 0, 3, 500);
      expect(log.result(success({ startedAt, attempt: 2 }))).to.match(
        /\[collector\] job 42 by worker 1 OK in 1\.504s \(attempt 2\)$/,
      );
    });

    it('writes the other events with info, warn and error tags', () => {
      const t = at(12, 0, 0, 0);
      const lines = (
        [
          { type: 'source-completed', at: t, produced: 1033 },
          { type: 'source-error', at: t, error: new Error('disk gone') },
          { type: 'source-error', at: t, error: 'eof' },
          { type: 'shutdown-requested', at: t, reason: 'shutdown', drain: true, deadlineMs: 5000 },
          {
            type: 'shutdown-requested',
            at: t,
            reason: 'error-rate',
            drain: false,
            deadlineMs: Infinity,
          },
          { type: 'deadline-exceeded', at: t, aborted: 2 },
          { type: 'job-dropped', at: t, jobId: 17, payload: 'x', policy: 'drop-newest' },
          {
            type: 'job-retry',
            at: t,
            jobId: 9,
            attempt: 2,
            delayMs: 100,
            error: new Error('flaky'),
          },
        ] as PipelineEvent[]
      ).map((e) => log.event(e)!.slice('2025/08/21 12:00:00.000000 '.length));
      expect(lines).to.deep.equal([
        '[info] source completed: produced=1033',
        '[error] source failed: disk gone',
        '[error] source failed: eof',
        '[info] shutdown requested: reason=shutdown drain=true deadline=5s',
        '[info] shutdown requested: reason=error-rate drain=false deadline=none',
        '[warn] shutdown deadline exceeded: aborted=2',
        '[warn] job 17 dropped: queue full (policy=drop-newest)',
        '[warn] job 9 failed, retrying in 100ms (attempt 2): flaky',
      ]);
    });

    it("adds the source's error to the summary of a source-error stop", () => {
      const line = log.event({
        type: 'stopped',
        at: at(12, 0, 21, 2),
        summary: { ...summary, reason: 'source-error', error: new Error('disk gone') },
      });
      expect(line).to.match(/reason=source-error duration=21\.0s error="disk gone"$/);
    });

    it('returns undefined for an event type it does not know', () => {
      const unknown = { type: 'from-the-future', at: at(12, 0, 0, 0) } as unknown as PipelineEvent;
      expect(log.event(unknown)).to.equal(undefined);
    });

    it('writes any other line with its tag and message, leaving the fields to JSON', () => {
      expect(log.line('main', 'received SIGINT', at(12, 0, 9, 9), { signal: 'SIGINT' })).to.equal(
        '2025/08/21 12:00:09.009000 [main] received SIGINT',
      );
    });
  });

  describe("with 'json'", () => {
    const log = createLogFormatter('json');
    const t = at(12, 0, 4, 127);
    const iso = new Date(t).toISOString();

    it('writes one JSON object per line with time, level, tag, message and the numbers', () => {
      const line = log.event({
        type: 'scale',
        at: t,
        direction: 'up',
        delta: 1,
        depth: 73,
        workers: 2,
      })!;
      expect(line).not.to.include('\n');
      expect(JSON.parse(line)).to.deep.equal({
        time: iso,
        level: 'info',
        tag: 'info',
        msg: 'scale up: queue=73 workers=2 (+1)',
        event: 'scale',
        direction: 'up',
        delta: 1,
        depth: 73,
        workers: 2,
      });
    });

    it('starts every line with time, level, tag and msg, in that order', () => {
      const line = log.event({ type: 'worker-started', at: t, workerId: 1, workers: 1 })!;
      expect(Object.keys(JSON.parse(line))).to.deep.equal([
        'time',
        'level',
        'tag',
        'msg',
        'event',
        'workerId',
        'workers',
      ]);
    });

    it('writes a warning at level warn and a source error at level error', () => {
      const warning = JSON.parse(
        log.event({
          type: 'error-rate-exceeded',
          at: t,
          errors: 10,
          windowMs: 10_000,
          threshold: 10,
        })!,
      );
      expect(warning).to.include({ level: 'warn', tag: 'warn', errors: 10, threshold: 10 });
      const error = JSON.parse(log.event({ type: 'source-error', at: t, error: 'eof' })!);
      expect(error).to.include({ level: 'error', tag: 'error', error: 'eof' });
    });

    it('writes the summary with every count', () => {
      const line = JSON.parse(log.event({ type: 'stopped', at: t, summary })!);
      expect(line).to.deep.equal({
        time: iso,
        level: 'info',
        tag: 'main',
        msg: 'shutdown complete: processed=913 errors=117 abandoned=3 dropped=0 produced=1033 reason=error-rate duration=21.0s',
        event: 'stopped',
        reason: 'error-rate',
        produced: 1033,
        processed: 913,
        succeeded: 796,
        errors: 117,
        abandoned: 3,
        dropped: 0,
        peakWorkers: 8,
        peakDepth: 100,
        durationMs: 21_002,
      });
    });

    it('writes a job result with its ids, duration and error', () => {
      expect(JSON.parse(log.result(success()))).to.deep.equal({
        time: new Date(at(12, 0, 5, 4)).toISOString(),
        level: 'info',
        tag: 'collector',
        msg: 'job 42 by worker 1 OK in 82ms',
        event: 'job-finished',
        jobId: 42,
        workerId: 1,
        attempt: 1,
        ok: true,
        durationMs: 82,
      });
      expect(JSON.parse(log.result(failure(new Error('simulated processing error'))))).to.include({
        level: 'error',
        tag: 'collector',
        msg: 'job 43 by worker 2 FAILED after 71ms: simulated processing error',
        ok: false,
        durationMs: 71,
        error: 'simulated processing error',
      });
    });

    it('writes a deadline that never passes as null', () => {
      const line = JSON.parse(
        log.event({
          type: 'shutdown-requested',
          at: t,
          reason: 'completed',
          drain: true,
          deadlineMs: Infinity,
        })!,
      );
      expect(line).to.include({ reason: 'completed', drain: true, deadlineMs: null });
    });

    it('writes a line with its fields, the level following a warn or error tag', () => {
      expect(
        JSON.parse(log.line('main', 'received SIGINT', t, { signal: 'SIGINT' })),
      ).to.deep.equal({
        time: iso,
        level: 'info',
        tag: 'main',
        msg: 'received SIGINT',
        signal: 'SIGINT',
      });
      expect(JSON.parse(log.line('warn', 'slow', t))).to.include({ level: 'warn', tag: 'warn' });
      expect(JSON.parse(log.line('error', 'bad', t))).to.include({ level: 'error' });
    });

    it('keeps its own keys when a field has the same name', () => {
      const line = JSON.parse(log.line('main', 'hello', t, { msg: 'other', time: 0, n: 1 }));
      expect(line).to.deep.equal({ time: iso, level: 'info', tag: 'main', msg: 'hello', n: 1 });
    });

    it('writes fields JSON has no form for instead of throwing', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(JSON.parse(log.line('main', 'x', t, { big: 10n, err: new Error('e') }))).to.include({
        big: '10',
        err: 'e',
      });
      expect(JSON.parse(log.line('main', 'x', t, { circular }))).to.deep.equal({
        time: iso,
        level: 'info',
        tag: 'main',
        msg: 'x',
      });
    });
  });
});
