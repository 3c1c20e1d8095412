/**
 * The benchmark suite: dynpipe against the libraries users would pick instead.
 *
 *   npm run bench                                  # everything (~10 min on 2 cores)
 *   npm run bench -- --quick                       # smoke run (~1-2 min), saved to results/quick.json
 *   npm run bench -- --scenario overhead,timer --repeat 3
 *   npm run bench -- --scenario overhead-c8 --contenders dynpipe-off,fastq-cb,minimal-pool
 *
 * Every measurement runs in a fresh `node --expose-gc --import tsx bench/child.ts` process and is
 * timed inside it; contenders alternate (ABCABC...). Tables go to stdout, progress to stderr, and
 * every figure to bench/results/latest.json (see --out). `--help` lists the options.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { markdown, targetsText, variantText } from './format.js';
import { machine, packageVersions } from './machine.js';
import { RESULT_PREFIX, type ChildSpec, type Sample } from './protocol.js';
import {
  computeRatios,
  computeTargets,
  summarise,
  type ContenderResult,
  type SuiteResult,
  type VariantResult,
} from './results.js';
import { suite, type Variant } from './scenarios.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CHILD = join(ROOT, 'bench', 'child.ts');

const HELP = `npm run bench -- [options]      (each option also reads an environment variable)

  --quick                 fewer jobs and runs: a smoke run                     BENCH_QUICK=1
  --scenario LIST         comma-separated: overhead, timer, memory, autoscale,
                          or a variant id (overhead-c8, overhead-c64, timer-c50,
                          memory-source, autoscale-step); 1-4 also work             BENCH_SCENARIOS
  --repeat N              runs per contender (default 5; memory 3; quick 2/1)   BENCH_REPEAT
  --autoscale-repeat N    runs per contender of the real-time scenario (1)     BENCH_AUTOSCALE_REPEAT
  --contenders LIST       only these contenders (comma-separated)              BENCH_CONTENDERS
  --out FILE              where to save the JSON (default bench/results/latest.json,
                          or quick.json with --quick)                          BENCH_OUT
  --no-save               print only
  --markdown              also print the Markdown tables (for BENCHMARKS.md)
  --set K=V[,K=V]         override scenario settings, e.g. --set highWater=5,lowWater=1
                          (only where the scenario has that setting)            BENCH_SET
  --profile DIR           CPU-profile the timed part of each job-scenario child into
                          DIR/*.cpuprofile (not saved unless --out); summarise with
                          npx tsx bench/profileSummary.ts DIR/*.cpuprofile      BENCH_PROFILE_DIR
  --help

Compare two runs: npx tsx bench/compare.ts bench/results/OLD.json bench/results/latest.json
Rewrite the tables in BENCHMARKS.md from a JSON: npx tsx bench/report.ts [FILE] --write`;

interface RunOptions {
  quick: boolean;
  scenarios: string[] | undefined;
  repeat: number | undefined;
  autoscaleRepeat: number | undefined;
  contenders: string[] | undefined;
  out: string | undefined;
  save: boolean;
  markdown: boolean;
  set: Record<string, number>;
  profile: string | undefined;
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be an integer >= 1, got ${value}`);
  return n;
}

/** `--set jobs=50000,concurrency=16`: replaces settings of the chosen scenarios (where they have them). */
function settings(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items.flatMap((i) => i.split(','))) {
    const match = /^\s*(\w+)\s*=\s*(-?[\d.e_]+)\s*$/.exec(item);
    if (!match) throw new Error(`--set expects key=number, got ${item}`);
    out[match[1]!] = Number(match[2]!.replaceAll('_', ''));
  }
  return out;
}

function options(): RunOptions | undefined {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      scenario: { type: 'string' },
      scenarios: { type: 'string' },
      repeat: { type: 'string' },
      'autoscale-repeat': { type: 'string' },
      contenders: { type: 'string' },
      out: { type: 'string' },
      'no-save': { type: 'boolean' },
      markdown: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const env = process.env;
  return {
    quick: values.quick ?? ['1', 'true', 'yes'].includes(env.BENCH_QUICK ?? ''),
    scenarios: list(values.scenario ?? values.scenarios ?? env.BENCH_SCENARIOS),
    repeat: count(values.repeat ?? env.BENCH_REPEAT, '--repeat'),
    autoscaleRepeat: count(
      values['autoscale-repeat'] ?? env.BENCH_AUTOSCALE_REPEAT,
      '--autoscale-repeat',
    ),
    contenders: list(values.contenders ?? env.BENCH_CONTENDERS),
    out: values.out ?? env.BENCH_OUT,
    // Profiled figures are slowed down by the profiler: not saved unless asked for.
    save: !values['no-save'] && (values.profile === undefined || values.out !== undefined),
    markdown: values.markdown ?? false,
    profile: values.profile ?? env.BENCH_PROFILE_DIR,
    set: settings([...(values.set ?? []), ...(list(env.BENCH_SET) ?? [])]),
  };
}

const ALIASES: Record<string, string> = {
  '1': 'overhead',
  '2': 'timer',
  '3': 'memory',
  '4': 'autoscale',
};

