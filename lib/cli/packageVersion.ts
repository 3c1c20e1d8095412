import { readFileSync } from 'node:fs';

/**
 * The `version` of the package's package.json. The file is found relative to this module, two
 * levels up, which is the package root both from `lib/cli/` (run with tsx) and from `dist/cli/`
 * (the published bin).
 *
 * @example
 * packageVersion(); // "0.1.0"
 */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}
