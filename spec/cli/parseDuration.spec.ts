import { expect } from 'chai';
import { formatDuration, parseDuration } from '../../lib/cli/parseDuration.js';

describe('parseDuration', () => {
  it('reads each Go unit into milliseconds', () => {
    expect(parseDuration('3h')).to.equal(10_800_000);
    expect(parseDuration('2m')).to.equal(120_000);
    expect(parseDuration('2s')).to.equal(2000);
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('250us')).to.equal(0.25);
    expect(parseDuration('250µs')).to.equal(0.25); // U+00B5 micro sign
    expect(parseDuration('250μs')).to.equal(0.25); // U+03BC Greek mu
    expect(parseDuration('5000ns')).to.equal(0.005);
  });

  it('adds up a sequence of terms', () => {
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('1h2m3s4ms')).to.equal(3_723_004);
    expect(parseDuration('1s1s')).to.equal(2000);
  });

  it('reads fractions exactly, like Go counting nanoseconds', () => {
    expect(parseDuration('1.5s')).to.equal(1500);
    expect(parseDuration('1.1s')).to.equal(1100);
    expect(parseDuration('.5s')).to.equal(500);
    expect(parseDuration('5.s')).to.equal(5000);
    expect(parseDuration('0.1ms')).to.equal(0.1);
  });

  it('accepts a lone 0 without a unit, signed or not', () => {
    expect(parseDuration('0')).to.equal(0);
    expect(parseDuration('+0')).to.equal(0);
    expect(Object.is(parseDuration('-0'), 0)).to.equal(true);
    expect(parseDuration('0s')).to.equal(0);
  });

  it('reads a leading sign, leaving negative values to later checks', () => {
    expect(parseDuration('-2s')).to.equal(-2000);
    expect(parseDuration('+2s')).to.equal(2000);
    expect(parseDuration('-1m30s')).to.equal(-90_000);
  });

  it('returns undefined for malformed text', () => {
    for (const text of [
      '',
      '2',
      '10',
      's',
      '2x',
      '.s',
      '.',
      '-',
      '+',
      '1.5',
      '2 s',
      ' 2s',
      '2s ',
      '1e3s',
      '2S',
      '1..5s',
      '2toString',
      '2constructor',
    ]) {
      expect(parseDuration(text), JSON.stringify(text)).to.equal(undefined);
    }
  });

  it('rejects durations beyond what Go can hold, as Go does', () => {
    expect(parseDuration('9223372036854775807ns')).to.be.a('number');
    expect(parseDuration('9223372036854775808ns')).to.equal(undefined);
    expect(parseDuration('3000000h')).to.equal(undefined);
  });
});

describe('formatDuration', () => {
  it('writes whole units the way Go does', () => {
    expect(formatDuration(2000)).to.equal('2s');
    expect(formatDuration(500)).to.equal('500ms');
    expect(formatDuration(90_000)).to.equal('1m30s');
    expect(formatDuration(60_000)).to.equal('1m0s');
    expect(formatDuration(3_600_000)).to.equal('1h0m0s');
    expect(formatDuration(3_723_500)).to.equal('1h2m3.5s');
  });

  it('writes zero as 0s', () => {
    expect(formatDuration(0)).to.equal('0s');
    expect(formatDuration(-0)).to.equal('0s');
  });

  it('writes fractions without trailing zeros', () => {
    expect(formatDuration(1500)).to.equal('1.5s');
    expect(formatDuration(1001)).to.equal('1.001s');
    expect(formatDuration(1.5)).to.equal('1.5ms');
  });

  it('switches to µs and ns below a millisecond', () => {
    expect(formatDuration(0.25)).to.equal('250µs');
    expect(formatDuration(0.0015)).to.equal('1.5µs');
    expect(formatDuration(0.000_001)).to.equal('1ns');
  });

  it('keeps the sign of negative durations', () => {
    expect(formatDuration(-2000)).to.equal('-2s');
    expect(formatDuration(-90_000)).to.equal('-1m30s');
  });

  it('writes what parseDuration reads back to the same value', () => {
    for (const ms of [1, 80, 999, 1000, 1500, 2000, 10_000, 59_999, 90_000, 3_723_004, 0.25]) {
      expect(parseDuration(formatDuration(ms)), String(ms)).to.equal(ms);
    }
  });
});
