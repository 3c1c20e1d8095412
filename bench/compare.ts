/**
 * Compares two result files of `npm run bench`, figure by figure:
 *
 *   npx tsx bench/compare.ts bench/results/before.json bench/results/latest.json [--all]
 *
 * For each scenario, contender and table figure: the old and new medians, the change, and whether
 * the new range lies wholly beyond the old one ("better"/"worse"; otherwise "~", within the noise).
 * Then the ratios and the targets side by side. `--all` also lists unchanged figures.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { num, textTable } from './format.js';
import type { SuiteResult, VariantResult } from './results.js';
import type { Spread } from './stats.js';

function load(file: string): SuiteResult {
  const data = JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  if (data.schema !== 1) throw new Error(`${file}: unknown schema ${String(data.schema)}`);
  return data;
}

function verdict(before: Spread, after: Spread, better: 'lower' | 'higher' | undefined): string {
  if (better === undefined) return '';
  if (after.min > before.max) return better === 'higher' ? 'better' : 'worse';
  if (after.max < before.min) return better === 'lower' ? 'better' : 'worse';
  return '~';
}

function change(before: number, after: number): string {
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === 0) return '–';
  const pct = ((after - before) / Math.abs(before)) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function compareVariant(a: VariantResult, b: VariantResult, all: boolean): string[][] {
  const rows: string[][] = [];
  for (const [name, nb] of Object.entries(b.contenders)) {
    const na = a.contenders[name];
    if (!na) continue;
    for (const col of b.columns) {
      const sa = na.summary[col.key];
      const sb = nb.summary[col.key];
      if (!sa || !sb || sa.n === 0 || sb.n === 0) continue;
      const v = verdict(sa, sb, col.better);
      if (!all && v !== 'better' && v !== 'worse') continue;
      rows.push([
        name,
        col.label,
        num(sa.median, col.digits),
        num(sb.median, col.digits),
        change(sa.median, sb.median),
        v,
      ]);
    }
  }
  return rows;
}

// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { all: { type: 'boolean' } },
  });
  if (positionals.length !== 2) {
    console.error('usage: npx tsx bench/compare.ts OLD.json NEW.json [--all]');
    process.exitCode = 2;
    return;
  }
  const [before, after] = positionals.map(load) as [SuiteResult, SuiteResult];
  console.log(`old: ${before.date} ${before.packages.dynpipe ?? ''} Node ${before.node}`);
  console.log(`new: ${after.date} ${after.packages.dynpipe ?? ''} Node ${after.node}`);
  if (before.machine.cpu !== after.machine.cpu || before.machine.cores !== after.machine.cores) {
    console.log(
      `note: different machines (${before.machine.cpu} x${before.machine.cores} vs ${after.machine.cpu} x${after.machine.cores}); compare the ratios, not the absolute figures`,
    );
  }
  if (before.quick !== after.quick) console.log('note: one run is --quick, the other is not');
  for (const vb of after.variants) {
    const va = before.variants.find((v) => v.id === vb.id);
    if (!va) continue;
    console.log(`\n${vb.title}`);
    const rows = compareVariant(va, vb, values.all ?? false);
    if (rows.length > 0) {
      console.log(textTable([['contender', 'figure', 'old', 'new', 'change', ''], ...rows]));
    } else {
      console.log('(no figure moved beyond the old range; --all lists them)');
    }
    const ratios = vb.ratios.map((rb) => {
      const ra = va.ratios.find((r) => r.label === rb.label);
      return [
        rb.label,
        ra ? num(ra.ofMedians, 3) : '–',
        num(rb.ofMedians, 3),
        ra ? change(ra.ofMedians, rb.ofMedians) : '–',
      ];
    });
    if (ratios.length > 0) {
      console.log(`\n${textTable([['ratio (of medians)', 'old', 'new', 'change'], ...ratios])}`);
    }
  }
  if (after.targets.length > 0) {
    const rows = after.targets.map((t) => {
      const old = before.targets.find((o) => o.id === t.id);
      return [t.label, t.goal, old?.display ?? '–', t.display, t.pass ? 'yes' : 'NO'];
    });
    console.log(`\nTargets\n${textTable([['target', 'goal', 'old', 'new', 'met'], ...rows])}`);
  }
}

main();
