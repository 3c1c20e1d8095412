import { flagDefaults, type CliConfig } from './flags.js';
import { formatDuration } from './parseDuration.js';

/** The settings a run uses: every flag but -help and -version, with the seed actually drawn. */
export type RunSettings = CliConfig & { seed: number };

/**
 * The settings of a run as `name=value` pairs in the flag table's order, spelled as the flags
 * accept them (durations in Go's units), for the command's startup line. The seed is always
 * there, so that a run with a random seed can be repeated.
 *
 * @example
 * describeSettings({ ...config, seed: 42 });
 * // "min-workers=1 max-workers=8 queue-cap=100 high-water=70 low-water=20 scale-interval=2s ..."
 */
export function describeSettings(settings: RunSettings): string {
  const pairs: string[] = [];
  for (const spec of flagDefaults) {
    if (spec.key === 'help' || spec.key === 'version') continue;
    const value = settings[spec.key];
    const shown = spec.type === 'duration' ? formatDuration(value as number) : String(value);
    pairs.push(`${spec.name}=${shown}`);
  }
  return pairs.join(' ');
}
