import { expect } from 'chai';
import { RingBuffer } from '../lib/RingBuffer.js';

describe('RingBuffer', () => {
  it('returns items first in, first out across wrap-around and growth', () => {
    const buffer = new RingBuffer<number>(4);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps many times while the buffer grows.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < (round % 7) + 2; i++) buffer.push(next++);
      for (let i = 0; i < (round % 5) + 1; i++) {
        const item = buffer.shift();
        if (item !== undefined) out.push(item);
      }
    }
    out.push(...buffer.drain());
    expect(out).to.deep.equal(Array.from({ length: next }, (_, i) => i));
    expect(buffer.length).to.equal(0);
  });

  it('reports its length and peeks without removing', () => {
    const buffer = new RingBuffer<string>();
    expect(buffer.peek()).to.equal(undefined);
    expect(buffer.shift()).to.equal(undefined);
    buffer.push('a');
    buffer.push('b');
    expect(buffer.length).to.equal(2);
    expect(buffer.peek()).to.equal('a');
    expect(buffer.length).to.equal(2);
  });

  it('keeps order for 100,000 items queued at once', () => {
    const buffer = new RingBuffer<number>();
    for (let i = 0; i < 100_000; i++) buffer.push(i);
    let expected = 0;
    for (let item = buffer.shift(); item !== undefined; item = buffer.shift()) {
      if (item !== expected) throw new Error(`got ${item}, expected ${expected}`);
      expected++;
    }
    expect(expected).to.equal(100_000);
  });
});
