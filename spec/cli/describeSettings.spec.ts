import { expect } from 'chai';
import { describeSettings } from '../../lib/cli/describeSettings.js';
import { flagDefaults, parseFlags, type CliConfig } from '../../lib/cli/flags.js';

function config(...argv: string[]): CliConfig {
  const result = parseFlags(argv);
  if (!('config' in result)) throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

describe('describeSettings', () => {
  it('lists every run setting in flag order, as the flags spell them', () => {
    expect(describeSettings({ ...config(), seed: 42 })).to.equal(
      'min-workers=1 max-workers=8 queue-cap=100 high-water=70 low-water=20 scale-interval=2s' +
        ' producer-rate=10 process-ms=80 jitter-ms=40 error-rate=0.05 demo=true err-window=10s' +
        ' err-threshold=10 duration=0s seed=42 log-format=text',
    );
  });

  it('writes durations in Go units and leaves out -help and -version', () => {
    const text = describeSettings({
      ...config('-scale-interval=1500ms', '-err-window=90s', '-duration=250ms', '-demo=false'),
      seed: 7,
    });
    expect(text).to.include(' scale-interval=1.5s ');
    expect(text).to.include(' err-window=1m30s ');
    expect(text).to.include(' duration=250ms ');
    expect(text).to.include(' demo=false ');
    expect(text).not.to.match(/help|version/);
    const names = text.split(' ').map((pair) => pair.split('=')[0]);
    expect(names).to.deep.equal(
      flagDefaults.map((f) => f.name).filter((n) => n !== 'help' && n !== 'version'),
    );
  });
});
