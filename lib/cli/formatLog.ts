import type { JobResult } from '../JobResult.js';
import type { PipelineEvent } from '../PipelineEvent.js';
import type { LogFormat } from './flags.js';
import { formatDuration } from './parseDuration.js';

/** The `level` of a JSON line. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Turns what the pipeline reports into log lines (without the trailing newline). */
export interface LogFormatter {
  /** The line for one event, or `undefined` for an event type this formatter does not know. */
  event(e: PipelineEvent): string | undefined;
  /** The collector's line for one finished job, stamped with its `finishedAt`. */
  result(r: JobResult<unknown>): string;
  /** Any other line. `fields` appear in JSON only: the text form says it all in `message`. */
  line(tag: string, message: string, at: number, fields?: Record<string, unknown>): string;
}

/** One line before it is written out as text or JSON. */
interface LogRecord {
  at: number;
  level: LogLevel;
  tag: string;
  message: string;
  fields: Record<string, unknown>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `YYYY/MM/DD HH:MM:SS.micro` in local time: Go's `log` with `Lmicroseconds`. The events carry
 * `Date.now()` milliseconds, so the microseconds are those times 1000.
 *
 * @example
 * formatTimestamp(new Date(2025, 7, 21, 12, 0, 0, 123).getTime()); // "2025/08/21 12:00:00.123000"
 */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const date = `${pad(d.getFullYear(), 4)}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${date} ${time}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

/** What a failure says: an Error's message, anything else as `String` shows it. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  try {
    return String(error);
  } catch {
    // `String` throws for objects without a prototype; a log line must not.
    return Object.prototype.toString.call(error);
  }
}

/** A signed worker change as the Go design writes it: `(+1)`, `(-1)`. */
function delta(n: number): string {
  if (n === 0) return '(no change)';
  return n > 0 ? `(+${n})` : `(${n})`;
}

function describeEvent(e: PipelineEvent): LogRecord | undefined {
  const info = (message: string, fields: Record<string, unknown>): LogRecord => ({
    at: e.at,
    level: 'info',
    tag: 'info',
    message,
    fields: { event: e.type, ...fields },
  });
  const warn = (message: string, fields: Record<string, unknown>): LogRecord => ({
    ...info(message, fields),
    level: 'warn',
    tag: 'warn',
  });
  switch (e.type) {
    case 'worker-started':
      return info(`worker ${e.workerId} started`, { workerId: e.workerId, workers: e.workers });
    case 'worker-stopping':
      return info(`worker ${e.workerId} stopping${e.busy ? ' (will finish current job)' : ''}`, {
        workerId: e.workerId,
        busy: e.busy,
        workers: e.workers,
      });
    case 'worker-stopped':
      return info(`worker ${e.workerId} stopped`, { workerId: e.workerId, workers: e.workers });
    case 'scale': {
      const fields = {
        direction: e.direction,
        delta: e.delta,
        depth: e.depth,
        workers: e.workers,
      };
      if (e.direction === 'steady') {
        return info(`steady: queue=${e.depth} workers=${e.workers}`, fields);
      }
      return info(
        `scale ${e.direction}: queue=${e.depth} workers=${e.workers} ${delta(e.delta)}`,
        fields,
      );
    }
    case 'error-rate-exceeded':
      return warn('error rate threshold exceeded -> triggering auto-shutdown', {
        errors: e.errors,
        windowMs: e.windowMs,
        threshold: e.threshold,
      });
    case 'job-dropped':
      return warn(`job ${e.jobId} dropped: queue full (policy=${e.policy})`, {
        jobId: e.jobId,
        policy: e.policy,
      });
    case 'job-retry': {
      const error = describeError(e.error);
      const message = `job ${e.jobId} failed, retrying in ${formatDuration(e.delayMs)} (attempt ${e.attempt}): ${error}`;
      return warn(message, { jobId: e.jobId, attempt: e.attempt, delayMs: e.delayMs, error });
    }
    case 'source-completed':
      return info(`source completed: produced=${e.produced}`, { produced: e.produced });
    case 'source-error': {
      const error = describeError(e.error);
      return { ...info(`source failed: ${error}`, { error }), level: 'error', tag: 'error' };
    }
    case 'shutdown-requested': {
      const deadline = Number.isFinite(e.deadlineMs) ? formatDuration(e.deadlineMs) : 'none';
      return info(`shutdown requested: reason=${e.reason} drain=${e.drain} deadline=${deadline}`, {
        reason: e.reason,
        drain: e.drain,
        deadlineMs: Number.isFinite(e.deadlineMs) ? e.deadlineMs : null,
      });
    }
    case 'deadline-exceeded':
      return warn(`shutdown deadline exceeded: aborted=${e.aborted}`, { aborted: e.aborted });
    case 'stopped': {
      const s = e.summary;
      const error = s.error === undefined ? undefined : describeError(s.error);
      const message =
        `shutdown complete: processed=${s.processed} errors=${s.errors} abandoned=${s.abandoned}` +
        ` dropped=${s.dropped} produced=${s.produced} reason=${s.reason}` +
        ` duration=${(s.durationMs / 1000).toFixed(1)}s` +
        (error === undefined ? '' : ` error=${JSON.stringify(error)}`);
      return {
        ...info(message, {
          reason: s.reason,
          produced: s.produced,
          processed: s.processed,
          succeeded: s.succeeded,
          errors: s.errors,
          abandoned: s.abandoned,
          dropped: s.dropped,
          peakWorkers: s.peakWorkers,
          peakDepth: s.peakDepth,
          durationMs: s.durationMs,
          ...(error === undefined ? {} : { error }),
        }),
        tag: 'main',
      };
    }
    default:
      // A newer library may emit events this command does not know: skip them rather than crash.
      return undefined;
  }
}

function describeResult(r: JobResult<unknown>): LogRecord {
  const durationMs = r.finishedAt - r.startedAt;
  const attempt = r.attempt > 1 ? ` (attempt ${r.attempt})` : '';
  const fields = {
    event: 'job-finished',
    jobId: r.jobId,
    workerId: r.workerId,
    attempt: r.attempt,
    ok: r.ok,
    durationMs,
  };
  const head = `job ${r.jobId} by worker ${r.workerId}`;
  if (r.ok) {
    const message = `${head} OK in ${formatDuration(durationMs)}${attempt}`;
    return { at: r.finishedAt, level: 'info', tag: 'collector', message, fields };
  }
  const error = describeError(r.error);
  const message = `${head} FAILED after ${formatDuration(durationMs)}${attempt}: ${error}`;
  return {
    at: r.finishedAt,
    level: 'error',
    tag: 'collector',
    message,
    fields: { ...fields, error },
  };
}

/** Keeps JSON.stringify from throwing on values JSON has no form for. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return describeError(value);
  return value;
}

function toJson(record: LogRecord): string {
  const head = {
    time: new Date(record.at).toISOString(),
    level: record.level,
    tag: record.tag,
    msg: record.message,
  };
  const fields = Object.fromEntries(
    Object.entries(record.fields).filter(([key]) => !Object.hasOwn(head, key)),
  );
  try {
    return JSON.stringify({ ...head, ...fields }, jsonValue);
  } catch {
    // A circular field: the line itself still matters more than its extras.
    return JSON.stringify(head);
  }
}

function toText(record: LogRecord): string {
  return `${formatTimestamp(record.at)} [${record.tag}] ${record.message}`;
}

/**
 * A formatter for the command's log: the Go design's text lines
 * (`2025/08/21 12:00:04.127000 [info] scale up: queue=73 workers=2 (+1)`), or one JSON object per
 * line with the same message and the numbers as fields, for log collectors.
 *
 * @example
 * const log = createLogFormatter('text');
 * log.event({ type: 'worker-started', at: Date.now(), workerId: 1, workers: 1 });
 * // "2025/08/21 12:00:00.123000 [info] worker 1 started"
 * createLogFormatter('json').line('main', 'bye', Date.now(), { code: 0 });
 * // '{"time":"2025-08-21T10:00:00.123Z","level":"info","tag":"main","msg":"bye","code":0}'
 */
export function createLogFormatter(format: LogFormat): LogFormatter {
  const write = format === 'json' ? toJson : toText;
  return {
    event(e) {
      const record = describeEvent(e);
      return record === undefined ? undefined : write(record);
    },
    result(r) {
      return write(describeResult(r));
    },
    line(tag, message, at, fields = {}) {
      const level: LogLevel = tag === 'warn' || tag === 'error' ? tag : 'info';
      return write({ at, level, tag, message, fields });
    },
  };
}
