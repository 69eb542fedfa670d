import { ConfigError } from '@emr-re/engine';
import { NER_PAPER_DEFAULTS, parseNerConfig, validateNerConfig } from './config';
import { NER_PRESETS, NER_PRESET_NAMES, isNerPresetName, nerConfigFor } from './presets';
import { registeredNerArchitectures } from './architectures';

describe('NER config', () => {
  it('fills missing keys from the paper defaults', () => {
    expect(validateNerConfig({ version: 1 })).toEqual(NER_PAPER_DEFAULTS);
    expect(validateNerConfig({ rnn: { units: 8 } }).rnn).toEqual({ units: 8, layers: 3 });
  });

  it('names the offending key', () => {
    const key = (value: unknown) => {
      try {
        validateNerConfig(value);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).key;
      }
      return undefined;
    };
    expect(key({ arch: 'crf-only' })).toBe('arch');
    expect(key({ positionDim: 5 })).toBe('positionDim');
    expect(key({ rnn: { size: 3 } })).toBe('rnn.size');
    expect(key({ cnn: { windows: [4] } })).toBe('cnn.windows[0]');
    expect(key({ maxLength: 40, overlap: 20 })).toBe('overlap');
    expect(key({ learningRate: 0 })).toBe('learningRate');
    expect(key({ version: 2 })).toBe('version');
    expect(() => parseNerConfig('{', 'ner.json')).toThrow(/ner.json: config key "\(root\)": not valid JSON/);
  });

  it('ships valid presets for every architecture', () => {
    expect(registeredNerArchitectures()).toEqual(['bigru-crf', 'bilstm-crf', 'resgru-crf']);
    for (const name of NER_PRESET_NAMES) {
      expect(isNerPresetName(name)).toBe(true);
      expect(validateNerConfig(NER_PRESETS[name])).toEqual(NER_PRESETS[name]);
    }
    expect(isNerPresetName('large')).toBe(false);
    const c = nerConfigFor('resgru-crf', 'small', { epochs: 2, cnn: { filters: 16 } as never });
    expect(c).toMatchObject({ arch: 'resgru-crf', epochs: 2, maxLength: 100, cnn: { filters: 16, windows: [3] } });
    expect(nerConfigFor().arch).toBe('bigru-crf');
  });
});
