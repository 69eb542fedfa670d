import type { EmrRecord } from '@emr-re/tokenize';
import { applyAssertions, defaultAssertionLexicon, loadNer } from '@emr-re/ner';
import type { AssertionLexicon, NerModel } from '@emr-re/ner';
import { loadModel } from '@emr-re/resgru-att';
import type { RelationExtractor } from '@emr-re/resgru-att';

/** Where the two models of a pipeline are. */
export interface PipelineDirectories {
  /** A directory written by `emr-re ner train`. */
  ner: string;
  /**
   * A directory written by `emr-re train`; several (e.g. the same configuration trained with several seeds) are
   * used as one ensemble averaging their probabilities, at k times the relation step's time.
   */
  relations: string | readonly string[];
}

/** Options of `Pipeline.extract`. */
export interface PipelineOptions {
  /** Keep entities whose score is at least this (default 0). */
  minEntityScore?: number;
  /** Keep relations whose probability is at least this (default 0). */
  minRelationScore?: number;
  /**
   * Set `assertion` (present, absent, possible, historical, family) on disease, symptom and treatment entities
   * with `detectAssertions` of @emr-re/ner (default true).
   */
  assertions?: boolean;
  /** The trigger lexicon of assertion detection (default the shipped one; `loadAssertionLexicon(file)` extends it). */
  assertionLexicon?: AssertionLexicon;
  /**
   * Keep relations whose head or tail is `absent` (negated, denied, ruled out). Default false: with `assertions`
   * on, such relations are dropped, except those whose label states the absence (`negatedLabels`); historical and
   * family entities keep theirs, marked on the entity.
   */
  keepAbsent?: boolean;
  /** Labels kept although an entity is absent (default `NEGATED_LABELS` of @emr-re/ner: the paper's SNAP). */
  negatedLabels?: readonly string[];
}

/** Raw text in, entities and relations out: NER, then relation extraction between the entities it found. */
export interface Pipeline {
  readonly ner: NerModel;
  readonly relations: RelationExtractor;
  /** Records `{id?, text}` (any entities they carry are ignored) → records with scored entities and relations. */
  extract(records: ReadonlyArray<{ id?: string; text: string }>, options?: PipelineOptions): Promise<EmrRecord[]>;
  /** Streaming `extract`, `batchSize` records at a time (default 64), in input order, in bounded memory. */
  extractStream(
    records: Iterable<{ id?: string; text: string }> | AsyncIterable<{ id?: string; text: string }>,
    options?: PipelineOptions & { batchSize?: number },
  ): AsyncIterable<EmrRecord>;
  /** Frees both models' tensors. */
  dispose(): void;
}

/**
 * Loads a NER model and a relation model as one extraction pipeline. The entity types the recogniser emits are
 * paired under the relation model's schema, so train both on the same schema (`--schema`). `defaults` are the
 * options of every `extract` call (a call's own options win): by default entities carry assertions and a relation
 * of an absent entity is dropped (`assertions`, `keepAbsent`).
 * @example
 * const pipeline = await loadPipeline({ ner: 'ner-model', relations: 're-model' });
 * const [record] = await pipeline.extract([{ id: 'r1', text: '糖尿病患者可口服二甲双胍治疗。' }]);
 */
export async function loadPipeline(dirs: PipelineDirectories, defaults: PipelineOptions = {}): Promise<Pipeline> {
  const lexicon = defaults.assertionLexicon ?? defaultAssertionLexicon();
  const ner = await loadNer(dirs.ner);
  let relations: RelationExtractor;
  try {
    relations = await loadModel(dirs.relations);
  } catch (err) {
    ner.dispose();
    throw err;
  }
  const extract = async (
    records: ReadonlyArray<{ id?: string; text: string }>,
    callOptions: PipelineOptions = {},
  ): Promise<EmrRecord[]> => {
    const options = { assertionLexicon: lexicon, ...defaults, ...callOptions };
    const inputs = records.map((r) => ({ id: r.id, text: r.text }));
    const recognised = await ner.recognize(inputs, { minScore: options.minEntityScore });
    const predicted = await relations.predict(recognised, { minScore: options.minRelationScore });
    return predicted.map((r) =>
      applyAssertions(r, {
        assertions: options.assertions,
        lexicon: options.assertionLexicon,
        keepAbsent: options.keepAbsent,
        negatedLabels: options.negatedLabels,
      }),
    );
  };
  return {
    ner,
    relations,
    extract,
    async *extractStream(records, options = {}) {
      const size = options.batchSize ?? 64;
      let pending: Array<{ id?: string; text: string }> = [];
      for await (const record of records) {
        pending.push(record);
        if (pending.length >= size) {
          yield* await extract(pending, options);
          pending = [];
        }
      }
      if (pending.length > 0) yield* await extract(pending, options);
    },
    dispose() {
      ner.dispose();
      relations.dispose();
    },
  };
}
