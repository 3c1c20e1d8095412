import { z } from 'zod';
import { parseSettings } from '../parseSettings.js';
import {
  crossCheck,
  settingDefaults,
  settingsShape,
  showValue,
  waterMarks,
  type SettingLabels,
} from '../settingsSchema.js';
import { formatDuration, parseDuration } from './parseDuration.js';

/** How the command writes its log lines. */
export type LogFormat = 'text' | 'json';

/**
 * The values `-log-format` accepts.
 *
 * @example
 * logFormats.includes('json'); // true
 */
export const logFormats = ['text', 'json'] as const satisfies readonly LogFormat[];

/** What the `dynpipe` command runs with, once its flags are read. Durations are milliseconds. */
export interface CliConfig {
  minWorkers: number;
  maxWorkers: number;
  queueCap: number;
  highWater: number;
  lowWater: number;
  scaleIntervalMs: number;
  /** Jobs the demo producer makes per second. */
  producerRate: number;
  /** Simulated work per job, in milliseconds. */
  processMs: number;
  /** Simulated work varies by up to this many milliseconds either way (uniform). */
  jitterMs: number;
  /** Fraction of demo jobs that fail, 0..1. */
  errorRate: number;
  demo: boolean;
  errWindowMs: number;
  errThreshold: number;
  /** 0: run until a signal. */
  durationMs: number;
  /** `undefined`: pick one at random. */
  seed: number | undefined;
  logFormat: LogFormat;
}

/** How a flag's text is read; also the type name the help shows (Go prints none for booleans). */
export type FlagType = 'int' | 'float' | 'duration' | 'bool' | 'string';

type FlagKey = keyof CliConfig | 'help' | 'version';

/** One row of the flag table. */
export interface FlagSpec {
  /** As typed after the dash(es). */
  readonly name: string;
  /** The {@link CliConfig} field it sets (`help`/`version` ask for output instead of a run). */
  readonly key: FlagKey;
  readonly type: FlagType;
  /** Durations in milliseconds; `undefined` when there is none (`-seed`). */
  readonly default: number | boolean | string | undefined;
  /** One line, as in Go's `flag.PrintDefaults`. */
  readonly usage: string;
}

/** The water marks follow `-queue-cap` unless given, as the library's do; at the default cap: 70/20. */
const defaultMarks = waterMarks(settingDefaults.queueCap, {});

/**
 * Every flag of the command, with the Go design's names and defaults. The settings it shares with
 * the library take their defaults from the library, so the two cannot disagree.
 *
 * @example
 * flagDefaults.find((f) => f.name === 'queue-cap')?.default; // 100
 */
