import { expect } from 'chai';
import { Subject } from 'rxjs';
import { errorWindow, type ErrorWindowTrip, type JobResult } from '../lib/index.js';

function failure(finishedAt: number): JobResult<never> {
  return {
    ok: false,
    error: new Error('x'),
    jobId: 1,
    workerId: 1,
    attempt: 1,
    payload: undefined,
    queuedAt: 0,
    startedAt: 0,
    finishedAt,
  };
}
function success(finishedAt: number): JobResult<number> {
  return {
    ok: true,
    value: 1,
    jobId: 1,
    workerId: 1,
    attempt: 1,
    payload: undefined,
    queuedAt: 0,
    startedAt: 0,
    finishedAt,
  };
}

describe('errorWindow', () => {
  it('trips once when failures in the trailing window reach the threshold', () => {
    const results = new Subject<JobResult<number>>();
    const trips: ErrorWindowTrip[] = [];
    let completed = false;
    results
      .pipe(errorWindow(10_000, 10))
      .subscribe({ next: (t) => trips.push(t), complete: () => (completed = true) });
    for (let i = 0; i < 5; i++) results.next(failure(9_900));
    for (let i = 0; i < 4; i++) results.next(failure(10_100));
    results.next(success(10_100));
    expect(trips).to.have.length(0);
    results.next(failure(10_100));
    expect(trips).to.deep.equal([{ at: 10_100, errors: 10 }]);
    expect(completed).to.equal(true);
  });

  it('does not trip when the failures are spread wider than the window', () => {
    const results = new Subject<JobResult<number>>();
    const trips: ErrorWindowTrip[] = [];
    results.pipe(errorWindow(1_000, 3)).subscribe((t) => trips.push(t));
    for (let t = 0; t < 10_000; t += 500) results.next(failure(t)); // at most 2 inside any 1 s window
    expect(trips).to.have.length(0);
  });

  it('trips on the first failure with threshold 1', () => {
    const results = new Subject<JobResult<number>>();
    const trips: ErrorWindowTrip[] = [];
    results.pipe(errorWindow(1_000, 1)).subscribe((t) => trips.push(t));
    results.next(success(1));
    results.next(failure(2));
    expect(trips).to.deep.equal([{ at: 2, errors: 1 }]);
  });

  it('never trips with threshold 0', () => {
    const results = new Subject<JobResult<number>>();
    const trips: ErrorWindowTrip[] = [];
    results.pipe(errorWindow(1_000, 0)).subscribe((t) => trips.push(t));
    for (let i = 0; i < 100; i++) results.next(failure(i));
    expect(trips).to.have.length(0);
  });
});
