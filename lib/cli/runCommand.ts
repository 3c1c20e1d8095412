import { isPipelineOptionsError } from '../PipelineOptionsError.js';
import type { CommandIo } from './CommandIo.js';
import { ExitCode } from './exitCodes.js';
import { parseFlags, usage } from './flags.js';
import { packageVersion } from './packageVersion.js';
import { runDemo } from './runDemo.js';

/** Written after the problems with a command line. */
export const usageHint = "Run 'dynpipe -help' for usage.";

function reportProblems(io: CommandIo, problems: readonly string[]): ExitCode {
  io.stderr.write(`${[...problems, usageHint].join('\n')}\n`);
  return ExitCode.usage;
}

/**
 * The `dynpipe` command, from its arguments to its exit status: `-help` and `-version` answer on
 * stdout with {@link ExitCode.ok}; a command line with problems gets every one of them on stderr,
 * one a line, then a hint, with {@link ExitCode.usage} and never a stack trace; anything else runs
 * the demo ({@link runDemo}).
 *
 * @example
 * process.exitCode = await runCommand(process.argv.slice(2), { stdout, stderr, onSignal });
 */
export async function runCommand(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  const parsed = parseFlags(argv);
  if (!parsed.ok) return reportProblems(io, parsed.problems);
  if ('help' in parsed) {
    io.stdout.write(usage());
    return ExitCode.ok;
  }
  if ('version' in parsed) {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  try {
    return await runDemo(parsed.config, io);
  } catch (error) {
    // The flags share the library's checks, so this is not expected; if it happens, it is still a
    // problem with the settings, not a crash.
    if (!isPipelineOptionsError(error)) throw error;
    return reportProblems(io, error.message.split('\n').slice(1));
  }
}
