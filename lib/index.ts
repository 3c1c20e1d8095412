export { createPipeline } from './createPipeline.js';
export { Pipeline, type ShutdownOptions } from './Pipeline.js';
export type {
  JobContext,
  PipelineOptions,
  PipelineSettings,
  PipelineSource,
  ProcessFn,
} from './options.js';
export type { JobFailure, JobResult, JobSuccess } from './JobResult.js';
export type * from './PipelineEvent.js';
export type { PipelineState, PipelineStats } from './PipelineStats.js';
export type { AbandonedJob, PipelineSummary, StopReason } from './PipelineSummary.js';
export { decideScale, type ScaleLimits } from './decideScale.js';
export { errorWindow, type ErrorWindowTrip } from './errorWindow.js';
export { SlidingWindowCounter } from './SlidingWindowCounter.js';
export { PipelineOptionsError, isPipelineOptionsError } from './PipelineOptionsError.js';
export { JobTimeoutError, isJobTimeoutError } from './JobTimeoutError.js';
export { ShutdownDeadlineError, isShutdownDeadlineError } from './ShutdownDeadlineError.js';
export { QueueOverflowError, isQueueOverflowError } from './QueueOverflowError.js';
export { createRandom, type Random } from './synthetic/createRandom.js';
export { demoRate, demoPeriodMs } from './synthetic/demoRate.js';
export { rateSource, type RateSourceOptions, type SyntheticJob } from './synthetic/rateSource.js';
export { simulatedWork, type SimulatedWorkOptions } from './synthetic/simulatedWork.js';
