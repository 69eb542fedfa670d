import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LinearChainCrf, crfViterbi } from '@emr-re/engine';
import { CharVocabulary, CorpusFormatError } from '@emr-re/tokenize';
import type { EmbeddingSource, EmrRecord, Entity } from '@emr-re/tokenize';
import { ensureNerBackend } from './backend';
import { NerConfig, validateNerConfig } from './config';
import { windowBatch } from './examples';
import { writeNerModelDirectory } from './manifest';
import { crfMarginals } from './marginals';
import { buildTagger, initialiseCharEmbeddings } from './network';
import { decodeTags } from './tagging/decode';
import type { TaggedSpan } from './tagging/decode';
import { TagScheme, tagSchemeFor } from './tagging/scheme';
import { mergeWindowSpans } from './windows/merge';
import type { NerTrainReport } from './trainer';
import { TextWindow, splitWindows } from './windows/split';

/** A text to recognise entities in: a string, or an object with the text and an optional record id. */
export type RecognizeInput = string | { id?: string; text: string };

/** Options of `recognize`. */
export interface RecognizeOptions {
  /** Windows per inference batch (default 64). */
  batchSize?: number;
  /** Keep only entities whose score is at least this (default 0: every decoded entity). */
  minScore?: number;
}

/** The parts of a NER model: what a model directory holds. */
export interface NerModelParts {
  config: NerConfig;
  scheme: TagScheme;
  vocabulary: CharVocabulary;
  /** `chars, mask (batch, length)` → tag scores `(batch, length, K)`. */
  network: tfl.LayersModel;
  crf: LinearChainCrf;
}

const DEFAULT_INFERENCE_BATCH = 64;

interface ScoredSpan extends TaggedSpan {
  score: number;
}

/**
 * A character-level entity recogniser: the tagger network of `config.arch` and a constrained linear-chain CRF over
 * the BIOES tags of its entity types. `recognize` turns texts of any length into records with entities; `save`
 * writes a model directory that `loadNer` reads back.
 */
export class NerModel {
  private parts: NerModelParts;

  /** Use `createNerModel`, `trainNer` or `loadNer`. */
  constructor(parts: NerModelParts) {
    this.parts = parts;
  }

  /** The validated configuration. */
  get config(): NerConfig {
    return this.parts.config;
  }

  /** The entity types it recognises, in tag order. */
  get types(): readonly string[] {
    return this.parts.scheme.types;
  }

  /** The BIOES tag scheme (tags and CRF constraints). */
  get scheme(): TagScheme {
    return this.parts.scheme;
  }

  /** The character vocabulary. */
  get vocabulary(): CharVocabulary {
    return this.parts.vocabulary;
  }

  /** The tagger network (for inspection and training): `[chars, mask] (batch, length)` → `(batch, length, K)`. */
  get network(): tfl.LayersModel {
    return this.parts.network;
  }

  /** The report of the training run that made this model, when `trainNer` did (not saved with the model). */
  lastTrainReport?: NerTrainReport;

  /** The CRF on top of the network's tag scores. */
  get crf(): LinearChainCrf {
    return this.parts.crf;
  }

