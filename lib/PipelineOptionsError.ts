import { z } from 'zod';

/**
 * Thrown by `createPipeline` when its options are invalid. The message lists every problem at once,
 * each naming the option and the value received; `issues` holds them for tools.
 *
 * @example
 * try { createPipeline({ source, process, minWorkers: 9, maxWorkers: 2 }); }
 * catch (e) { if (isPipelineOptionsError(e)) console.error(e.message); }
 */
export class PipelineOptionsError extends Error {
  override readonly name = 'PipelineOptionsError';
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(issues: readonly z.core.$ZodIssue[], title = 'Invalid dynpipe options') {
    super(`${title}:\n${z.prettifyError(new z.ZodError([...issues]))}`);
    this.issues = issues;
  }
}

/** True when `error` is a {@link PipelineOptionsError} (from either build of the package). */
export function isPipelineOptionsError(error: unknown): error is PipelineOptionsError {
  // By name too: an app that loads both the ESM and the CommonJS build has two copies of the class.
  return (
    error instanceof PipelineOptionsError ||
    (error instanceof Error && error.name === 'PipelineOptionsError')
  );
}
