/**
 * One measurement in a fresh process:
 *   node --expose-gc --import tsx bench/child.ts '{"scenario":"overhead","contender":"p-limit","params":{...}}'
 * Prints one line `BENCH_RESULT {...}` with the figures; everything is timed inside this process.
 */
import { autoscale } from './autoscale.js';
import { memory, overhead, timer } from './jobScenarios.js';
import { RESULT_PREFIX, type ChildSpec, type Sample } from './protocol.js';

const runners = { overhead, timer, memory, autoscale } satisfies Record<
  ChildSpec['scenario'],
  (contender: string, params: ChildSpec['params']) => Promise<Sample>
>;

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) throw new Error('usage: bench/child.ts <spec JSON>');
  const spec = JSON.parse(arg) as ChildSpec;
  const runner = runners[spec.scenario];
  if (!runner) throw new Error(`unknown scenario ${spec.scenario}`);
  const sample = await runner(spec.contender, spec.params);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(sample)}\n`);
}

main().then(
  // Leftover timers or handles of a contender must not keep the measurement open.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
