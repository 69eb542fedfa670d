import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { main } from '../cli';
import type { CliIO } from '../io';
import { sharedData } from '../../../../test/shared-data';

const CMEIE = sharedData('cmeie/train.jsonl');

/** A narrow ResGRU-Att so that a few trainings take seconds. */
const TINY_CONFIG = JSON.stringify({
  version: 1,
  arch: 'resgru-att',
  maxLength: 80,
  charDim: 16,
  positionDim: 4,
  maxDistance: 80,
  cnn: { filters: 8, windows: [3], blocks: 1 },
  rnn: { units: 8, layers: 1 },
  dropout: 0.1,
  batchSize: 64,
  learningRate: 0.01,
  epochs: 1,
  seed: 1,
  minCount: 1,
});

function fakeIO(cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, cwd, env: {} };
}

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-cli-bootstrap-'));
  const lines = readFileSync(CMEIE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  await fs.writeFile(path.join(tmp, 'seed.jsonl'), lines.slice(0, 12).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'pool.jsonl'), lines.slice(12, 36).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'dev.jsonl'), lines.slice(-8).join('\n') + '\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const baseArgs = (out: string): string[] => [
  'bootstrap',
  '--seed',
  'seed.jsonl',
  '--pool',
  'pool.jsonl',
  '--dev',
  'dev.jsonl',
  '--format',
  'cmeie',
  '--schema',
  'cmeie',
  '--config',
  TINY_CONFIG,
  // λ = 0 lets every pair pass, so both iterations move exactly N pairs whatever the tiny model learnt
  '--lambda',
  '0',
  '--per-iteration',
  '40',
  '--max-iterations',
  '2',
  '--epochs',
  '2',
  '--out',
  out,
];

