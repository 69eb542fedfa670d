import { ASSERTION_VALUES, CorpusFormatError, UNKNOWN_LABEL, generateCandidates } from '@emr-re/tokenize';
import type { Candidate, EmrRecord, Entity, Relation, Schema } from '@emr-re/tokenize';
import { RelationEnsemble, loadRelationEnsemble } from './ensemble';
import { RelationModel, loadRelationModel } from './model';

/** Options of `RelationExtractor.predict`. */
export interface ExtractOptions {
  /** Keep only relations whose probability is at least this (default 0: every non-unknown argmax). */
  minScore?: number;
}

/**
 * A record to predict on: an `EmrRecord` whose entities may come untyped (e.g. from `JSON.parse`);
 * they are checked at run time. Existing relations are ignored.
 */
export interface RecordInput {
  id: string;
  text: string;
  entities: readonly unknown[];
  relations?: readonly unknown[];
}

/**
 * Checks the entities of an untyped record: ids and types strings, `0 ≤ start < end ≤ text.length`.
 * @throws CorpusFormatError naming the record and field (never the text).
 */
export function checkedEntities(record: RecordInput, index: number): Entity[] {
  const recordId = typeof record.id === 'string' ? record.id : undefined;
  const fail = (field: string, reason: string): never => {
    throw new CorpusFormatError({ recordId, field, line: recordId === undefined ? index + 1 : undefined }, reason);
  };
  if (recordId === undefined) fail('id', 'must be a string');
  if (typeof record.text !== 'string') fail('text', 'must be a string');
  if (!Array.isArray(record.entities)) fail('entities', 'must be an array');
  return record.entities.map((e, i) => {
    const x = e as Partial<Entity> | null;
    if (typeof x !== 'object' || x === null) return fail(`entities[${i}]`, 'must be an object');
    if (typeof x.id !== 'string') fail(`entities[${i}].id`, 'must be a string');
    if (typeof x.type !== 'string') fail(`entities[${i}].type`, 'must be a string');
    const { start, end } = x;
    if (typeof start !== 'number' || !Number.isInteger(start) || start < 0)
      fail(`entities[${i}].start`, 'must be an integer ≥ 0');
    if (typeof end !== 'number' || !Number.isInteger(end) || end <= (start as number) || end > record.text.length) {
      fail(`entities[${i}].end`, 'must be an integer in (start, text length]');
    }
    const text = typeof x.text === 'string' ? x.text : record.text.slice(start, end);
    const entity: Entity = {
      id: x.id as string,
      type: x.type as string,
      start: start as number,
      end: end as number,
      text,
    };
    // A recogniser's confidence travels with its entity to the output.
    if (typeof x.score === 'number' && Number.isFinite(x.score)) entity.score = x.score;
    // So does an assertion (absent, historical, ...) set by assertion detection.
    if (typeof x.assertion === 'string' && (ASSERTION_VALUES as readonly string[]).includes(x.assertion)) {
      entity.assertion = x.assertion;
    }
    return entity;
  });
}

/**
 * Relation extraction on records: generates the candidate pairs of each record under the model's schema,
 * classifies them, and returns the records with `relations` replaced by the predicted ones.
 */
export class RelationExtractor {
  /** The underlying classifier: one model, or an ensemble averaging several. */
  readonly classifier: RelationModel | RelationEnsemble;

  constructor(classifier: RelationModel | RelationEnsemble) {
    this.classifier = classifier;
  }

  /** The schema candidates are generated under. */
  get schema(): Schema {
    return this.classifier.schema;
  }

  /**
   * Records with `relations` filled: one relation `{head, tail, label, score}` per candidate pair whose
   * most probable label is not `unknown`. Inputs are not modified; `entities` and `text` are kept.
   */
  async predict(records: readonly RecordInput[], options: ExtractOptions = {}): Promise<EmrRecord[]> {
    const minScore = options.minScore ?? 0;
    const crossSentence = this.classifier.config.crossSentence ?? false;
    const typed: EmrRecord[] = records.map((r, i) => ({
      id: r.id,
      text: r.text,
      entities: checkedEntities(r, i),
      relations: [],
    }));
    const perRecord: Candidate[][] = typed.map((r) => generateCandidates(r, this.schema, { crossSentence }));
    const predictions = await this.classifier.predict(perRecord.flat());
    let k = 0;
    return typed.map((record, i) => {
      const relations: Relation[] = [];
      for (let j = 0; j < perRecord[i].length; j++, k++) {
        const p = predictions[k];
        if (p.label === UNKNOWN_LABEL || p.score < minScore) continue;
        relations.push({ head: p.candidate.head.id, tail: p.candidate.tail.id, label: p.label, score: p.score });
      }
      return { ...(records[i] as object), ...record, relations } as EmrRecord;
    });
  }

  /** Streaming `predict`: records in, records with predicted relations out, `batchSize` records at a time. */
  async *predictStream(
    records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
    options: ExtractOptions & { batchSize?: number } = {},
  ): AsyncIterable<EmrRecord> {
    const size = options.batchSize ?? 64;
    let pending: RecordInput[] = [];
    for await (const r of records) {
      pending.push(r);
      if (pending.length >= size) {
        yield* await this.predict(pending, options);
        pending = [];
      }
    }
    if (pending.length > 0) yield* await this.predict(pending, options);
  }

  /** Frees the classifier's tensors. */
  dispose(): void {
    this.classifier.dispose();
  }
}

/**
 * Loads a model directory (verified against its manifest) as a relation extractor; several directories (e.g. one
 * configuration trained with several seeds) become an ensemble averaging their probabilities (k models: k times
 * the prediction time).
 * @example
 * const m = await loadModel('models/resgru-att');
 * const out = await m.predict(records);
 * const averaged = await loadModel(['models/seed-1', 'models/seed-2', 'models/seed-3']);
 */
export async function loadModel(dir: string | readonly string[]): Promise<RelationExtractor> {
  if (typeof dir === 'string') return new RelationExtractor(await loadRelationModel(dir));
  return new RelationExtractor(dir.length === 1 ? await loadRelationModel(dir[0]) : await loadRelationEnsemble(dir));
}
