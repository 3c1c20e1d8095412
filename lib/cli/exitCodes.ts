/**
 * The `dynpipe` command's exit statuses, as the Go design's: 0 for a clean stop, 1 when the run
 * failed (the error rate shut it down, or stdout closed), 2 for a mistake on the command line, 130
 * (128 + SIGINT) when a second signal aborted the jobs in flight.
 *
 * @example
 * process.exitCode = ExitCode.usage;
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  aborted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
