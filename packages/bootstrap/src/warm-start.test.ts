import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RecordingClassifier } from './__tests__/recording-classifier';
import { closeWarmStart, openWarmStart, warmStartPair } from './warm-start';

describe('warm starts', () => {
  it('load the new pair from the accepted iteration in the run directory', async () => {
    const log: string[] = [];
    const source = await openWarmStart('/runs/r');
    expect(source).toEqual({ runDir: '/runs/r' });
    const into = { classifier: new RecordingClassifier('c2', log), partner: new RecordingClassifier('p2', log) };
    const from = { classifier: new RecordingClassifier('c1', log), partner: new RecordingClassifier('p1', log) };
    await warmStartPair(into, from, source, 3);
    expect(log).toEqual(['c2.load', 'p2.load']);
    expect(into.classifier.loaded).toEqual([path.join('/runs/r', 'iteration-3', 'classifier')]);
    expect(into.partner.loaded).toEqual([path.join('/runs/r', 'iteration-3', 'partner')]);
    await closeWarmStart(source);
  });

  it('without a run directory, save the accepted pair to a scratch directory first, and remove it at the end', async () => {
    const log: string[] = [];
    const source = await openWarmStart(undefined);
    if (!('scratchDir' in source)) throw new Error('expected a scratch directory');
    await expect(fs.stat(source.scratchDir)).resolves.toBeDefined();
    const into = { classifier: new RecordingClassifier('c2', log) };
    const from = { classifier: new RecordingClassifier('c1', log) };
    await warmStartPair(into, from, source, 0);
    const dir = path.join(source.scratchDir, 'iteration-0-classifier');
    expect(log).toEqual(['c1.save', 'c2.load']);
    expect([from.classifier.saved, into.classifier.loaded]).toEqual([[dir], [dir]]);
    await closeWarmStart(source);
    await expect(fs.stat(source.scratchDir)).rejects.toThrow();
  });
});