export const flagDefaults: readonly FlagSpec[] = [
  {
    name: 'min-workers',
    key: 'minWorkers',
    type: 'int',
    default: settingDefaults.minWorkers,
    usage: 'fewest workers kept running, even when the queue is empty',
  },
  {
    name: 'max-workers',
    key: 'maxWorkers',
    type: 'int',
    default: settingDefaults.maxWorkers,
    usage: 'most workers running at once',
  },
  {
    name: 'queue-cap',
    key: 'queueCap',
    type: 'int',
    default: settingDefaults.queueCap,
    usage: 'capacity of the job queue; the producer waits while it is full',
  },
  {
    name: 'high-water',
    key: 'highWater',
    type: 'int',
    default: defaultMarks.highWater,
    usage: 'queue depth that makes the supervisor add a worker; 70% of -queue-cap if omitted',
  },
  {
    name: 'low-water',
    key: 'lowWater',
    type: 'int',
    default: defaultMarks.lowWater,
    usage: 'queue depth that lets the supervisor remove a worker; 20% of -queue-cap if omitted',
  },
  {
    name: 'scale-interval',
    key: 'scaleIntervalMs',
    type: 'duration',
    default: settingDefaults.scaleIntervalMs,
    usage: 'how often the supervisor looks at the queue depth',
  },
  {
    name: 'producer-rate',
    key: 'producerRate',
    type: 'float',
    default: 10,
    usage: 'jobs the demo producer makes per second',
  },
  {
    name: 'process-ms',
    key: 'processMs',
    type: 'int',
    default: 80,
    usage: 'simulated processing time per job, in milliseconds',
  },
  {
    name: 'jitter-ms',
    key: 'jitterMs',
    type: 'int',
    default: 40,
    usage: 'processing time varies randomly by up to this many milliseconds either way',
  },
  {
    name: 'error-rate',
    key: 'errorRate',
    type: 'float',
    default: 0.05,
    usage: 'fraction of demo jobs that fail, from 0 to 1',
  },
  {
    name: 'demo',
    key: 'demo',
    type: 'bool',
    default: true,
    usage:
      'vary the producer rate: an 18x burst for 0.5s every 30s, calm at 0.1x between (false: a steady -producer-rate)',
  },
  {
    name: 'err-window',
    key: 'errWindowMs',
    type: 'duration',
    default: settingDefaults.errWindowMs,
    usage: 'sliding window in which failures are counted',
  },
  {
    name: 'err-threshold',
    key: 'errThreshold',
    type: 'int',
    default: settingDefaults.errThreshold,
    usage: 'failures within -err-window that trigger an automatic shutdown; 0 disables',
  },
  {
    name: 'duration',
    key: 'durationMs',
    type: 'duration',
    default: 0,
    usage: 'stop after this long; 0 runs until SIGINT or SIGTERM',
  },
  {
    name: 'seed',
    key: 'seed',
    type: 'int',
    default: undefined,
    usage: 'seed of the demo randomness, to repeat a run (default: random)',
  },
  {
    name: 'log-format',
    key: 'logFormat',
    type: 'string',
    default: 'text',
    usage: 'log line format: text or json',
  },
  {
    name: 'help',
    key: 'help',
    type: 'bool',
    default: false,
    usage: 'show this help and exit (also -h)',
  },
  {
    name: 'version',
    key: 'version',
    type: 'bool',
    default: false,
    usage: 'print the version and exit',
  },
];

const specByName = new Map<string, FlagSpec>(flagDefaults.map((spec) => [spec.name, spec]));
const specByKey = new Map<string, FlagSpec>(flagDefaults.map((spec) => [spec.key, spec]));
// Go answers -h and -help alike.
specByName.set('h', specByName.get('help')!);

function flagOf(key: string): string {
  const spec = specByKey.get(key);
  return spec === undefined ? key : `-${spec.name}`;
}

/** Values as the user would write them back: durations in Go's spelling, text quoted. */
function showFlagValue(key: string, value: unknown): string {
  if (specByKey.get(key)?.type === 'duration' && typeof value === 'number') {
    return formatDuration(value);
  }
  return showValue(value);
}

/** Makes the library's shared checks speak of flags: ``Expected `-min-workers` to be ...``. */
const flagLabels: SettingLabels = { name: flagOf, value: showFlagValue };

/** The library's message shape, for the command's own settings. */
function expected(key: FlagKey, what: string) {
  return (issue: { input?: unknown }) =>
    `Expected \`${flagOf(key)}\` to be ${what}, got \`${showFlagValue(key, issue.input)}\``;
}

function number(key: FlagKey, what: string, ok: (v: number) => boolean) {
  const error = expected(key, what);
  return z.number({ error }).refine(ok, { error });
}

function boolean(key: FlagKey) {
  return z.boolean({ error: expected(key, 'true or false') });
}

const shared = settingsShape(flagLabels);

/** Every flag's check: the library's for the shared settings, the command's own for the rest. */
const flagShape = {
  minWorkers: shared.minWorkers,
  maxWorkers: shared.maxWorkers,
  queueCap: shared.queueCap,
  highWater: shared.highWater,
  lowWater: shared.lowWater,
  scaleIntervalMs: shared.scaleIntervalMs,
  errWindowMs: shared.errWindowMs,
  errThreshold: shared.errThreshold,
  producerRate: number('producerRate', 'a number > 0', (v) => Number.isFinite(v) && v > 0),
  processMs: number('processMs', 'an integer >= 0', (v) => Number.isSafeInteger(v) && v >= 0),
  jitterMs: number('jitterMs', 'an integer >= 0', (v) => Number.isSafeInteger(v) && v >= 0),
  errorRate: number('errorRate', 'a number from 0 to 1', (v) => v >= 0 && v <= 1),
  demo: boolean('demo'),
  durationMs: number('durationMs', 'a duration >= 0', (v) => Number.isFinite(v) && v >= 0),
  seed: number('seed', 'an integer', Number.isSafeInteger).optional(),
  logFormat: z.enum(logFormats, {
    error: expected('logFormat', logFormats.map((f) => `"${f}"`).join(' | ')),
  }),
  help: boolean('help'),
  version: boolean('version'),
};

