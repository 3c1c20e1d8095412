import { expect } from 'chai';
import { decideScale } from '../lib/decideScale.js';
import type { ScaleDirection } from '../lib/index.js';

describe('decideScale', () => {
  describe('supervisor scale decisions', () => {
    const limits = { minWorkers: 1, maxWorkers: 4, highWater: 70, lowWater: 20 };
    const table: [depth: number, workers: number, expected: ScaleDirection][] = [
      [0, 1, 'steady'], // at min: cannot go lower
      [20, 1, 'steady'],
      [69, 1, 'steady'],
      [70, 1, 'up'], // at the high mark
      [73, 1, 'up'],
      [100, 3, 'up'],
      [100, 4, 'steady'], // at max: cannot go higher
      [21, 2, 'steady'],
      [20, 2, 'down'], // at the low mark
      [0, 4, 'down'],
      [50, 4, 'steady'],
      [0, 5, 'down'], // above max (never happens in a pipeline): back within bounds
      [100, 0, 'up'], // below min: back within bounds
    ];
    for (const [depth, workers, expected] of table) {
      it(`decides ${expected} for queue ${depth} with ${workers} workers`, () => {
        expect(decideScale(depth, workers, limits)).to.equal(expected);
      });
    }
  });

  it('gives a pool of zero one worker for a backlog below the high mark', () => {
    const limits = { minWorkers: 0, maxWorkers: 2, highWater: 70, lowWater: 20 };
    expect(decideScale(5, 0, limits)).to.equal('up');
    expect(decideScale(0, 0, limits)).to.equal('steady');
  });

  it('lets the last worker go only once the queue is empty when minWorkers is 0', () => {
    const limits = { minWorkers: 0, maxWorkers: 2, highWater: 70, lowWater: 20 };
    expect(decideScale(5, 1, limits)).to.equal('steady');
    expect(decideScale(0, 1, limits)).to.equal('down');
    expect(decideScale(5, 2, limits)).to.equal('down');
  });

  it('holds steady when min equals max', () => {
    const limits = { minWorkers: 3, maxWorkers: 3, highWater: 5, lowWater: 1 };
    expect(decideScale(100, 3, limits)).to.equal('steady');
    expect(decideScale(0, 3, limits)).to.equal('steady');
  });
});
