import { ConfigError, PAPER_DEFAULTS, mergeConfig, parseConfig, validateConfig } from './config';
import { PRESETS, configFor } from './presets';

describe('validateConfig', () => {
  it('fills the paper defaults (Table 3) for missing keys', () => {
    const c = validateConfig({ arch: 'cnn' });
    expect(c.arch).toBe('cnn');
    expect(c.batchSize).toBe(64);
    expect(c.charDim).toBe(300);
    expect(c.positionDim).toBe(25);
    expect(c.rnn).toEqual({ units: 512, layers: 3 });
    expect(c.cnn).toEqual({ filters: 128, windows: [3, 5, 7], blocks: 5 });
    expect(c.learningRate).toBe(0.015);
    expect(c.dropout).toBe(0.5);
  });

  it('merges nested sections key by key', () => {
    const c = validateConfig({ cnn: { filters: 8 }, rnn: { layers: 1 } });
    expect(c.cnn).toEqual({ filters: 8, windows: [3, 5, 7], blocks: 5 });
    expect(c.rnn).toEqual({ units: 512, layers: 1 });
  });

  it.each([
    [{ arch: 'lstm' }, 'arch'],
    [{ cnn: { filters: 0 } }, 'cnn.filters'],
    [{ cnn: { windows: [3, 4] } }, 'cnn.windows[1]'],
    [{ cnn: { windows: [] } }, 'cnn.windows'],
    [{ cnn: { kernel: 3 } }, 'cnn.kernel'],
    [{ rnn: { units: 1.5 } }, 'rnn.units'],
    [{ dropout: 1 }, 'dropout'],
    [{ learningRate: 0 }, 'learningRate'],
    [{ batchSize: '64' }, 'batchSize'],
    [{ version: 2 }, 'version'],
    [{ epoch: 3 }, 'epoch'],
    [{ classWeights: { 药物治疗: -1 } }, 'classWeights.药物治疗'],
    [{ classWeights: 'inverse' }, 'classWeights'],
    [{ crossSentence: 'yes' }, 'crossSentence'],
    [{ attentionForm: 'softmax' }, 'attentionForm'],
  ])('rejects %j naming key %s', (value, key) => {
    let err: unknown;
    try {
      validateConfig(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe(key);
    expect((err as ConfigError).message).toContain(`"${key}"`);
  });

  it('names the source file in messages and reports JSON syntax errors', () => {
    expect(() => parseConfig('{"arch": "cnn",', 'my.json')).toThrow(/^my\.json: config key "\(root\)": not valid JSON/);
    expect(() => parseConfig('{"maxLength": 2}', 'my.json')).toThrow(
      'my.json: config key "maxLength": must be between 4 and 4096 (got 2)',
    );
  });

  it('round-trips through JSON', () => {
    const c = validateConfig({
      arch: 'pcnn',
      classWeights: 'balanced',
      patience: 2,
      crossSentence: true,
      attentionForm: 'tanh-score',
    });
    expect(validateConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('mergeConfig replaces arrays and keeps untouched keys', () => {
    expect(mergeConfig({ a: { b: [1, 2], c: 1 } }, { a: { b: [3] } })).toEqual({ a: { b: [3], c: 1 } });
  });
});

describe('presets', () => {
  it('paper is Table 3 and small is a valid smaller model of the same schema', () => {
    expect(PRESETS.paper).toEqual(PAPER_DEFAULTS);
    expect(validateConfig(PRESETS.small)).toEqual(PRESETS.small);
    expect(PRESETS.small.rnn.units).toBeLessThan(PRESETS.paper.rnn.units);
  });

  it('configFor sets the architecture and applies overrides', () => {
    const c = configFor('bigru-att', 'small', { epochs: 3, seed: 7 });
    expect(c.arch).toBe('bigru-att');
    expect(c.epochs).toBe(3);
    expect(c.seed).toBe(7);
    expect(c.charDim).toBe(PRESETS.small.charDim);
  });
});
