import { expect } from 'chai';
import { flagDefaults, parseFlags, usage, type CliConfig } from '../../lib/cli/flags.js';

const defaults: CliConfig = {
  minWorkers: 1,
  maxWorkers: 8,
  queueCap: 100,
  highWater: 70,
  lowWater: 20,
  scaleIntervalMs: 2000,
  producerRate: 10,
  processMs: 80,
  jitterMs: 40,
  errorRate: 0.05,
  demo: true,
  errWindowMs: 10_000,
  errThreshold: 10,
  durationMs: 0,
  seed: undefined,
  logFormat: 'text',
};

/** The config of a command line that must be valid. */
function config(...argv: string[]): CliConfig {
  const result = parseFlags(argv);
  if (!('config' in result)) throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

/** The problems of a command line that must be invalid. */
function problems(...argv: string[]): string[] {
  const result = parseFlags(argv);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result)}`);
  return result.problems;
}

describe('parseFlags', () => {
  describe('defaults', () => {
    it('gives the Go design defaults when no flag is given', () => {
      expect(parseFlags([])).to.deep.equal({ ok: true, config: defaults });
    });

    it('derives the water marks from -queue-cap when they are left out', () => {
      expect(config('-queue-cap=50')).to.include({ queueCap: 50, highWater: 35, lowWater: 10 });
    });

    it('derives only the water mark that is left out', () => {
      expect(config('-queue-cap=50', '-high-water=40')).to.include({
        highWater: 40,
        lowWater: 10,
      });
      expect(config('-queue-cap=50', '-low-water=5')).to.include({ highWater: 35, lowWater: 5 });
    });

    it('lists every flag with its default in flagDefaults', () => {
      const table = Object.fromEntries(flagDefaults.map((f) => [f.name, f.default]));
      expect(table).to.deep.equal({
        'min-workers': 1,
        'max-workers': 8,
        'queue-cap': 100,
        'high-water': 70,
        'low-water': 20,
        'scale-interval': 2000,
        'producer-rate': 10,
        'process-ms': 80,
        'jitter-ms': 40,
        'error-rate': 0.05,
        demo: true,
        'err-window': 10_000,
        'err-threshold': 10,
        duration: 0,
        seed: undefined,
        'log-format': 'text',
        help: false,
        version: false,
      });
    });
  });

  describe('spellings', () => {
    it('reads -name=value, -name value, --name=value and --name value alike', () => {
      for (const argv of [
        ['-max-workers=4'],
        ['-max-workers', '4'],
        ['--max-workers=4'],
        ['--max-workers', '4'],
      ]) {
        expect(config(...argv).maxWorkers, argv.join(' ')).to.equal(4);
      }
    });

    it('reads every flag into its config field', () => {
      expect(
        config(
          '-min-workers=2',
          '-max-workers=6',
          '-queue-cap=40',
          '-high-water=30',
          '-low-water=5',
          '-scale-interval=500ms',
          '-producer-rate=2.5',
          '-process-ms=10',
          '-jitter-ms=0',
          '-error-rate=1',
          '-demo=false',
          '-err-window=1m30s',
          '-err-threshold=0',
          '-duration=1.5s',
          '-seed=-42',
          '-log-format=json',
        ),
      ).to.deep.equal({
        minWorkers: 2,
        maxWorkers: 6,
        queueCap: 40,
        highWater: 30,
        lowWater: 5,
        scaleIntervalMs: 500,
        producerRate: 2.5,
        processMs: 10,
        jitterMs: 0,
        errorRate: 1,
        demo: false,
        errWindowMs: 90_000,
        errThreshold: 0,
        durationMs: 1500,
        seed: -42,
        logFormat: 'json',
      });
    });

    it('reads a bare boolean flag as true and -flag=false as false', () => {
      expect(config('-demo=false', '-demo').demo).to.equal(true);
      expect(config('-demo=true').demo).to.equal(true);
      expect(config('-demo=false').demo).to.equal(false);
      expect(config('--demo=false').demo).to.equal(false);
    });

    it("accepts Go's other boolean spellings", () => {
      for (const text of ['1', 't', 'T', 'TRUE', 'True']) {
        expect(config(`-demo=${text}`).demo, text).to.equal(true);
      }
      for (const text of ['0', 'f', 'F', 'FALSE', 'False']) {
        expect(config(`-demo=${text}`).demo, text).to.equal(false);
      }
    });

    it('does not let a bare boolean take the next argument, as Go does not', () => {
      expect(problems('-demo', 'false')).to.deep.equal([
        'unexpected argument "false" (a boolean flag takes its value after "=": -demo=false)',
      ]);
    });

    it('takes the next argument as the value even when it starts with a dash, as Go does', () => {
      expect(problems('-jitter-ms', '-5')).to.deep.equal([
        'Expected `-jitter-ms` to be an integer >= 0, got `-5`',
      ]);
      expect(problems('-queue-cap', '-demo')).to.deep.equal([
        'invalid value "-demo" for flag -queue-cap: expected an integer >= 1',
      ]);
    });

    it('keeps the last of a flag given twice', () => {
      expect(config('-max-workers=4', '-max-workers=6').maxWorkers).to.equal(6);
      expect(config('-max-workers=abc', '-max-workers=6').maxWorkers).to.equal(6);
    });

    it('takes an = inside the value as part of it', () => {
      expect(problems('-log-format=a=b')).to.deep.equal([
        'Expected `-log-format` to be "text" | "json", got `"a=b"`',
      ]);
    });

    it('ends the flags at --, and reports what follows as unexpected', () => {
      expect(config('-max-workers=4', '--').maxWorkers).to.equal(4);
      expect(problems('--', '-max-workers=4')).to.deep.equal([
        'unexpected argument "-max-workers=4"',
      ]);
    });

    it('reports a positional argument and still reads the flags after it', () => {
      expect(problems('run', '-foo', '-min-workers=x')).to.deep.equal([
        'unexpected argument "run"',
        'flag provided but not defined: -foo',
        'invalid value "x" for flag -min-workers: expected an integer >= 0',
      ]);
    });

    it('reports a lone dash as an argument, not a flag', () => {
      expect(problems('-')).to.deep.equal(['unexpected argument "-"']);
    });
  });

  describe('help and version', () => {
    it('asks for help with -help, -h, --help and -help=true', () => {
      for (const arg of ['-help', '-h', '--help', '--h', '-help=true']) {
        expect(parseFlags([arg]), arg).to.deep.equal({ ok: true, help: true });
      }
    });

    it('asks for the version with -version and --version', () => {
      expect(parseFlags(['-version'])).to.deep.equal({ ok: true, version: true });
      expect(parseFlags(['--version'])).to.deep.equal({ ok: true, version: true });
    });

    it('answers help before version and before any problem', () => {
      expect(parseFlags(['-version', '-help'])).to.deep.equal({ ok: true, help: true });
      expect(parseFlags(['-foo', '-min-workers=x', '-h'])).to.deep.equal({ ok: true, help: true });
      expect(parseFlags(['-foo', '-version'])).to.deep.equal({ ok: true, version: true });
    });

    it('runs normally with -help=false and -version=false', () => {
      expect(parseFlags(['-help=false', '-version=false'])).to.deep.equal({
        ok: true,
        config: defaults,
      });
    });
  });

  describe('problems', () => {
    it('reports an unknown flag as Go does, however it is spelled', () => {
      expect(problems('-foo')).to.deep.equal(['flag provided but not defined: -foo']);
      expect(problems('--foo=1')).to.deep.equal(['flag provided but not defined: -foo']);
    });

    it('reports a flag that needs a value and has none', () => {
      expect(problems('-queue-cap')).to.deep.equal(['flag needs an argument: -queue-cap']);
      expect(problems('--scale-interval')).to.deep.equal([
        'flag needs an argument: -scale-interval',
      ]);
    });

    it('reports bad flag syntax as Go does', () => {
      expect(problems('---queue-cap=5')).to.deep.equal(['bad flag syntax: ---queue-cap=5']);
      expect(problems('-=5')).to.deep.equal(['bad flag syntax: -=5']);
    });

    it('reports text that is not an integer, naming the flag, the text and the bound', () => {
      expect(problems('-min-workers=abc')).to.deep.equal([
        'invalid value "abc" for flag -min-workers: expected an integer >= 0',
      ]);
      expect(problems('-max-workers=1.5')).to.deep.equal([
        'invalid value "1.5" for flag -max-workers: expected an integer >= 1',
      ]);
      expect(problems('-process-ms=')).to.deep.equal([
        'invalid value "" for flag -process-ms: expected an integer >= 0',
      ]);
      expect(problems('-seed=0x10')).to.deep.equal([
        'invalid value "0x10" for flag -seed: expected an integer',
      ]);
      expect(problems('-seed=9007199254740993')).to.deep.equal([
        'invalid value "9007199254740993" for flag -seed: expected an integer',
      ]);
    });

    it('reports text that is not a number', () => {
      expect(problems('-error-rate=lots')).to.deep.equal([
        'invalid value "lots" for flag -error-rate: expected a number from 0 to 1',
      ]);
      expect(problems('-producer-rate=NaN')).to.deep.equal([
        'invalid value "NaN" for flag -producer-rate: expected a number > 0',
      ]);
    });

    it('reports text that is not a duration', () => {
      expect(problems('-scale-interval=2')).to.deep.equal([
        'invalid value "2" for flag -scale-interval: expected a duration such as 500ms, 2s or 1m30s',
      ]);
      expect(problems('-duration=2x')).to.deep.equal([
        'invalid value "2x" for flag -duration: expected a duration such as 500ms, 2s or 1m30s',
      ]);
    });

    it('reports text that is not a boolean', () => {
      expect(problems('-demo=yes')).to.deep.equal([
        'invalid value "yes" for flag -demo: expected true or false',
      ]);
    });

    it('reports a -log-format other than text or json', () => {
      expect(problems('-log-format=xml')).to.deep.equal([
        'Expected `-log-format` to be "text" | "json", got `"xml"`',
      ]);
    });

    it('reports an -error-rate outside 0..1', () => {
      expect(problems('-error-rate=1.5')).to.deep.equal([
        'Expected `-error-rate` to be a number from 0 to 1, got `1.5`',
      ]);
      expect(problems('-error-rate=-0.1')).to.deep.equal([
        'Expected `-error-rate` to be a number from 0 to 1, got `-0.1`',
      ]);
    });

    it('reports a -producer-rate that is not above 0', () => {
      expect(problems('-producer-rate=0')).to.deep.equal([
        'Expected `-producer-rate` to be a number > 0, got `0`',
      ]);
    });

    it('reports negative -process-ms, -jitter-ms and -duration', () => {
      expect(problems('-process-ms=-1', '-jitter-ms=-2', '-duration=-1s')).to.deep.equal([
        'Expected `-process-ms` to be an integer >= 0, got `-1`',
        'Expected `-jitter-ms` to be an integer >= 0, got `-2`',
        'Expected `-duration` to be a duration >= 0, got `-1s`',
      ]);
    });

    it("reports the shared settings' range problems in the library's words, with flag names", () => {
      expect(problems('-max-workers=0', '-scale-interval=0s', '-err-window=-10s')).to.deep.equal([
        'Expected `-max-workers` to be an integer >= 1, got `0`',
        'Expected `-scale-interval` to be a finite number of milliseconds > 0, got `0s`',
        'Expected `-err-window` to be a finite number of milliseconds > 0, got `-10s`',
      ]);
    });

    it('reports -min-workers above -max-workers', () => {
      expect(problems('-min-workers=5', '-max-workers=2')).to.deep.equal([
        'Expected `-min-workers` to be <= `-max-workers` (`2`), got `5`',
      ]);
    });

    it('reports -low-water at or above -high-water', () => {
      expect(problems('-high-water=30', '-low-water=30')).to.deep.equal([
        'Expected `-low-water` to be < `-high-water` (`30`), got `30`',
      ]);
    });

    it('reports -high-water above -queue-cap', () => {
      expect(problems('-queue-cap=50', '-high-water=60')).to.deep.equal([
        'Expected `-high-water` to be <= `-queue-cap` (`50`), got `60`',
      ]);
    });

    it('checks a given water mark against the one derived from -queue-cap', () => {
      expect(problems('-queue-cap=50', '-low-water=40')).to.deep.equal([
        'Expected `-low-water` to be < `-high-water` (`35`), got `40`',
      ]);
    });

    it('does not compare against a flag whose value could not be read', () => {
      expect(problems('-min-workers=9', '-max-workers=abc')).to.deep.equal([
        'invalid value "abc" for flag -max-workers: expected an integer >= 1',
      ]);
      expect(problems('-high-water=abc', '-low-water=80')).to.deep.equal([
        'invalid value "abc" for flag -high-water: expected an integer >= 1',
      ]);
    });

    it('reports every problem at once', () => {
      expect(
        problems(
          '-foo',
          '-min-workers=abc',
          '-max-workers',
          '0',
          '-demo',
          'false',
          '-error-rate=2',
          '-duration=-5s',
          '-log-format=xml',
          '-high-water=120',
          '-low-water=120',
          '-queue-cap',
        ),
      ).to.deep.equal([
        'flag provided but not defined: -foo',
        'unexpected argument "false" (a boolean flag takes its value after "=": -demo=false)',
        'flag needs an argument: -queue-cap',
        'invalid value "abc" for flag -min-workers: expected an integer >= 0',
        'Expected `-max-workers` to be an integer >= 1, got `0`',
        'Expected `-error-rate` to be a number from 0 to 1, got `2`',
        'Expected `-duration` to be a duration >= 0, got `-5s`',
        'Expected `-log-format` to be "text" | "json", got `"xml"`',
        'Expected `-high-water` to be <= `-queue-cap` (`100`), got `120`',
        'Expected `-low-water` to be < `-high-water` (`120`), got `120`',
      ]);
    });
  });
});

describe('usage', () => {
  it("lists every flag with its type in Go's layout", () => {
    const text = usage();
    for (const spec of flagDefaults) {
      const type = spec.type === 'bool' ? '' : ` ${spec.type}`;
      expect(text).to.include(`\n  -${spec.name}${type}\n    \t${spec.usage}`);
    }
  });

  it('shows non-zero defaults as Go does and leaves zero ones out', () => {
    const text = usage();
    expect(text).to.include('most workers running at once (default 8)\n');
    expect(text).to.include('(default 2s)\n');
    expect(text).to.include('(default 10s)\n');
    expect(text).to.include('(default 0.05)\n');
    expect(text).to.include(
      'an 18x burst for 0.5s every 30s, calm at 0.1x between (false: a steady -producer-rate) (default true)\n',
    );
    expect(text).to.include('(default "text")\n');
    expect(text).to.include('stop after this long; 0 runs until SIGINT or SIGTERM\n');
    expect(text).not.to.include('(default 0s)');
    expect(text).not.to.include('(default false)');
  });

  it('sorts the flags by name, as Go does', () => {
    const names = [...usage().matchAll(/^ {2}-([a-z-]+)/gm)].map((m) => m[1]);
    expect(names).to.have.length(flagDefaults.length);
    expect(names).to.deep.equal([...names].sort());
  });
});
