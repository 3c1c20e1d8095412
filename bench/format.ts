/** Renders results as plain-text tables (stdout) or Markdown (BENCHMARKS.md). */
import type { RatioResult, SuiteResult, Target, VariantResult } from './results.js';
import type { Spread } from './stats.js';

export function num(value: number, digits: number): string {
  if (!Number.isFinite(value)) return value === Infinity ? '∞' : '–';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `median (min–max)`, or the value alone for a single sample. */
export function cell(s: Spread | undefined, digits: number): string {
  if (!s || s.n === 0) return '–';
  if (s.n === 1 || s.min === s.max) return num(s.median, digits);
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

function rows(variant: VariantResult): string[][] {
  const header = ['contender', ...variant.columns.map((c) => c.label)];
  const body = Object.entries(variant.contenders).map(([name, result]) => {
    const failed = result.failures.length > 0 ? ` [${result.failures.length} failed]` : '';
    const jobs = result.params.jobs;
    const capped = jobs !== undefined && jobs !== variant.params.jobs ? ' *' : '';
    return [
      `${name}${capped}${failed}`,
      ...variant.columns.map((c) => cell(result.summary[c.key], c.digits)),
    ];
  });
  return [header, ...body];
}

function ratioRows(ratios: readonly RatioResult[]): string[][] {
  return [
    ['ratio (same run)', 'metric', 'of medians', 'per round: median (min–max)'],
    ...ratios.map((r) => [r.label, r.metric, num(r.ofMedians, 3), cell(r.perRound, 3)]),
  ];
}

function cappedNote(variant: VariantResult): string | undefined {
  const capped = Object.entries(variant.contenders).filter(
    ([, r]) => r.params.jobs !== undefined && r.params.jobs !== variant.params.jobs,
  );
  if (capped.length === 0) return undefined;
  return `* capped: ${capped.map(([name, r]) => `${name} ran ${num(r.params.jobs!, 0)} jobs`).join(', ')} (it would take minutes at the full count).`;
}

export function textTable(table: string[][]): string {
  const widths = table[0]!.map((_, k) => Math.max(...table.map((row) => row[k]!.length)));
  return table
    .map((row, i) => {
      const line = row.map((c, k) => (k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!)));
      const text = line.join('  ').trimEnd();
      return i === 0 ? `${text}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
    })
    .join('\n');
}

export function markdownTable(table: string[][]): string {
  const [header, ...body] = table;
  const align = header!.map((_, k) => (k === 0 ? ':--' : '--:'));
  return [header!, align, ...body].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

export function variantText(variant: VariantResult): string {
  const parts = [
    `\n${variant.title}  [${variant.repeat} run(s) each, load avg ${variant.loadavg.before.toFixed(1)} -> ${variant.loadavg.after.toFixed(1)}]`,
    textTable(rows(variant)),
  ];
  const note = cappedNote(variant);
  if (note) parts.push(note);
  if (variant.ratios.length > 0) parts.push('', textTable(ratioRows(variant.ratios)));
  return parts.join('\n');
}

function targetRows(targets: readonly Target[]): string[][] {
  return [
    ['target', 'goal', 'measured', 'met'],
    ...targets.map((t) => [t.label, t.goal, t.display, t.pass ? 'yes' : 'NO']),
  ];
}

export function targetsText(targets: readonly Target[]): string {
  return targets.length === 0 ? '' : `\nTargets\n${textTable(targetRows(targets))}`;
}

function paramsText(variant: VariantResult): string {
  return Object.entries(variant.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The generated part of BENCHMARKS.md: machine, versions, tables, ratios, targets. */
export function markdown(result: SuiteResult): string {
  const out: string[] = [];
  const pkgs = Object.entries(result.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  out.push(
    `Run of ${result.date} (${result.quick ? 'quick' : 'full'}, ${Math.round(result.wallS)} s): \`${result.command}\``,
    '',
    `- Machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${num(result.machine.memoryGB, 1)} GB, ${result.machine.os}`,
    `- Node ${result.node}; ${pkgs}`,
    '',
  );
  if (result.targets.length > 0) {
    out.push('### Targets', '', markdownTable(targetRows(result.targets)), '');
  }
  for (const variant of result.variants) {
    out.push(
      `### ${variant.title}`,
      '',
      `${variant.repeat} run(s) per contender, each in a fresh process, contenders alternating; cells are median (min–max). Load average ${variant.loadavg.before.toFixed(1)} -> ${variant.loadavg.after.toFixed(1)}. Settings: ${paramsText(variant)}.`,
      '',
      variant.description,
      '',
      markdownTable(rows(variant)),
      '',
    );
    const note = cappedNote(variant);
    if (note) out.push(note, '');
    if (variant.ratios.length > 0) out.push(markdownTable(ratioRows(variant.ratios)), '');
  }
  return out.join('\n');
}
