/** What the runner asks of a child process, and how the child answers. */

export type ScenarioKind = 'overhead' | 'timer' | 'memory' | 'autoscale';

export const scenarioKinds: readonly ScenarioKind[] = ['overhead', 'timer', 'memory', 'autoscale'];

/** Numeric settings of one scenario variant (jobs, concurrency, rates...). */
export type Params = Readonly<Record<string, number>>;

/** The child's argument: run `contender` once on `scenario` with `params`. */
export interface ChildSpec {
  readonly scenario: ScenarioKind;
  readonly contender: string;
  readonly params: Params;
}

/** One measurement: named figures (NaN when not applicable), plus optional extra data. */
export interface Sample {
  readonly metrics: Record<string, number>;
  readonly extra?: unknown;
}

/** The child prints exactly one line starting with this, followed by the JSON of a {@link Sample}. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export const MB = 1024 * 1024;
