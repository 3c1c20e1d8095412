import { z } from 'zod';

/**
 * How problems name a setting and show a value: the library names options (`minWorkers`), the command
 * names flags (`-min-workers`) and shows durations as it read them.
 */
export interface SettingLabels {
  name(key: SettingKey): string;
  value(key: SettingKey, value: unknown): string;
}

export type SettingKey =
  | 'minWorkers'
  | 'maxWorkers'
  | 'queueCap'
  | 'highWater'
  | 'lowWater'
  | 'scaleIntervalMs'
  | 'errWindowMs'
  | 'errThreshold'
  | 'overflow'
  | 'timeoutMs'
  | 'retries'
  | 'retryDelayMs'
  | 'shutdownDeadlineMs';

/** Shows a received value the way a user typed it: strings quoted, everything else as JavaScript prints it. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

export const optionLabels: SettingLabels = {
  name: (key) => key,
  value: (_key, value) => showValue(value),
};

/** One message per setting, whatever check failed: "Expected `x` to be ..., got `v`". */
function expect(labels: SettingLabels, key: SettingKey, what: string) {
  return (issue: { input?: unknown }) =>
    `Expected \`${labels.name(key)}\` to be ${what}, got \`${labels.value(key, issue.input)}\``;
}

function integer(labels: SettingLabels, key: SettingKey, min: number) {
  const error = expect(labels, key, `an integer >= ${min}`);
  return z.number({ error }).refine((v) => Number.isInteger(v) && v >= min, { error });
}

function positiveMs(labels: SettingLabels, key: SettingKey) {
  const error = expect(labels, key, 'a finite number of milliseconds > 0');
  return z.number({ error }).refine((v) => v > 0, { error });
}

function nonNegativeMs(labels: SettingLabels, key: SettingKey) {
  const error = expect(labels, key, 'a finite number of milliseconds >= 0');
  return z.number({ error }).refine((v) => v >= 0, { error });
}

export const overflowPolicies = ['error', 'drop-newest', 'drop-oldest'] as const;

/** Defaults of the Go design. `highWater`/`lowWater` default to 70% / 20% of `queueCap`. */
export const settingDefaults = {
  minWorkers: 1,
  maxWorkers: 8,
  queueCap: 100,
  scaleIntervalMs: 2000,
  errWindowMs: 10_000,
  errThreshold: 10,
  overflow: 'error',
  retries: 0,
  retryDelayMs: 100,
} as const;

/** The numeric and enum settings shared by `createPipeline` options and the command's flags. */
export function settingsShape(labels: SettingLabels) {
  return {
    minWorkers: integer(labels, 'minWorkers', 0).default(settingDefaults.minWorkers),
    maxWorkers: integer(labels, 'maxWorkers', 1).default(settingDefaults.maxWorkers),
    queueCap: integer(labels, 'queueCap', 1).default(settingDefaults.queueCap),
    highWater: integer(labels, 'highWater', 1).optional(),
    lowWater: integer(labels, 'lowWater', 0).optional(),
    scaleIntervalMs: positiveMs(labels, 'scaleIntervalMs').default(settingDefaults.scaleIntervalMs),
    errWindowMs: positiveMs(labels, 'errWindowMs').default(settingDefaults.errWindowMs),
    errThreshold: integer(labels, 'errThreshold', 0).default(settingDefaults.errThreshold),
    overflow: z
      .enum(overflowPolicies, {
        error: expect(labels, 'overflow', overflowPolicies.map((p) => `"${p}"`).join(' | ')),
      })
      .default(settingDefaults.overflow),
    timeoutMs: positiveMs(labels, 'timeoutMs').optional(),
    retries: integer(labels, 'retries', 0).default(settingDefaults.retries),
    retryDelayMs: nonNegativeMs(labels, 'retryDelayMs').default(settingDefaults.retryDelayMs),
    shutdownDeadlineMs: nonNegativeMs(labels, 'shutdownDeadlineMs').optional(),
  };
}

/**
 * Water marks the caller left out: 70% and 20% of the buffer, as in the Go design (70/20 of 100),
 * the low mark kept below a high mark that was given.
 */
export function waterMarks(
  queueCap: number,
  given: { highWater?: number | undefined; lowWater?: number | undefined },
): { highWater: number; lowWater: number } {
  const highWater = given.highWater ?? Math.max(1, Math.round(queueCap * 0.7));
  const lowWater =
    given.lowWater ?? Math.max(0, Math.min(Math.floor(queueCap * 0.2), highWater - 1));
  return { highWater, lowWater };
}

interface CrossValues {
  minWorkers?: number | undefined;
  maxWorkers?: number | undefined;
  queueCap?: number | undefined;
  highWater?: number | undefined;
  lowWater?: number | undefined;
}

/**
 * The checks between settings. Each runs when both of its settings are valid on their own, so that a
 * caller sees every problem at once, not one per run.
 */
export function crossCheck(labels: SettingLabels, v: CrossValues): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const n = (key: SettingKey) => `\`${labels.name(key)}\``;
  const show = (key: SettingKey, value: unknown) => `\`${labels.value(key, value)}\``;
  const add = (key: SettingKey, message: string, input: unknown) =>
    issues.push({ code: 'custom', path: [labels.name(key)], message, input });
  if (v.minWorkers !== undefined && v.maxWorkers !== undefined && v.minWorkers > v.maxWorkers) {
    add(
      'minWorkers',
      `Expected ${n('minWorkers')} to be <= ${n('maxWorkers')} (${show('maxWorkers', v.maxWorkers)}), got ${show('minWorkers', v.minWorkers)}`,
      v.minWorkers,
    );
  }
  if (v.queueCap !== undefined && v.highWater !== undefined && v.highWater > v.queueCap) {
    add(
      'highWater',
      `Expected ${n('highWater')} to be <= ${n('queueCap')} (${show('queueCap', v.queueCap)}), got ${show('highWater', v.highWater)}`,
      v.highWater,
    );
  }
  if (v.highWater !== undefined && v.lowWater !== undefined && v.lowWater >= v.highWater) {
    add(
      'lowWater',
      `Expected ${n('lowWater')} to be < ${n('highWater')} (${show('highWater', v.highWater)}), got ${show('lowWater', v.lowWater)}`,
      v.lowWater,
    );
  }
  return issues;
}