  /**
   * Entities in each text. A text is cut into sentence-aligned windows of at most `config.maxLength` characters
   * (over-long sentences into windows overlapping by `config.overlap`), each window is tagged by the network and
   * Viterbi-decoded under the BIOES constraints, the tags are read into spans (`decodeTags`), and the windows' spans
   * are merged back into text offsets (`mergeWindowSpans`: in an overlap, the copy farthest from a cut edge wins).
   *
   * Each entity's `score` is the mean, over its characters, of the CRF marginal probability of the decoded tag at that
   * character (`p(y_t = ŷ_t | window)`, forward-backward under the same constraints): 1 when the model has no doubt
   * about any of its characters, lower when some other tagging of them carries probability mass.
   *
   * Records come back as `{id, text, entities, relations: []}`, entity ids `e0, e1, …` in text order; a string input
   * gets id `text-<n>` (1-based), an object keeps its `id` (or gets the same default) and its other fields.
   * @throws CorpusFormatError when an input's text is not a string.
   */
  async recognize(inputs: readonly RecognizeInput[], options: RecognizeOptions = {}): Promise<EmrRecord[]> {
    const batchSize = options.batchSize ?? DEFAULT_INFERENCE_BATCH;
    const minScore = options.minScore ?? 0;
    const texts = inputs.map((input, i) => {
      const text = typeof input === 'string' ? input : input?.text;
      if (typeof text !== 'string') {
        const recordId = typeof input === 'object' && typeof input?.id === 'string' ? input.id : undefined;
        throw new CorpusFormatError(
          { recordId, line: recordId === undefined ? i + 1 : undefined, field: 'text' },
          'must be a string',
        );
      }
      return text;
    });
    const windows = texts.map((text) => splitWindows(text, this.config));
    const flat: Array<{ text: number; window: number; w: TextWindow }> = [];
    windows.forEach((ws, t) => ws.forEach((w, k) => flat.push({ text: t, window: k, w })));
    // Longest first, so each batch pads little.
    flat.sort((a, b) => b.w.text.length - a.w.text.length);
    const spans: ScoredSpan[][][] = windows.map((ws) => ws.map(() => []));
    const params = this.crf.parameterArrays();
    const { constraints, tags: tagNames } = this.scheme;
    for (let s = 0; s < flat.length; s += batchSize) {
      const chunk = flat.slice(s, s + batchSize);
      const batch = windowBatch(chunk.map((c) => ({ chars: this.vocabulary.encode(c.w.text) })));
      const emissions = tf.tidy(() => this.network.predict([batch.chars, batch.mask]) as tf.Tensor3D);
      tf.dispose([batch.chars, batch.mask]);
      const shape = emissions.shape as [number, number, number];
      // Read outside tidy (tidy would walk a returned typed array element by element).
      const values = (await emissions.data()) as Float32Array;
      emissions.dispose();
      const { paths } = crfViterbi(values, shape, batch.lengths, params, constraints);
      const marginals = crfMarginals(values, shape, batch.lengths, params, constraints);
      const [, T, K] = shape;
      chunk.forEach((c, b) => {
        const path = paths[b];
        const found = decodeTags(
          path.map((k) => tagNames[k]),
          c.w.text,
        ).map((span) => {
          let sum = 0;
          for (let t = span.start; t < span.end; t++) sum += marginals[(b * T + t) * K + path[t]];
          return { ...span, score: sum / (span.end - span.start) };
        });
        spans[c.text][c.window] = found;
      });
    }
    return inputs.map((input, i) => {
      const text = texts[i];
      const merged = mergeWindowSpans(windows[i], spans[i]).filter((e) => e.score >= minScore);
      const entities: Entity[] = merged.map((e, n) => ({
        id: `e${n}`,
        type: e.type,
        start: e.start,
        end: e.end,
        text: text.slice(e.start, e.end),
        score: e.score,
      }));
      const base = typeof input === 'string' ? {} : input;
      const id = typeof input !== 'string' && typeof input.id === 'string' ? input.id : `text-${i + 1}`;
      return { ...base, id, text, entities, relations: [] } as EmrRecord;
    });
  }

  /** Writes the model directory atomically (see `writeNerModelDirectory`). */
  async save(dir: string): Promise<void> {
    await writeNerModelDirectory(dir, this.parts);
  }

  /** Frees the network's and the CRF's tensors; the model is unusable afterwards. */
  dispose(): void {
    this.parts.network.dispose();
    this.parts.crf.dispose();
  }
}

/** What `createNerModel` needs. */
export interface CreateNerModelOptions {
  config: NerConfig;
  /** Entity types (see `nerTypes`). */
  types: readonly string[];
  vocabulary: CharVocabulary;
  /** Pretrained character vectors of dimension `config.charDim`; characters it lacks keep random vectors. */
  embeddings?: EmbeddingSource;
}

/**
 * A new, untrained model: the tagger of `config.arch` and a CRF constrained to valid BIOES sequences, weights seeded
 * by `config.seed`; with `embeddings`, character vectors start from them.
 */
export async function createNerModel(options: CreateNerModelOptions): Promise<NerModel> {
  await ensureNerBackend();
  const config = validateNerConfig(options.config);
  const scheme = tagSchemeFor(options.types);
  const network = buildTagger(config, { vocabularySize: options.vocabulary.size, numTags: scheme.tags.length });
  try {
    if (options.embeddings) {
      initialiseCharEmbeddings(network, options.vocabulary, options.embeddings, config.charDim);
    }
  } catch (err) {
    network.dispose();
    throw err;
  }
  const crf = new LinearChainCrf(scheme.tags.length, { seed: config.seed, constraints: scheme.constraints });
  return new NerModel({ config, scheme, vocabulary: options.vocabulary, network, crf });
}
