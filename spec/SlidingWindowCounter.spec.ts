import { expect } from 'chai';
import { SlidingWindowCounter } from '../lib/SlidingWindowCounter.js';

describe('SlidingWindowCounter', () => {
  it('counts events across what would be a tumbling boundary', () => {
    const counter = new SlidingWindowCounter(10_000);
    for (let i = 0; i < 5; i++) counter.add(9_900);
    for (let i = 0; i < 4; i++) counter.add(10_100);
    expect(counter.add(10_100)).to.equal(10);
  });

  it('drops an event exactly windowMs old', () => {
    const counter = new SlidingWindowCounter(1_000);
    counter.add(0);
    expect(counter.count(999)).to.equal(1);
    expect(counter.count(1_000)).to.equal(0);
  });

  it('forgets events that slid out while others stay', () => {
    const counter = new SlidingWindowCounter(100);
    counter.add(0);
    counter.add(50);
    counter.add(120);
    expect(counter.count(149)).to.equal(2);
    expect(counter.count(150)).to.equal(1);
    expect(counter.count(500)).to.equal(0);
  });
});
