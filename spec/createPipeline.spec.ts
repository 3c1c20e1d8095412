import { expect } from 'chai';
import { of } from 'rxjs';
import type { PipelineOptionsError } from '../lib/index.js';
import {
  createPipeline,
  isJobTimeoutError,
  isPipelineOptionsError,
  isQueueOverflowError,
  isShutdownDeadlineError,
  type PipelineOptions,
} from '../lib/index.js';

const base: PipelineOptions<number, number> = { source: [1, 2, 3], process: (n: number) => n };

/** The message of what `createPipeline(options)` throws (fails the spec if it does not throw). */
function problemsOf(options: unknown): PipelineOptionsError {
  try {
    createPipeline(options as PipelineOptions<number, number>);
  } catch (error) {
    expect(isPipelineOptionsError(error), String(error)).to.equal(true);
    return error as PipelineOptionsError;
  }
  expect.fail('createPipeline did not throw');
}

describe('createPipeline', () => {
  it('accepts an iterable, an async iterable or an Observable as the source', () => {
    async function* numbers() {
      yield 1;
    }
    for (const source of [[1], new Set([1]), numbers(), of(1)]) {
      expect(() => createPipeline({ ...base, source })).to.not.throw();
    }
  });

  it('lists every invalid combination in one error, each with the values received', () => {
    const error = problemsOf({
      ...base,
      minWorkers: 5,
      maxWorkers: 2,
      queueCap: 10,
      highWater: 20,
      lowWater: 30,
    });
    expect(error.issues).to.have.length(3);
    expect(error.message).to.include('Expected `minWorkers` to be <= `maxWorkers` (`2`), got `5`');
    expect(error.message).to.include('Expected `highWater` to be <= `queueCap` (`10`), got `20`');
    expect(error.message).to.include('Expected `lowWater` to be < `highWater` (`20`), got `30`');
  });

  it('rejects negative, non-integer and non-numeric counts and durations, naming each', () => {
    const error = problemsOf({
      ...base,
      minWorkers: -1,
      maxWorkers: 2.5,
      queueCap: '100',
      errThreshold: NaN,
      scaleIntervalMs: 0,
      errWindowMs: Infinity,
      retries: -2,
      timeoutMs: -5,
    });
    const text = error.message;
    expect(text).to.include('Expected `minWorkers` to be an integer >= 0, got `-1`');
    expect(text).to.include('Expected `maxWorkers` to be an integer >= 1, got `2.5`');
    expect(text).to.include('Expected `queueCap` to be an integer >= 1, got `"100"`');
    expect(text).to.include('Expected `errThreshold` to be an integer >= 0, got `NaN`');
    expect(text).to.include('`scaleIntervalMs` to be a finite number of milliseconds > 0, got `0`');
    expect(text).to.include(
      '`errWindowMs` to be a finite number of milliseconds > 0, got `Infinity`',
    );
    expect(text).to.include('Expected `retries` to be an integer >= 0, got `-2`');
    expect(text).to.include('`timeoutMs` to be a finite number of milliseconds > 0, got `-5`');
    expect(error.issues).to.have.length(8);
  });

  it('reports a bad source, a missing process, an unknown policy and an unknown option together', () => {
    const error = problemsOf({ source: 'abc', overflow: 'drop-all', maxWorker: 3 });
    const text = error.message;
    expect(text).to.include(
      'Expected `source` to be an Iterable, AsyncIterable or Observable, got `"abc"`',
    );
    expect(text).to.include('Expected `process` to be a function, got `undefined`');
    expect(text).to.include(
      'Expected `overflow` to be "error" | "drop-newest" | "drop-oldest", got `"drop-all"`',
    );
    expect(text).to.include('Unknown option `maxWorker`');
  });

  it('still checks combinations when an unrelated option is invalid', () => {
    const error = problemsOf({ ...base, minWorkers: 9, maxWorkers: 3, retries: 'x' });
    expect(error.message).to.include('Expected `minWorkers` to be <= `maxWorkers` (`3`), got `9`');
    expect(error.message).to.include('Expected `retries` to be an integer >= 0, got `"x"`');
  });

  it('derives the water marks from queueCap when they are not given', () => {
    expect(() => createPipeline({ ...base, queueCap: 10 })).to.not.throw();
    expect(() => createPipeline({ ...base, queueCap: 1 })).to.not.throw();
    expect(() => createPipeline({ ...base, highWater: 10 })).to.not.throw();
    const error = problemsOf({ ...base, queueCap: 10, lowWater: 7 }); // default highWater: 7
    expect(error.message).to.include('Expected `lowWater` to be < `highWater` (`7`), got `7`');
  });

  it('rejects options that are not an object', () => {
    expect(problemsOf(undefined).message).to.include('Expected options to be an object');
  });

  it('throws an error with a fixed name and no stack of zod internals in its message', () => {
    const error = problemsOf({ ...base, minWorkers: -1 });
    expect(error.name).to.equal('PipelineOptionsError');
    expect(error.message.split('\n')[0]).to.equal('Invalid dynpipe options:');
    expect(error.message).to.not.match(/\bat .*node_modules/);
    expect(isPipelineOptionsError(new Error('x'))).to.equal(false);
  });
});

describe('error type guards', () => {
  it('recognise errors of the other build of the package by their fixed name', () => {
    const guards = {
      PipelineOptionsError: isPipelineOptionsError,
      JobTimeoutError: isJobTimeoutError,
      ShutdownDeadlineError: isShutdownDeadlineError,
      QueueOverflowError: isQueueOverflowError,
    };
    for (const [name, guard] of Object.entries(guards)) {
      // What a copy of the class loaded from the other build looks like to this one.
      const twin = Object.assign(new Error('from the other build'), { name });
      expect(guard(twin), name).to.equal(true);
      expect(guard(new Error(name)), name).to.equal(false);
      expect(guard({ name }), name).to.equal(false);
    }
  });
});
