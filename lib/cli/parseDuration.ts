/**
 * Nanoseconds per unit, as Go's `time` package spells them. Both micro signs are accepted, like Go:
 * U+00B5 (micro sign) and U+03BC (Greek mu) look the same and users type either.
 */
const unitNs: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** Go durations are an int64 of nanoseconds; longer texts are an error there, so here too. */
const maxNs = 2n ** 63n - 1n;

/** One `<number><unit>` term: digits with an optional fraction (`1.5`, `.5`, `5.`), then the unit. */
const term = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Reads a duration written as Go's `time.ParseDuration` accepts it and returns milliseconds
 * (fractional below a millisecond), or `undefined` when the text is not a duration. Negative values
 * parse, as in Go; rejecting them is the caller's business.
 *
 * The sum is kept in integer nanoseconds, as Go does, so `1.1s` is exactly 1100 ms rather than a
 * floating-point neighbour.
 *
 * @example
 * parseDuration('1m30s'); // 90000
 * parseDuration('1.5s'); // 1500
 * parseDuration('250us'); // 0.25
 * parseDuration('2'); // undefined: a unit is required, except for a lone "0"
 */
export function parseDuration(text: string): number | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let totalNs = 0n;
  while (rest !== '') {
    const match = term.exec(rest)!; // every part is optional, so it always matches
    const [whole, integer = '', fraction, unit = ''] = match;
    if (integer === '' && (fraction ?? '') === '') return undefined; // no digits: ".s", "s"
    const scale = unitNs.get(unit);
    if (scale === undefined) return undefined; // missing ("2") or unknown ("2x") unit
    const digits = fraction ?? '';
    totalNs += BigInt(integer || '0') * scale;
    if (digits !== '') totalNs += (BigInt(digits) * scale) / 10n ** BigInt(digits.length);
    if (totalNs > maxNs) return undefined;
    rest = rest.slice(whole.length);
  }
  const ms = Number(totalNs) / 1e6;
  return negative && ms !== 0 ? -ms : ms;
}

/** Go's `fmtFrac`: the digits of `v` below `precision` as a fraction, trailing zeros dropped. */
function splitFraction(v: bigint, precision: number): [whole: bigint, fraction: string] {
  const scale = 10n ** BigInt(precision);
  const fraction = (v % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return [v / scale, fraction === '' ? '' : `.${fraction}`];
}

/**
 * Writes milliseconds the way Go's `time.Duration.String` does, so the command echoes durations in
 * the spelling its flags accept: the largest units first, seconds with a fraction, sub-second values
 * in ms/µs/ns. Precision is one nanosecond, as in Go.
 *
 * @example
 * formatDuration(90_000); // "1m30s"
 * formatDuration(1500); // "1.5s"
 * formatDuration(500); // "500ms"
 * formatDuration(0); // "0s"
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let ns = BigInt(Math.round(ms * 1e6));
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${splitFraction(ns, 3).join('')}µs`;
  if (ns < 1_000_000_000n) return `${sign}${splitFraction(ns, 6).join('')}ms`;
  const [totalSeconds, fraction] = splitFraction(ns, 9);
  const hours = totalSeconds / 3600n;
  const minutes = (totalSeconds / 60n) % 60n;
  const seconds = `${totalSeconds % 60n}${fraction}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
