import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PRESETS } from '@emr-re/resgru-att';
import { configFromFlags, entityOptionHelp, entityOptionOverrides } from './flags';
import { sharedData } from '../../../test/shared-data';
import { runCli } from './__tests__/run-cli';

// --entity-types, --no-entity-types, --entity-pooling, --entity-attention and --class-weights set config keys on top
// of a preset or a --config, so that every variant of the ablation needs no hand-written config.
describe('entity option flags', () => {
  it('map to config keys; absent flags set nothing', () => {
    expect(entityOptionOverrides({})).toEqual({});
    expect(entityOptionOverrides({ 'entity-types': false, 'entity-attention': false })).toEqual({});
    expect(
      entityOptionOverrides({
        'entity-types': true,
        'entity-pooling': 'start',
        'entity-attention': true,
        'class-weights': 'balanced',
      }),
    ).toEqual({ entityTypes: true, entityPooling: 'start', entityAttention: true, classWeights: 'balanced' });
  });

  it('reject values outside their choices with the flag named', () => {
    expect(() => entityOptionOverrides({ 'entity-pooling': 'mean' })).toThrow(
      "--entity-pooling must be max or start, got 'mean'",
    );
    expect(() => entityOptionOverrides({ 'class-weights': 'inverse' })).toThrow(
      "--class-weights must be balanced, got 'inverse'",
    );
  });

  it('add to --preset small and keep its other keys', async () => {
    const config = await configFromFlags(
      { arch: 'bigru-att', preset: 'small', crossSentence: false, options: { entityTypes: true } },
      process.cwd(),
    );
    expect(config).toMatchObject({ ...PRESETS.small, arch: 'bigru-att', entityTypes: true });
    const plain = await configFromFlags({ arch: 'bigru-att', preset: 'small', crossSentence: false }, process.cwd());
    expect('entityTypes' in plain).toBe(false);
  });

  it('turn the types of --preset best off with --no-entity-types, and change its pooling', async () => {
    const options = entityOptionOverrides({ 'no-entity-types': true, 'entity-pooling': 'start' });
    const config = await configFromFlags({ arch: 'resgru-att', preset: 'best', crossSentence: false, options }, '.');
    expect('entityTypes' in config).toBe(false);
    expect(config).toMatchObject({
      epochs: PRESETS.best.epochs,
      patience: PRESETS.best.patience,
      entityPooling: 'start',
    });
    expect(() => entityOptionOverrides({ 'entity-types': true, 'no-entity-types': true })).toThrow(
      '--entity-types and --no-entity-types are exclusive',
    );
  });

  it('override the same key of a --config', async () => {
    const config = await configFromFlags(
      {
        config: '{"arch":"cnn-att","entityPooling":"max"}',
        crossSentence: false,
        options: { entityPooling: 'start', entityAttention: true },
      },
      process.cwd(),
    );
    expect(config).toMatchObject({ arch: 'cnn-att', entityPooling: 'start', entityAttention: true });
  });

  it('refuse entity attention for an architecture without attention pooling', async () => {
    await expect(
      configFromFlags({ arch: 'pcnn', preset: 'small', crossSentence: false, options: { entityAttention: true } }, '.'),
    ).rejects.toThrow(/entityAttention.*pcnn has no attention pooling/);
  });

  it('help lines start their descriptions at the given column', () => {
    const lines = entityOptionHelp(24).trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line.slice(0, 24).trimEnd().length).toBeLessThan(23);
    for (const line of lines) expect(line[24]).not.toBe(' ');
    expect(lines[0].startsWith('  --entity-types')).toBe(true);
  });
});

describe('emr-re train and bootstrap with entity option flags', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-entity-flags-'));
    const lines = (await fs.readFile(sharedData('cmeie/train.jsonl'), 'utf8')).split('\n').slice(0, 20);
    await fs.writeFile(path.join(tmp, 'slice.cmeie.jsonl'), lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const tiny = JSON.stringify({
    arch: 'bigru-att',
    maxLength: 40,
    charDim: 8,
    positionDim: 2,
    maxDistance: 40,
    rnn: { units: 8 },
    batchSize: 32,
    epochs: 1,
  });

  it('writes the options into the saved config', async () => {
    const r = await runCli(
      [
        ...['train', '--train', 'slice.cmeie.jsonl', '--format', 'cmeie', '--schema', 'cmeie', '--config', tiny],
        ...['--entity-types', '--entity-pooling', 'max', '--entity-attention', '--backend', 'wasm', '--quiet'],
        ...['--out', 'model'],
      ],
      tmp,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = JSON.parse(await fs.readFile(path.join(tmp, 'model', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ arch: 'bigru-att', entityTypes: true, entityPooling: 'max', entityAttention: true });
  });

  it('reach the model of every bootstrap iteration', async () => {
    const lines = (await fs.readFile(path.join(tmp, 'slice.cmeie.jsonl'), 'utf8')).trim().split('\n');
    await fs.writeFile(path.join(tmp, 'seed.cmeie.jsonl'), lines.slice(0, 10).join('\n') + '\n');
    await fs.writeFile(path.join(tmp, 'pool.cmeie.jsonl'), lines.slice(10).join('\n') + '\n');
    const r = await runCli(
      [
        ...['bootstrap', '--seed', 'seed.cmeie.jsonl', '--pool', 'pool.cmeie.jsonl', '--format', 'cmeie'],
        ...['--schema', 'cmeie', '--config', tiny, '--entity-types', '--entity-pooling', 'start'],
        ...['--max-iterations', '1', '--backend', 'wasm', '--quiet', '--out', 'run'],
      ],
      tmp,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const dir of ['run/model', 'run/iteration-1/classifier']) {
      const config = JSON.parse(await fs.readFile(path.join(tmp, dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ arch: 'bigru-att', entityTypes: true, entityPooling: 'start' });
      expect(config.entityAttention).toBeUndefined();
    }
  });

  it('exits 2 with one line on a bad value, writing nothing', async () => {
    const r = await runCli(
      [
        ...['train', '--train', 'slice.cmeie.jsonl', '--format', 'cmeie', '--schema', 'cmeie'],
        ...['--arch', 'pcnn', '--entity-attention', '--out', 'bad-model'],
      ],
      tmp,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/entityAttention/);
    await expect(fs.stat(path.join(tmp, 'bad-model'))).rejects.toThrow(/ENOENT/);
  });
});
