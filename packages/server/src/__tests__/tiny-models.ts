/*
 * Tiny NER and relation models trained in a few seconds on a learnable toy corpus (diseases treated with drugs and
 * showing symptoms, in two sentence templates, under the CMeIE schema), saved to a directory and loaded back as the
 * service loads them.
 */
import * as path from 'node:path';
import { loadNer, trainNer } from '@emr-re/ner';
import type { NerConfig } from '@emr-re/ner';
import { loadModel, selectBackend, train } from '@emr-re/resgru-att';
import type { ModelConfig } from '@emr-re/resgru-att';
import { loadSchema } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import { describeModels } from '../model-info';
import type { ServedModels } from '../options';
import { toyRecords as sharedToyRecords } from '../../../../test/toy-records';

/** `n` toy records (the shared toy corpus, with its second sentence form). */
export function toyRecords(n: number, seed: number): EmrRecord[] {
  return sharedToyRecords(n, seed, { variants: true });
}

const NER_CONFIG = {
  arch: 'bigru-crf',
  maxLength: 40,
  overlap: 8,
  charDim: 16,
  rnn: { units: 16, layers: 1 },
  batchSize: 16,
  learningRate: 0.02,
  epochs: 5,
  seed: 1,
} as NerConfig;

const RE_CONFIG = {
  arch: 'cnn',
  maxLength: 40,
  charDim: 16,
  positionDim: 4,
  maxDistance: 40,
  cnn: { filters: 16, windows: [3], blocks: 1 },
  batchSize: 16,
  learningRate: 0.01,
  epochs: 4,
  seed: 1,
} as ModelConfig;

/** Trains both toy models, saves them under `dir` (`ner/`, `re/`) and loads them as the service would. */
export async function tinyModels(
  dir: string,
): Promise<{ models: ServedModels; dirs: { ner: string; relations: string } }> {
  await selectBackend();
  const schema = await loadSchema('cmeie');
  const records = toyRecords(100, 1);
  const dirs = { ner: path.join(dir, 'ner'), relations: path.join(dir, 're') };
  const nerModel = await trainNer(records, NER_CONFIG, { schema });
  await nerModel.save(dirs.ner);
  nerModel.dispose();
  const reModel = await train(records, RE_CONFIG, { schema });
  await reModel.save(dirs.relations);
  reModel.dispose();
  const ner = await loadNer(dirs.ner);
  const relations = await loadModel(dirs.relations);
  return { models: { ner, relations, info: await describeModels(dirs, { ner, relations }) }, dirs };
}
