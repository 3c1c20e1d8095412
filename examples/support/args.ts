// The examples share this command-line handling, so that each of them shows only its own work.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O & { help: { type: 'boolean' } } }>
>['values'];

/** A user mistake: prints `error: <message>` and the usage to stderr, and exits with code 2. */
export function fail(usage: string, message: string): never {
  console.error(`error: ${message}\n${usage}`);
  process.exit(2);
}

/**
 * Parses the command line with `options` plus `--help`, which prints the usage and exits with
 * code 0. With `positional` (its name, for the message) one positional argument may follow.
 * An unknown flag, a flag without its value or an unexpected positional argument fails.
 */
export function readArgs<const O extends Options>(
  usage: string,
  options: O,
  { positional }: { positional?: string } = {},
): { values: Values<O>; positional: string | undefined } {
  let parsed;
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: positional !== undefined,
    });
  } catch (error) {
    fail(usage, (error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  if (parsed.positionals.length > 1) fail(usage, `give at most one ${positional}`);
  return { values: parsed.values as Values<O>, positional: parsed.positionals[0] };
}

/**
 * A flag's value as an integer (`>= min`, `<= max` when given); undefined when the flag is absent.
 * Anything else fails with `<flag> must be an integer >= <min>, got "<text>"`.
 */
export function intOption(
  usage: string,
  flag: string,
  text: string,
  range?: { min: number; max?: number },
): number;
export function intOption(
  usage: string,
  flag: string,
  text: string | undefined,
  range?: { min: number; max?: number },
): number | undefined;
export function intOption(
  usage: string,
  flag: string,
  text: string | undefined,
  range?: { min: number; max?: number },
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const { min = -Infinity, max = Infinity } = range ?? {};
  if (!Number.isInteger(value) || value < min || value > max) {
    const bounds =
      range === undefined ? '' : range.max === undefined ? ` >= ${min}` : ` from ${min} to ${max}`;
    fail(usage, `${flag} must be an integer${bounds}, got "${text}"`);
  }
  return value;
}

/**
 * A flag's value, `30s`, `1500ms`, `2m` (or a bare number of seconds), as milliseconds > 0;
 * undefined when the flag is absent.
 */
export function durationOption(
  usage: string,
  flag: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const unit = match?.[2] ?? 's';
  const ms = match ? Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000) : 0;
  if (!(ms > 0)) fail(usage, `${flag} must look like 30s, 1500ms or 2m, got "${text}"`);
  return ms;
}
