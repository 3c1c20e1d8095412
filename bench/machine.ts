/** What the figures were measured on: machine, Node, and the versions of every contender. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: os.totalmem() / 2 ** 30,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function version(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

/** The commit of this checkout, `+dirty` when lib/ has uncommitted changes (read-only git calls). */
function commit(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'lib') === '' ? head : `${head}+dirty`;
  } catch {
    return 'unknown';
  }
}

export const comparedPackages = ['p-queue', 'fastq', 'p-limit', 'async', 'rxjs', 'tsx'] as const;

export function packageVersions(root: string): Record<string, string> {
  const versions: Record<string, string> = {
    dynpipe: `${version(join(root, 'package.json'))} (${commit(root)})`,
  };
  for (const name of comparedPackages) {
    versions[name] = version(join(root, 'node_modules', name, 'package.json'));
  }
  return versions;
}
