/**
 * @emr-re/embeddings: character word2vec for Chinese EMRs. Streaming loaders and atomic writers for the
 * word2vec text and binary formats, a multi-threaded skip-gram/CBOW trainer, and cosine neighbours.
 */
export type { EmbeddingSource } from '@emr-re/tokenize';
export { EmbeddingTable, cosineSimilarity, nearestNeighbours, type Neighbour } from './table';
export { EmbeddingFormatError, EmbeddingCorpusError, type EmbeddingFileLocation } from './errors';
export {
  Word2VecTextParser,
  Word2VecBinaryParser,
  createWord2VecParser,
  detectWord2VecFormat,
  formatFloat32,
  type Word2VecFormat,
  type Word2VecParser,
  type Word2VecParserOptions,
} from './format';
export {
  loadWord2Vec,
  writeWord2VecText,
  writeWord2VecBinary,
  readCorpusLines,
  EmbeddingFileError,
  type LoadWord2VecOptions,
} from './io';
export { CorpusEncoder, encodeCorpus, SENTENCE_END, type EncodedCorpus } from './corpus';
export {
  trainWord2Vec,
  resolveWord2VecOptions,
  negativeSamplingTable,
  keepProbabilities,
  type Word2VecOptions,
  type Word2VecKernelChoice,
  type TrainWord2VecControl,
} from './train';
export { wasmSimdSupported } from './simd/wasm-kernel';
