import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package root, where `lib/cli/main.ts` is found. */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** How a run of the command ended, with everything it wrote. */
export interface CliExit {
  /** The exit status; `null` when a signal killed it (see `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Every stdout line, without the newline. */
  readonly lines: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  /** True when the hard timeout killed it. */
  readonly timedOut: boolean;
}

/** A running command. */
export interface CliRun {
  readonly child: ChildProcess;
  /** The stdout lines so far. */
  readonly lines: readonly string[];
  /** Resolves with the first stdout line (already written or still to come) matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves once the process has exited and its output is read. */
  readonly exit: Promise<CliExit>;
}

export interface SpawnOptions {
  /** The process gets SIGKILL after this long, whatever it is doing. Default 10 s. */
  timeoutMs?: number;
}

interface Waiter {
  readonly pattern: RegExp;
  readonly resolve: (line: string) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Starts the real command, `node --import tsx lib/cli/main.ts ...args`, from the package root,
 * with the debug logs off. It is always ended: a hard timeout kills it with SIGKILL.
 *
 * @example
 * const run = startCli(['-duration=1s']);
 * await run.waitForLine(/worker 1 started/);
 * run.child.kill('SIGINT');
 * const { code, lines } = await run.exit;
 */
export function startCli(args: readonly string[], options: SpawnOptions = {}): CliRun {
  const { timeoutMs = 10_000 } = options;
  const env = { ...process.env };
  delete env.DEBUG;
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let waiters: Waiter[] = [];
  let timedOut = false;
  let closed = false;

  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);

  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      waiters = waiters.filter((waiter) => {
        if (!waiter.pattern.test(line)) return true;
        waiter.resolve(line);
        return false;
      });
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));

  const exit = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the output streams are fully read by then.
    child.on('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      if (partial !== '') lines.push(partial);
      for (const waiter of waiters) {
        waiter.reject(
          new Error(
            `the command exited (code ${code}, signal ${signal}) before a line matched ${waiter.pattern}\n` +
              `stdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      }
      waiters = [];
      resolve({ code, signal, lines, stdout, stderr, timedOut });
    });
  });

  return {
    child,
    lines,
    exit,
    waitForLine(pattern) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      if (closed) {
        return Promise.reject(new Error(`the command already exited; no line matched ${pattern}`));
      }
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
  };
}

/** Runs the command to its end. */
export function runCli(args: readonly string[], options?: SpawnOptions): Promise<CliExit> {
  return startCli(args, options).exit;
}

/**
 * Runs each command line to its end, `concurrency` at a time, and gives the exits in order.
 *
 * @example
 * const [a, b] = await runAll([['-help'], ['-version']]);
 */
export async function runAll(
  argvs: readonly (readonly string[])[],
  options?: SpawnOptions & { concurrency?: number },
): Promise<CliExit[]> {
  const concurrency = options?.concurrency ?? 2;
  const exits: CliExit[] = new Array<CliExit>(argvs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < argvs.length) {
      const index = next++;
      exits[index] = await runCli(argvs[index]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, argvs.length) }, lane));
  return exits;
}
