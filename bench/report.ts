/**
 * Prints the Markdown tables of a result file, or with `--write` puts them into BENCHMARKS.md between
 * the `<!-- bench:results:start -->` and `<!-- bench:results:end -->` markers (the prose around them
 * is left alone):
 *
 *   npx tsx bench/report.ts [bench/results/latest.json] [--write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdown } from './format.js';
import { computeTargets, type SuiteResult } from './results.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { write: { type: 'boolean' } },
  });
  const file = positionals[0] ?? join(ROOT, 'bench', 'results', 'latest.json');
  const result = JSON.parse(readFileSync(file, 'utf8')) as SuiteResult;
  result.targets = computeTargets(result); // derived: always by the current rules
  const tables = markdown(result);
  if (!values.write) {
    console.log(tables);
    return;
  }
  const target = join(ROOT, 'BENCHMARKS.md');
  const doc = readFileSync(target, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`BENCHMARKS.md has no ${START} ... ${END} section`);
  writeFileSync(target, `${doc.slice(0, start + START.length)}\n\n${tables}\n${doc.slice(end)}`);
  console.log(`Updated the results section of BENCHMARKS.md from ${file}`);
}

main();
