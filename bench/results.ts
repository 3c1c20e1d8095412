/** The shape of `bench/results/*.json`, and the figures derived from the samples: spreads, ratios, targets. */
import type { Params, Sample, ScenarioKind } from './protocol.js';
import { FASTEST_PEER, type Column, type RatioSpec } from './scenarios.js';
import { spread, type Spread } from './stats.js';
import { peerNames } from './contenders.js';

export interface RoundSample extends Sample {
  /** 0-based round the sample was taken in; samples of the same round are paired in ratios. */
  readonly round: number;
}

export interface ContenderResult {
  /** Settings as run (the variant's, with this contender's overrides). */
  readonly params: Params;
  readonly samples: RoundSample[];
  readonly failures: { round: number; error: string }[];
  /** Median and range of every metric over the samples. */
  summary: Record<string, Spread>;
}

export interface RatioResult {
  readonly label: string;
  readonly metric: string;
  readonly num: string;
  /** The contender actually divided by (`fastest-peer` resolved). */
  readonly den: string;
  /** Ratio of the medians. */
  readonly ofMedians: number;
  /** Median and range of the ratios within each round (samples of the same round). */
  readonly perRound: Spread;
}

export interface VariantResult {
  readonly id: string;
  readonly kind: ScenarioKind;
  readonly title: string;
  readonly description: string;
  readonly params: Params;
  readonly repeat: number;
  readonly columns: readonly Column[];
  readonly contenders: Record<string, ContenderResult>;
  ratios: RatioResult[];
  /** 1-minute load average before and after the variant ran (the machine may be shared). */
  readonly loadavg: { before: number; after: number };
  readonly wallS: number;
}

export interface Target {
  readonly id: string;
  readonly label: string;
  readonly goal: string;
  readonly value: number;
  readonly display: string;
  readonly pass: boolean;
}

export interface SuiteResult {
  readonly schema: 1;
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGB: number;
    readonly os: string;
  };
  readonly node: string;
  readonly packages: Record<string, string>;
  readonly variants: VariantResult[];
  targets: Target[];
  readonly wallS: number;
}

export function summarise(samples: readonly Sample[]): Record<string, Spread> {
  const keys = new Set(samples.flatMap((s) => Object.keys(s.metrics)));
  const out: Record<string, Spread> = {};
  for (const key of keys) out[key] = spread(samples.map((s) => s.metrics[key] ?? NaN));
  return out;
}

function better(columns: readonly Column[], metric: string): 'lower' | 'higher' {
  return columns.find((c) => c.key === metric)?.better ?? 'lower';
}

/** The best library on `metric` (by median), among the peers present. */
export function fastestPeer(variant: VariantResult, metric: string): string | undefined {
  const dir = better(variant.columns, metric);
  let best: string | undefined;
  let bestValue = NaN;
  for (const name of peerNames) {
    const value = variant.contenders[name]?.summary[metric]?.median;
    if (value === undefined || !Number.isFinite(value)) continue;
    if (best === undefined || (dir === 'lower' ? value < bestValue : value > bestValue)) {
      best = name;
      bestValue = value;
    }
  }
  return best;
}

export function computeRatio(variant: VariantResult, spec: RatioSpec): RatioResult | undefined {
  const den = spec.den === FASTEST_PEER ? fastestPeer(variant, spec.metric) : spec.den;
  const a = variant.contenders[spec.num];
  const b = den === undefined ? undefined : variant.contenders[den];
  const ma = a?.summary[spec.metric];
  const mb = b?.summary[spec.metric];
  if (!a || !b || !ma || !mb || den === undefined || ma.n === 0 || mb.n === 0) return undefined;
  const perRound: number[] = [];
  for (const sa of a.samples) {
    const sb = b.samples.find((s) => s.round === sa.round);
    if (sb) perRound.push(sa.metrics[spec.metric]! / sb.metrics[spec.metric]!);
  }
  return {
    label: spec.den === FASTEST_PEER ? spec.label.replace('fastest peer', den) : spec.label,
    metric: spec.metric,
    num: spec.num,
    den,
    ofMedians: ma.median / mb.median,
    perRound: spread(perRound),
  };
}

