import { createPipeline } from '../createPipeline.js';
import type { PipelineSummary } from '../PipelineSummary.js';
import { rateSource, type SyntheticJob } from '../synthetic/rateSource.js';
import { simulatedWork } from '../synthetic/simulatedWork.js';
import type { CommandIo, StopSignal } from './CommandIo.js';
import { describeSettings, type RunSettings } from './describeSettings.js';
import { ExitCode } from './exitCodes.js';
import type { CliConfig } from './flags.js';
import { createLogFormatter } from './formatLog.js';
import { formatDuration } from './parseDuration.js';

/**
 * A signal this soon after the one that began the shutdown is taken as the same one delivered
 * twice, not as a second Ctrl+C: wrappers relay signals that the process group already got (`timeout`
 * signals its child and then its whole group, npm forwards, and tsx relays what its child did not
 * report within 30 ms). No one presses Ctrl+C twice within a quarter of a second by mistake.
 */
export const repeatedSignalMs = 250;

/** A seed for a run without -seed: printed in the startup line, so the run can be repeated. */
function drawSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

function exitCodeOf(summary: PipelineSummary, aborted: boolean, outputLost: boolean): ExitCode {
  if (outputLost) return ExitCode.failure;
  if (aborted) return ExitCode.aborted;
  if (summary.reason === 'error-rate' || summary.reason === 'source-error') return ExitCode.failure;
  return ExitCode.ok;
}

/**
 * Runs the demo: a {@link rateSource} at `-producer-rate` (with the burst profile under `-demo`)
 * into a pipeline doing {@link simulatedWork}, logging every event and result to stdout, one line
 * each. Resolves with the exit status once the pipeline has stopped and the summary is written:
 *
 * - `-duration` elapsed, or a first SIGINT/SIGTERM: graceful shutdown (running jobs finish, queued
 *   ones are abandoned and counted), {@link ExitCode.ok};
 * - the error window tripped: graceful shutdown, {@link ExitCode.failure};
 * - a signal during any shutdown: running jobs are aborted, {@link ExitCode.aborted}; from then on
 *   the signals are no longer caught, so a third one kills the process. A repeat within
 *   {@link repeatedSignalMs} of the signal that began the shutdown is ignored as a duplicate;
 * - stdout failed (a closed pipe): jobs aborted, nothing more written, {@link ExitCode.failure}.
 *
 * Leaves nothing behind that would keep the process alive: the duration timer is cleared and the
 * signal listeners removed before it resolves.
 *
 * @example
 * process.exitCode = await runDemo(config, { stdout, stderr, onSignal });
 */
export async function runDemo(config: CliConfig, io: CommandIo): Promise<ExitCode> {
  const settings: RunSettings = { ...config, seed: config.seed ?? drawSeed() };
  const log = createLogFormatter(settings.logFormat);
  let outputOpen = true;
  const print = (line: string | undefined): void => {
    if (line !== undefined && outputOpen) io.stdout.write(`${line}\n`);
  };
  const say = (message: string, fields: Record<string, unknown> = {}): void =>
    print(log.line('main', message, Date.now(), fields));

  const pipeline = createPipeline<SyntheticJob, SyntheticJob>({
    source: rateSource({ rate: settings.producerRate, demo: settings.demo }),
    process: simulatedWork<SyntheticJob>({
      processMs: settings.processMs,
      jitterMs: settings.jitterMs,
      errorRate: settings.errorRate,
      seed: settings.seed,
    }),
    minWorkers: settings.minWorkers,
    maxWorkers: settings.maxWorkers,
    queueCap: settings.queueCap,
    highWater: settings.highWater,
    lowWater: settings.lowWater,
    scaleIntervalMs: settings.scaleIntervalMs,
    errWindowMs: settings.errWindowMs,
    errThreshold: settings.errThreshold,
  });

  let stopping = false; // a shutdown began, whoever asked for it
  let aborted = false;
  let outputLost = false;
  pipeline.events$.subscribe((event) => {
    if (event.type === 'shutdown-requested') stopping = true;
    print(log.event(event));
  });
  pipeline.results$.subscribe((result) => print(log.result(result)));

  const abort = (): void => {
    aborted = true;
    unsubscribeSignals(); // a third signal gets the default action: the process dies
    void pipeline.shutdown({ deadlineMs: 0 });
  };

  let signalledAt: number | undefined; // when a signal began the shutdown
  const unsubscribeSignals = io.onSignal((signal: StopSignal) => {
    if (aborted) return;
    if (!stopping) {
      signalledAt = Date.now();
      say(
        `received ${signal}, shutting down gracefully (press Ctrl+C again to abort in-flight jobs)`,
        { signal },
      );
      void pipeline.shutdown();
      return;
    }
    if (signalledAt !== undefined && Date.now() - signalledAt < repeatedSignalMs) return;
    say(`received ${signal} during shutdown, aborting in-flight jobs`, { signal });
    abort();
  });

  // A closed stdout (`dynpipe | head`) ends the run: there is no one left to read the log. The
  // listener stays, so that writes still buffered when the run ends cannot crash the process.
  io.stdout.on('error', () => {
    outputOpen = false;
    if (outputLost) return;
    outputLost = true;
    if (!aborted) abort();
  });

  let durationTimer: ReturnType<typeof setTimeout> | undefined;
  if (settings.durationMs > 0) {
    durationTimer = setTimeout(() => {
      durationTimer = undefined;
      if (stopping) return;
      say(`duration ${formatDuration(settings.durationMs)} elapsed, shutting down gracefully`, {
        durationMs: settings.durationMs,
      });
      void pipeline.shutdown();
    }, settings.durationMs);
  }

  say(`starting: ${describeSettings(settings)}`, { ...settings });
  try {
    const summary = await pipeline.run();
    return exitCodeOf(summary, aborted, outputLost);
  } finally {
    clearTimeout(durationTimer);
    unsubscribeSignals();
  }
}
