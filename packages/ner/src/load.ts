import { ensureNerBackend } from './backend';
import { readNerModelDirectory } from './manifest';
import { NerModel } from './model';

/**
 * Loads a NER model directory (verified against its manifest: format, version and the SHA-256 of every file).
 * @throws NerModelFormatError naming the file at fault when the directory is missing, damaged or foreign.
 * @example
 * const ner = await loadNer('models/ner');
 * const [record] = await ner.recognize(['患者有糖尿病史。']);
 * ner.dispose();
 */
export async function loadNer(dir: string): Promise<NerModel> {
  await ensureNerBackend();
  return new NerModel(await readNerModelDirectory(dir));
}