describe('emr-re bootstrap', () => {
  it('runs ResGRU-Att bootstrapping end to end, prints one JSON object, and resumes a finished run without training', async () => {
    const io = fakeIO(tmp);
    const code = await main([...baseArgs('run'), '--pool-gold', '--json'], io);
    expect(io.err.join('')).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const stdout = io.out.join('');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    const its = result.iterations as {
      iteration: number;
      added: number;
      poolLeft: number;
      labelled: number;
      wrongAdded: number;
      dev: { micro: { f1: number }; macro: { f1: number } };
    }[];
    expect(result.stopReason).toBe('max-iterations');
    expect(its).toHaveLength(2);
    its.forEach((it, i) => {
      expect(it.iteration).toBe(i + 1);
      expect(it.added).toBe(40);
      expect(it.wrongAdded).toBeLessThanOrEqual(it.added);
      expect(it.dev.micro.f1).toBeGreaterThanOrEqual(0);
      expect(it.dev.micro.f1).toBeLessThanOrEqual(1);
      if (i > 0) {
        expect(it.poolLeft).toBe(its[i - 1].poolLeft - it.added);
        expect(it.labelled).toBe(its[i - 1].labelled + it.added);
      }
    });
    // `labelled` counts the pairs each iteration's model trained on, its own moved pairs included
    expect(result.labelled).toBe(its[1].labelled);
    expect(result.labelled + result.poolLeft).toBe(its[0].labelled + its[0].poolLeft);
    expect(result.seedDev.micro.f1).toBeGreaterThanOrEqual(0);

    const out = path.join(tmp, 'run');
    const entries = await fs.readdir(out);
    expect(entries).toEqual(expect.arrayContaining(['run.json', 'state.json', 'model', 'iteration-0', 'iteration-1']));
    const added = (await fs.readFile(path.join(out, 'iteration-1', 'added.jsonl'), 'utf8')).trim().split('\n');
    expect(added).toHaveLength(its[0].added);
    // the run directory names records and offsets, never their text
    const seedText = JSON.parse(readFileSync(path.join(tmp, 'seed.jsonl'), 'utf8').split('\n')[0]).text as string;
    expect(added.join('\n')).not.toContain(seedText.slice(0, 12));
    await expect(fs.stat(path.join(out, 'model', 'manifest.json'))).resolves.toBeDefined();

    const again = fakeIO(tmp);
    const started = Date.now();
    const tensorsBefore = tf.memory().numTensors;
    expect(await main([...baseArgs('run'), '--pool-gold', '--json', '--resume'], again)).toBe(0);
    // loading the accepted model and disposing it leaves no tensor behind
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(JSON.parse(again.out.join('')).iterations).toEqual(result.iterations);
    expect(again.err.join('')).not.toMatch(/epoch/);
    expect(Date.now() - started).toBeLessThan(60000);

    // an existing run is never overwritten silently
    const clash = fakeIO(tmp);
    expect(await main([...baseArgs('run'), '--json'], clash)).toBe(2);
    expect(clash.err.join('')).toBe(
      `emr-re bootstrap: --out ${out} already holds a bootstrap run; add --resume to continue it or choose another directory\n`,
    );
    // nor resumed with other settings
    const other = fakeIO(tmp);
    expect(await main([...baseArgs('run').map((a) => (a === '0' ? '0.5' : a)), '--pool-gold', '--resume'], other)).toBe(
      2,
    );
    expect(other.err.join('')).toContain('option lambda is 0.5 but the run was started with 0');
  });

  it('--calibrate, --agree and --pseudo-weight reach the run: recorded in run.json, the partner saved per iteration', async () => {
    const io = fakeIO(tmp);
    const argv = [
      ...baseArgs('agree'),
      '--calibrate',
      '0.5',
      '--calibrate-min-support',
      '2',
      '--agree',
      'cnn',
      '--pseudo-weight',
      'probability',
    ];
    argv[argv.indexOf('--max-iterations') + 1] = '1';
    const code = await main([...argv, '--json'], io);
    expect(io.err.join('')).not.toMatch(/internal error/);
    expect(code).toBe(0);
    const out = path.join(tmp, 'agree');
    const info = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
    expect(info.options.calibration).toEqual({ targetPrecision: 0.5, minSupport: 2 });
    expect(info.options.agreement).toBe('cnn');
    expect(info.options.pseudoLabelWeight).toBe('probability');
    const result = JSON.parse(io.out.join(''));
    // Seeded run: enough pairs pass both models' thresholds and agree for one full iteration of N = 40.
    expect(result.iterations).toHaveLength(1);
    expect(result.iterations[0].added).toBe(40);
    expect(await fs.readdir(path.join(out, 'iteration-1'))).toEqual(
      expect.arrayContaining(['added.jsonl', 'classifier', 'partner']),
    );
    // A resume with another partner is refused, naming the option.
    const again = fakeIO(tmp);
    const other = argv.map((a) => (a === 'cnn' ? 'pcnn' : a));
    expect(await main([...other, '--resume'], again)).toBe(2);
    expect(again.err.join('')).toMatch(/agreement/);
  });

  it('leaves no tensors behind after a run that trains, predicts and rolls models over', async () => {
    const io = fakeIO(tmp);
    expect(
      await main(
        [
          'bootstrap',
          '--seed',
          'seed.jsonl',
          '--pool',
          'pool.jsonl',
          '--format',
          'cmeie',
          '--schema',
          'cmeie',
          '--config',
          TINY_CONFIG,
          '--lambda',
          '0',
          '--per-iteration',
          '40',
          '--max-iterations',
          '1',
          '--epochs',
          '1',
          '--out',
          'warm',
          '--json',
        ],
        io,
      ),
    ).toBe(0);
    const before = tf.memory().numTensors;
    const again = fakeIO(tmp);
    expect(
      await main(
        [
          'bootstrap',
          '--seed',
          'seed.jsonl',
          '--pool',
          'pool.jsonl',
          '--format',
          'cmeie',
          '--schema',
          'cmeie',
          '--config',
          TINY_CONFIG,
          '--lambda',
          '0',
          '--per-iteration',
          '40',
          '--max-iterations',
          '1',
          '--epochs',
          '1',
          '--warm-start',
          '--out',
          'warm2',
          '--json',
        ],
        again,
      ),
    ).toBe(0);
    expect(JSON.parse(again.out.join('')).iterations[0].added).toBe(40);
    expect(tf.memory().numTensors).toBe(before);
  });

  /** Every flag a bootstrap run requires, so that each usage-error case below adds only its own. */
  const REQUIRED = [
    '--seed',
    'seed.jsonl',
    '--pool',
    'pool.jsonl',
    '--format',
    'cmeie',
    '--schema',
    'cmeie',
    '--out',
    'x',
  ];
  it.each([
    [['--pool', 'pool.jsonl'], '--seed FILE (the labelled seed set) is required'],
    [[...REQUIRED, '--lambda', '1.5'], "--lambda must be a number in [0, 1), got '1.5'"],
    [[...REQUIRED, '--class-quotas', '{bad'], '--class-quotas must be'],
    [[...REQUIRED, '--dev-drop-tolerance', '0.1'], '--dev-drop-tolerance needs --dev FILE'],
    [[...REQUIRED, '--calibrate', '0.9'], '--calibrate needs --dev FILE'],
    [[...REQUIRED, '--calibrate', '1.5'], "--calibrate must be a precision in (0, 1], got '1.5'"],
    [[...REQUIRED, '--agree', 'svm'], '--agree must be one of cnn, cnn-att'],
    [
      ['--seed', 'missing.jsonl', '--pool', 'pool.jsonl', '--format', 'cmeie', '--schema', 'cmeie', '--out', 'x'],
      'missing.jsonl: no such file or directory',
    ],
    [[...REQUIRED, '--pseudo-weight', '0'], "--pseudo-weight must be a number in (0, 1] or 'probability', got '0'"],
  ])('%j is a usage error (exit 2, one line)', async (args, message) => {
    const io = fakeIO(tmp);
    expect(await main(['bootstrap', ...args], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toContain(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