/**
 * The outcome of {@link parseFlags}: a run, a request for help or version, or every problem found.
 *
 * @example
 * const parsed = parseFlags(process.argv.slice(2));
 * if (!parsed.ok) console.error(parsed.problems.join('\n'));
 * else if ('config' in parsed) run(parsed.config);
 */
export type ParseResult =
  | { ok: true; config: CliConfig }
  | { ok: true; help: true }
  | { ok: true; version: true }
  | { ok: false; problems: string[] };

// Go's strconv spellings: ParseInt (decimal only here), ParseFloat (no hex, inf or NaN), ParseBool.
const integerText = /^[+-]?\d+$/;
const floatText = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const trueTexts = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const falseTexts = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** A flag's text as its type, or `undefined` when it cannot be read as one. */
function read(type: FlagType, text: string): unknown {
  switch (type) {
    case 'int': {
      const value = Number(text);
      return integerText.test(text) && Number.isSafeInteger(value) ? value : undefined;
    }
    case 'float':
      return floatText.test(text) && Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'duration':
      return parseDuration(text);
    case 'bool':
      return trueTexts.has(text) ? true : falseTexts.has(text) ? false : undefined;
    case 'string':
      return text;
  }
}

/** What a schema message says is expected: "Expected `-x` to be <what>, got `v`". */
function expectation(message: string): string | undefined {
  return /^Expected `[^`]*` to be (.*?), got `/s.exec(message)?.[1];
}

/**
 * Go's message for text that is not of the flag's type. Numbers borrow the schema's wording, so the
 * bounds it states are the ones it checks (``expected an integer >= 0``).
 */
function invalidValue(spec: FlagSpec, text: string, schemaMessage: string): string {
  const what =
    spec.type === 'duration'
      ? 'a duration such as 500ms, 2s or 1m30s'
      : spec.type === 'bool'
        ? 'true or false'
        : (expectation(schemaMessage) ?? `of type ${spec.type}`);
  return `invalid value ${JSON.stringify(text)} for flag -${spec.name}: expected ${what}`;
}

/** The flags' texts as given (the last of repeats, as in Go), and the problems with the syntax. */
function scan(argv: readonly string[]): { given: Map<FlagKey, string>; problems: string[] } {
  const given = new Map<FlagKey, string>();
  const problems: string[] = [];
  let flagsEnded = false;
  let bareBoolean: FlagSpec | undefined; // the previous argument, when it was `-demo` without a value
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const previousBareBoolean = bareBoolean;
    bareBoolean = undefined;
    if (flagsEnded || arg.length < 2 || !arg.startsWith('-')) {
      // Go would stop reading flags here; going on reports the later flags' problems in the same run.
      const hint =
        previousBareBoolean !== undefined && (trueTexts.has(arg) || falseTexts.has(arg))
          ? ` (a boolean flag takes its value after "=": -${previousBareBoolean.name}=${arg})`
          : '';
      problems.push(`unexpected argument ${JSON.stringify(arg)}${hint}`);
      continue;
    }
    if (arg === '--') {
      flagsEnded = true;
      continue;
    }
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    if (body.startsWith('-') || body.startsWith('=')) {
      problems.push(`bad flag syntax: ${arg}`);
      continue;
    }
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    const spec = specByName.get(name);
    if (spec === undefined) {
      problems.push(`flag provided but not defined: -${name}`);
      continue;
    }
    if (equals >= 0) {
      given.set(spec.key, body.slice(equals + 1));
    } else if (spec.type === 'bool') {
      // As in Go, a bare boolean never takes the next argument: `-demo false` leaves "false" over.
      given.set(spec.key, 'true');
      bareBoolean = spec;
    } else if (i + 1 < argv.length) {
      // As in Go, the next argument is the value even when it starts with "-" (`-jitter-ms -5`).
      given.set(spec.key, argv[++i]!);
    } else {
      problems.push(`flag needs an argument: -${name}`);
    }
  }
  return { given, problems };
}