function select(variants: Variant[], o: RunOptions): Variant[] {
  let chosen = variants;
  if (o.scenarios) {
    const wanted = o.scenarios.map((s) => ALIASES[s] ?? s);
    const unknown = wanted.filter((w) => !variants.some((v) => v.kind === w || v.id === w));
    if (unknown.length > 0) {
      throw new Error(
        `unknown scenario ${unknown.join(', ')} (known: ${[...new Set(variants.flatMap((v) => [v.kind, v.id]))].join(', ')})`,
      );
    }
    chosen = variants.filter((v) => wanted.includes(v.kind) || wanted.includes(v.id));
  }
  if (o.contenders) {
    const all = new Set(variants.flatMap((v) => v.contenders));
    const unknown = o.contenders.filter((c) => !all.has(c));
    if (unknown.length > 0) {
      throw new Error(`unknown contender ${unknown.join(', ')} (known: ${[...all].join(', ')})`);
    }
    chosen = chosen
      .map((v) => ({ ...v, contenders: v.contenders.filter((c) => o.contenders!.includes(c)) }))
      .filter((v) => v.contenders.length > 0);
  }
  const set = Object.entries(o.set);
  if (set.length > 0) {
    chosen = chosen.map((v) => {
      const params = { ...v.params };
      for (const [key, value] of set) if (key in params) params[key] = value;
      return { ...v, params };
    });
  }
  return chosen;
}

const childEnv: NodeJS.ProcessEnv = { ...process.env };
delete childEnv.DEBUG; // dynpipe logs through `debug`: never while measuring
delete childEnv.NODE_OPTIONS;
delete childEnv.BENCH_PROFILE_DIR;

function runChild(spec: ChildSpec, timeoutMs: number): Promise<Sample> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHILD, JSON.stringify(spec)],
      { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        resolvePromise(JSON.parse(line.slice(RESULT_PREFIX.length)) as Sample);
        return;
      }
      const why = signal
        ? `killed (${signal}) after the ${timeoutMs / 1000} s time limit`
        : `exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no result'}`;
      reject(new Error(why));
    });
  });
}

function headline(variant: Variant, sample: Sample): string {
  const col = variant.columns.find((c) => c.better !== undefined) ?? variant.columns[0]!;
  const value = sample.metrics[col.key];
  return `${typeof value === 'number' ? value.toFixed(col.digits) : '–'} ${col.label}`;
}

/** A contender's own settings; a job-count override only ever lowers the count (it is a cap). */
function withOverrides(variant: Variant, name: string): Record<string, number> {
  const params = { ...variant.params, ...variant.overrides[name] };
  if (variant.params.jobs !== undefined && params.jobs !== undefined) {
    params.jobs = Math.min(params.jobs, variant.params.jobs);
  }
  return params;
}

async function runVariant(variant: Variant): Promise<VariantResult> {
  const started = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const contenders: Record<string, ContenderResult> = {};
  for (const name of variant.contenders) {
    contenders[name] = {
      params: withOverrides(variant, name),
      samples: [],
      failures: [],
      summary: {},
    };
  }
  for (let round = 0; round < variant.repeat; round++) {
    for (const name of variant.contenders) {
      const result = contenders[name]!;
      const label = `${variant.id} ${round + 1}/${variant.repeat} ${name}`;
      try {
        const sample = await runChild(
          { scenario: variant.kind, contender: name, params: result.params },
          variant.timeoutMs,
        );
        result.samples.push({ ...sample, round });
        process.stderr.write(`  ${label}: ${headline(variant, sample)}\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result.failures.push({ round, error: message });
        process.stderr.write(`  ${label}: FAILED ${message}\n`);
      }
    }
  }
  for (const result of Object.values(contenders)) result.summary = summarise(result.samples);
  const out: VariantResult = {
    id: variant.id,
    kind: variant.kind,
    title: variant.title,
    description: variant.description,
    params: variant.params,
    repeat: variant.repeat,
    columns: variant.columns,
    contenders,
    ratios: [],
    loadavg: { before: loadBefore, after: os.loadavg()[0]! },
    wallS: (Date.now() - started) / 1000,
  };
  out.ratios = computeRatios(out, variant.ratios);
  return out;
}

async function main(): Promise<void> {
  const o = options();
  if (!o) return;
  if (o.profile) childEnv.BENCH_PROFILE_DIR = resolve(o.profile);
  const variants = select(
    suite({ quick: o.quick, repeat: o.repeat, autoscaleRepeat: o.autoscaleRepeat }),
    o,
  );
  const started = Date.now();
  const command = [
    'npm run bench',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');
  console.log(`dynpipe benchmarks: ${command}`);
  const m = machine();
  console.log(`${m.cpu}, ${m.cores} cores, ${m.memoryGB.toFixed(1)} GB, Node ${process.version}`);
  const results: VariantResult[] = [];
  for (const variant of variants) {
    process.stderr.write(`\n${variant.title}\n`);
    const result = await runVariant(variant);
    results.push(result);
    console.log(variantText(result));
  }
  const suiteResult: SuiteResult = {
    schema: 1,
    date: new Date().toISOString(),
    command,
    quick: o.quick,
    machine: m,
    node: process.version,
    packages: packageVersions(ROOT),
    variants: results,
    targets: [],
    wallS: (Date.now() - started) / 1000,
  };
  suiteResult.targets = computeTargets(suiteResult);
  console.log(targetsText(suiteResult.targets));
  if (o.markdown) console.log(`\n${markdown(suiteResult)}`);
  if (o.save) {
    const file = resolve(
      o.out ?? join(ROOT, 'bench', 'results', o.quick ? 'quick.json' : 'latest.json'),
    );
    mkdirSync(dirname(file), { recursive: true });
    // Formatted as the repository's `prettier --check .` expects.
    const config = (await resolveConfig(file)) ?? {};
    writeFileSync(file, await format(JSON.stringify(suiteResult), { ...config, filepath: file }));
    console.log(`\nSaved ${relative(process.cwd(), file)} (${Math.round(suiteResult.wallS)} s)`);
  }
  if (results.some((r) => Object.values(r.contenders).some((c) => c.failures.length > 0))) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
