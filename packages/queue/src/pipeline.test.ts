/*
 * loadPipeline with assertions: a NER model and a relation model trained here on a learnable toy corpus under the
 * paper schema, in which a position + disease pair is DAP whether the disease is denied ("否认…"), past ("既往…") or
 * present, so the relation model links negated diseases too and the pipeline's assertion step has edges to drop.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultAssertionLexicon, mergeAssertionLexicons, nerConfigFor, trainNer } from '@emr-re/ner';
import { configFor, train } from '@emr-re/resgru-att';
import { SeededRandom, loadSchemaSync } from '@emr-re/tokenize';
import type { EmrRecord, Entity, Relation } from '@emr-re/tokenize';
import { loadPipeline } from './pipeline';
import type { Pipeline } from './pipeline';

const POSITIONS = ['左肺', '右肾', '肝脏', '胃部'];
const DISEASES = ['结核', '结石', '囊肿', '肿瘤'];
const SYMPTOMS = ['疼痛', '肿胀', '出血', '麻木'];
const LEADS = ['否认', '既往', ''];

/** "<lead><position><disease>，<position><symptom>。" with DAP and SAP; lead 否认 (absent), 既往 (historical) or none. */
function toyRecords(n: number, seed: number): EmrRecord[] {
  const rng = new SeededRandom(seed);
  const pick = (xs: string[]): string => xs[rng.int(xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const parts: Array<[string, string?]> = [
      [pick(LEADS)],
      [pick(POSITIONS), 'position'],
      [pick(DISEASES), 'disease'],
      ['，'],
      [pick(POSITIONS), 'position'],
      [pick(SYMPTOMS), 'symptom'],
      ['。'],
    ];
    let text = '';
    const entities: Entity[] = [];
    for (const [piece, type] of parts) {
      if (type)
        entities.push({
          id: `e${entities.length}`,
          type,
          start: text.length,
          end: text.length + piece.length,
          text: piece,
        });
      text += piece;
    }
    const relations: Relation[] = [
      { head: entities[1].id, tail: entities[0].id, label: 'DAP' },
      { head: entities[3].id, tail: entities[2].id, label: 'SAP' },
    ];
    return { id: `toy-${seed}-${i}`, text, entities, relations };
  });
}

const edges = (records: EmrRecord[]): string[] =>
  records.flatMap((r) => r.relations.map((x) => `${r.id}:${x.head}>${x.tail}:${x.label}`));
const touchesAbsent = (r: EmrRecord, x: Relation): boolean =>
  r.entities.some((e) => (e.id === x.head || e.id === x.tail) && e.assertion === 'absent');

let tmp: string;
let pipeline: Pipeline;
const inputs = toyRecords(24, 2).map((r) => ({ id: r.id, text: r.text }));

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-pipeline-'));
  const schema = loadSchemaSync('paper');
  const records = toyRecords(120, 1);
  const ner = await trainNer(
    records,
    nerConfigFor('bigru-crf', 'small', {
      maxLength: 40,
      overlap: 8,
      charDim: 16,
      rnn: { units: 16, layers: 1 },
      batchSize: 16,
      learningRate: 0.02,
      epochs: 6,
      seed: 1,
    }),
    { schema },
  );
  await ner.save(path.join(tmp, 'ner'));
  ner.dispose();
  const re = await train(
    records,
    configFor('cnn', 'small', {
      maxLength: 40,
      charDim: 16,
      positionDim: 4,
      maxDistance: 40,
      cnn: { filters: 16, windows: [3], blocks: 1 },
      batchSize: 16,
      learningRate: 0.01,
      epochs: 4,
      seed: 1,
    }),
    { schema },
  );
  await re.save(path.join(tmp, 're'));
  re.dispose();
  pipeline = await loadPipeline({ ner: path.join(tmp, 'ner'), relations: path.join(tmp, 're') });
}, 240000);

afterAll(async () => {
  pipeline?.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('loadPipeline assertions', () => {
  it('by default sets an assertion on every disease and symptom and drops the relations of absent entities', async () => {
    const kept = await pipeline.extract(inputs, { keepAbsent: true });
    const out = await pipeline.extract(inputs);
    for (const r of out) {
      for (const e of r.entities) {
        if (e.type === 'disease' || e.type === 'symptom') expect(e.assertion).toBeDefined();
        else expect(e.assertion).toBeUndefined();
      }
      for (const x of r.relations) expect(touchesAbsent(r, x)).toBe(false);
    }
    // the toy model links denied diseases, so there is something to drop, and only that is dropped
    const dropped = kept.flatMap((r) => r.relations.filter((x) => touchesAbsent(r, x)));
    expect(dropped.length).toBeGreaterThan(0);
    expect(edges(out)).toEqual(
      edges(kept.map((r) => ({ ...r, relations: r.relations.filter((x) => !touchesAbsent(r, x)) }))),
    );
    // what the lexicon says of the toy texts: 否认 → absent, 既往 → historical, nothing → present; symptoms present
    const values = out.flatMap((r) =>
      r.entities.filter((e) => e.type === 'disease').map((e) => [r.text.slice(0, 2), e.assertion]),
    );
    expect(values.length).toBeGreaterThan(0);
    for (const [lead, value] of values) {
      expect(value).toBe(lead === '否认' ? 'absent' : lead === '既往' ? 'historical' : 'present');
    }
    // a historical disease keeps its DAP edge, marked on the entity
    const historical = out.flatMap((r) =>
      r.relations.filter((x) => r.entities.find((e) => e.id === x.head)?.assertion === 'historical'),
    );
    expect(historical.length).toBeGreaterThan(0);
  });

  it('assertions false leaves entities without assertions and keeps every relation', async () => {
    const plain = await pipeline.extract(inputs, { assertions: false });
    const kept = await pipeline.extract(inputs, { keepAbsent: true });
    expect(plain.every((r) => r.entities.every((e) => e.assertion === undefined))).toBe(true);
    expect(edges(plain)).toEqual(edges(kept));
  });

  it('loadPipeline defaults apply to every call, and a call overrides them; the lexicon is used', async () => {
    const dirs = { ner: path.join(tmp, 'ner'), relations: path.join(tmp, 're') };
    const keeping = await loadPipeline(dirs, { keepAbsent: true });
    const lexicon = mergeAssertionLexicons(defaultAssertionLexicon(), {
      triggers: [{ phrase: '既往', value: 'absent', direction: 'forward' }],
    });
    const strict = await loadPipeline(dirs, { assertionLexicon: lexicon });
    try {
      expect(edges(await keeping.extract(inputs))).toEqual(edges(await pipeline.extract(inputs, { keepAbsent: true })));
      expect(edges(await keeping.extract(inputs, { keepAbsent: false }))).toEqual(
        edges(await pipeline.extract(inputs)),
      );
      const past = (await strict.extract(inputs)).flatMap((r) =>
        r.entities.filter((e) => r.text.startsWith('既往') && e.type === 'disease'),
      );
      expect(past.length).toBeGreaterThan(0);
      expect(past.every((e) => e.assertion === 'absent')).toBe(true);
      const streamed: EmrRecord[] = [];
      for await (const r of pipeline.extractStream(inputs, { batchSize: 5 })) streamed.push(r);
      expect(streamed).toEqual(await pipeline.extract(inputs));
    } finally {
      keeping.dispose();
      strict.dispose();
    }
  });
});