export function computeRatios(variant: VariantResult, specs: readonly RatioSpec[]): RatioResult[] {
  return specs
    .map((spec) => computeRatio(variant, spec))
    .filter((r): r is RatioResult => r !== undefined);
}

function ratioOf(result: SuiteResult, variantId: string, num: string, den: string) {
  const variant = result.variants.find((v) => v.id === variantId);
  return variant?.ratios.find((r) => r.num === num && (r.den === den || den === FASTEST_PEER));
}

/** The project's goals for dynpipe (issue 6), checked against the medians of this run. */
export function computeTargets(result: SuiteResult): Target[] {
  const targets: Target[] = [];
  const x = (v: number) => `${v.toFixed(2)}x`;
  // The ratio of medians, and the median of the ratios paired by round (steadier on a busy machine).
  const both = (r: RatioResult) =>
    r.perRound.n > 1 ? `${x(r.ofMedians)} (paired ${x(r.perRound.median)})` : x(r.ofMedians);
  for (const c of [8, 64]) {
    const id = `overhead-c${c}`;
    const variant = result.variants.find((v) => v.id === id);
    if (!variant) continue;
    const peer = fastestPeer(variant, 'nsPerJob');
    const vsPeer = variant.ratios.find((r) => r.num === 'dynpipe-off' && r.den === peer);
    if (vsPeer) {
      targets.push({
        id: `${id}-peer`,
        label: `per-job overhead, concurrency ${c}: dynpipe-off / fastest peer (${peer})`,
        goal: '<= 0.5x',
        value: vsPeer.ofMedians,
        display: both(vsPeer),
        pass: vsPeer.ofMedians <= 0.5,
      });
    }
    const vsFloor = ratioOf(result, id, 'dynpipe-off', 'minimal-pool');
    if (vsFloor) {
      targets.push({
        id: `${id}-floor`,
        label: `per-job overhead, concurrency ${c}: dynpipe-off / minimal-pool`,
        goal: '<= 4x',
        value: vsFloor.ofMedians,
        display: both(vsFloor),
        pass: vsFloor.ofMedians <= 4,
      });
    }
    const onOff = ratioOf(result, id, 'dynpipe-on', 'dynpipe-off');
    if (onOff) {
      targets.push({
        id: `${id}-scaling`,
        label: `scaling on vs off, concurrency ${c}: dynpipe-on / dynpipe-off ns/job`,
        goal: '<= 1.10x',
        value: onOff.ofMedians,
        display: both(onOff),
        pass: onOff.ofMedians <= 1.1,
      });
    }
  }
  const timer = ratioOf(result, 'timer-c50', 'dynpipe-off', 'minimal-pool');
  if (timer) {
    targets.push({
      id: 'timer-efficiency',
      label: 'timer-bound efficiency: dynpipe-off / minimal-pool',
      goal: '>= 0.99 (within 1%)',
      value: timer.ofMedians,
      display:
        timer.perRound.n > 1
          ? `${timer.ofMedians.toFixed(3)} (paired ${timer.perRound.median.toFixed(3)})`
          : timer.ofMedians.toFixed(3),
      pass: timer.ofMedians >= 0.99,
    });
  }
  const memory = result.variants.find((v) => v.id === 'memory-source');
  const growth = memory?.contenders['dynpipe-off']?.summary['retainedGrowthMB'];
  if (growth) {
    targets.push({
      id: 'memory-growth',
      label: `heap growth after warm-up, ${memory!.params.jobs!.toLocaleString('en-US')}-job source, queueCap 100 (dynpipe-off, worst run)`,
      goal: '< 5 MB',
      value: growth.max,
      display: `${growth.max.toFixed(2)} MB`,
      pass: growth.max < 5,
    });
  }
  return targets;
}
