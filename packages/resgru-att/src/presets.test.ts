import { ARCHITECTURES, ConfigError } from './config';
import { findEncoder } from './encoders/registry';
import { PRESETS, PRESET_NAMES, configFor, isPresetName } from './presets';

describe('the best preset', () => {
  it('is a preset name, and every architecture validates under it with the entity options it can take', () => {
    expect(PRESET_NAMES).toContain('best');
    expect(isPresetName('best')).toBe(true);
    for (const arch of ARCHITECTURES) {
      const config = configFor(arch, 'best');
      expect(config.arch).toBe(arch);
      expect(config.epochs).toBe(PRESETS.best.epochs);
      expect(config.entityTypes).toBe(PRESETS.best.entityTypes);
      expect(config.entityPooling).toBe(PRESETS.best.entityPooling);
      const attention = findEncoder(arch)!.configKeys.includes('attentionForm');
      expect(config.entityAttention).toBe(attention ? PRESETS.best.entityAttention : undefined);
    }
  });

  it('keeps the other presets free of entity options (the paper stays the paper)', () => {
    for (const preset of ['paper', 'small'] as const) {
      const config = configFor('resgru-att', preset);
      for (const key of ['entityTypes', 'entityPooling', 'entityAttention']) expect(key in config).toBe(false);
    }
  });

  it('still refuses entity attention that an override asks of an architecture without attention', () => {
    expect(() => configFor('pcnn', 'best', { entityAttention: true })).toThrow(ConfigError);
  });
});
