import { configFromFlags } from './flags';
import { PRESETS } from '@emr-re/resgru-att';

// `emr-re train --arch A --preset best` goes through configFromFlags, the existing --preset flag.
describe('--preset best', () => {
  it('gives the arch the best preset with its entity options', async () => {
    const config = await configFromFlags({ arch: 'resgru-att', preset: 'best', crossSentence: false }, process.cwd());
    expect(config).toMatchObject({ ...PRESETS.best, arch: 'resgru-att' });
    const pcnn = await configFromFlags({ arch: 'pcnn', preset: 'best', crossSentence: false }, process.cwd());
    expect(pcnn.arch).toBe('pcnn');
    expect(pcnn.entityAttention).toBeUndefined();
  });

  it('is listed in the error of an unknown preset', async () => {
    await expect(configFromFlags({ arch: 'cnn', preset: 'huge', crossSentence: false }, process.cwd())).rejects.toThrow(
      /--preset must be one of paper, small, best/,
    );
  });
});
