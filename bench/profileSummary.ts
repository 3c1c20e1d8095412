/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): the functions with the most self time,
 * and self time per file.
 *
 *   npx tsx bench/profileSummary.ts /tmp/dynpipe-prof/CPU.*.cpuprofile [--top 25] [--filter lib/]
 *
 * `--filter` keeps the per-function list to frames whose URL contains the text; percentages stay
 * relative to the whole profile.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const repo = url.indexOf('/lib/');
  if (repo >= 0) return url.slice(repo + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url.replace(/^file:\/\//, '');
}

/** Self time per function (by name and position) and per file, in ms, heaviest first. */
export function summarise(profile: CpuProfile): {
  totalMs: number;
  functions: SelfTime[];
  files: SelfTime[];
} {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let k = 0; k < profile.samples.length; k++) {
    const id = profile.samples[k]!;
    // A sample's delta is the time until it was taken; charge it to the sampled node.
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0));
  }
  let totalUs = 0;
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    const file = shortUrl(frame.url);
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${file}:${frame.lineNumber + 1}` : file;
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const fileKey = frame.url ? file : name.startsWith('(') ? name : '(native)';
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const share = (us: number) => (totalUs > 0 ? us / totalUs : 0);
  return {
    totalMs: totalUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, share: share(f.us) })),
    files: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([where, us]) => ({ name: where, where, selfMs: us / 1000, share: share(us) })),
  };
}

// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
  });
  const top = Number(values.top);
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const { totalMs, functions, files } = summarise(profile);
    log(`\n${file}: ${totalMs.toFixed(0)} ms sampled`);
    log('\nself time by function:');
    const shown = values.filter
      ? functions.filter((f) => f.where.includes(values.filter!))
      : functions;
    for (const f of shown.slice(0, top)) {
      log(
        `${f.selfMs.toFixed(1).padStart(9)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`,
      );
    }
    log('\nself time by file:');
    for (const f of files.slice(0, top)) {
      log(
        `${f.selfMs.toFixed(1).padStart(9)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.where}`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