/**
 * Reads the command line the way Go's `flag` package does (`-name=value`, `-name value`, the same
 * with `--`, bare booleans, `--` ending the flags) and checks the values with the library's own
 * settings schema. Every problem is reported at once, each naming the flag and the value.
 *
 * @example
 * parseFlags(['-max-workers', '4', '--scale-interval=500ms']);
 * // { ok: true, config: { maxWorkers: 4, scaleIntervalMs: 500, ...the defaults } }
 * parseFlags(['-min-workers=abc', '-foo']);
 * // { ok: false, problems: ['flag provided but not defined: -foo',
 * //   'invalid value "abc" for flag -min-workers: expected an integer >= 0'] }
 */
export function parseFlags(argv: readonly string[]): ParseResult {
  const { given, problems } = scan(argv);
  const input: Record<string, unknown> = {};
  const unreadable = new Map<string, string>();
  for (const spec of flagDefaults) {
    const text = given.get(spec.key);
    if (text === undefined) {
      // Water marks left out are derived from the queue capacity below.
      if (spec.key !== 'highWater' && spec.key !== 'lowWater') input[spec.key] = spec.default;
      continue;
    }
    const value = read(spec.type, text);
    // The unreadable text still goes to the schema: it fails there and so stays out of the checks
    // between flags, which would otherwise compare against a default the user did not choose.
    if (value === undefined) unreadable.set(spec.key, text);
    input[spec.key] = value ?? text;
  }

  const { data, issues } = parseSettings(
    flagShape,
    input,
    (valid) => {
      const marks = valid.queueCap === undefined ? undefined : waterMarks(valid.queueCap, valid);
      return crossCheck(flagLabels, {
        ...valid,
        highWater: given.has('highWater') ? valid.highWater : marks?.highWater,
        lowWater: given.has('lowWater') ? valid.lowWater : marks?.lowWater,
      });
    },
    flagOf,
  );
  for (const issue of issues) {
    const spec = specByName.get(String(issue.path[0]).slice(1));
    const text = spec && unreadable.get(spec.key);
    problems.push(
      spec !== undefined && text !== undefined
        ? invalidValue(spec, text, issue.message)
        : issue.message,
    );
  }

  // Asking for help or the version is answered even when other flags are wrong, as Go's -h is.
  if (data.help === true) return { ok: true, help: true };
  if (data.version === true) return { ok: true, version: true };
  if (problems.length > 0) return { ok: false, problems };
  const { help: _help, version: _version, ...settings } = data;
  return {
    ok: true,
    config: { ...settings, ...waterMarks(settings.queueCap, settings) },
  };
}

const typeNames: Record<FlagType, string> = {
  int: 'int',
  float: 'float',
  duration: 'duration',
  bool: '',
  string: 'string',
};

function showDefault(spec: FlagSpec): string | undefined {
  const value = spec.default;
  // Go leaves out zero defaults (false, 0, 0s, ""): they need no saying.
  if (value === undefined || value === false || value === 0 || value === '') return undefined;
  if (spec.type === 'duration') return formatDuration(value as number);
  if (spec.type === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * The help text: what the command does, then every flag in Go's `flag.PrintDefaults` layout
 * (sorted by name, type after the name, meaning on the next line, non-zero default at the end).
 *
 * @example
 * console.log(usage());
 * //   -max-workers int
 * //     	most workers running at once (default 8)
 */
export function usage(): string {
  const lines = [
    'Usage: dynpipe [flags]',
    '',
    'Runs a demo producer into an auto-scaling worker pool and logs each scaling decision and job,',
    'until -duration passes, SIGINT or SIGTERM arrives, or the error rate triggers a shutdown.',
    '',
    'Flags:',
  ];
  const sorted = [...flagDefaults].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const spec of sorted) {
    const type = typeNames[spec.type];
    const shown = showDefault(spec);
    lines.push(`  -${spec.name}${type === '' ? '' : ` ${type}`}`);
    lines.push(`    \t${spec.usage}${shown === undefined ? '' : ` (default ${shown})`}`);
  }
  return `${lines.join('\n')}\n`;
}
