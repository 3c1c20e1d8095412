import { expect } from 'chai';
import sinon from 'sinon';
import { createRandom } from '../../lib/synthetic/createRandom.js';

function draw(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => random());
}

describe('createRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draw(createRandom(42), 100)).to.deep.equal(draw(createRandom(42), 100));
  });

  it('gives different sequences for different seeds', () => {
    expect(draw(createRandom(1), 10)).to.not.deep.equal(draw(createRandom(2), 10));
  });

  it('returns floats in [0, 1) spread evenly over the range', () => {
    const values = draw(createRandom(7), 10_000);
    expect(Math.min(...values)).to.be.at.least(0);
    expect(Math.max(...values)).to.be.below(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).to.be.closeTo(0.5, 0.02);
    const buckets = [0, 0, 0, 0];
    for (const value of values) buckets[Math.floor(value * 4)]! += 1;
    for (const bucket of buckets) expect(bucket).to.be.closeTo(2_500, 200);
  });

  it('draws its seed from Math.random when none is given', () => {
    sinon.stub(Math, 'random').returns(0.25);
    const unseeded = draw(createRandom(), 5);
    expect(unseeded).to.deep.equal(draw(createRandom(2 ** 30), 5));
  });

  it('takes the seed modulo 2^32', () => {
    expect(draw(createRandom(-1), 5)).to.deep.equal(draw(createRandom(2 ** 32 - 1), 5));
  });

  it('rejects a seed that is not an integer, naming it and the value', () => {
    expect(() => createRandom(1.5)).to.throw(
      RangeError,
      'Expected `seed` to be an integer, got `1.5`',
    );
    expect(() => createRandom(Number.NaN)).to.throw(RangeError, 'got `NaN`');
  });
});
