import { candidatePairs, generateCandidates, resolveCandidateWindow, SchemaCandidateGenerator } from './candidates';
import { UsageError } from './errors';
import { openCorpus, readAllRecords } from './corpus';
import { loadSchemaSync } from './schema';
import type { EmrRecord } from './types';
import { sharedData } from '../../../test/shared-data';

const paper = loadSchemaSync('paper');
// 腹0痛1伴2上3腹4部5压6痛7。8 | C9T10示11胆12囊13结14石15。16
const record: EmrRecord = {
  id: 'r1',
  text: '腹痛伴上腹部压痛。CT示胆囊结石。',
  entities: [
    { id: 'e5', type: 'disease', start: 12, end: 16, text: '胆囊结石' },
    { id: 'e0', type: 'symptom', start: 0, end: 2, text: '腹痛' },
    { id: 'e1', type: 'position', start: 3, end: 6, text: '上腹部' },
    { id: 'e2', type: 'symptom', start: 6, end: 8, text: '压痛' },
    { id: 'e3', type: 'test', start: 9, end: 11, text: 'CT' },
    { id: 'e4', type: 'position', start: 12, end: 14, text: '胆囊' },
  ],
  relations: [
    { head: 'e2', tail: 'e1', label: 'SAP' },
    { head: 'e3', tail: 'e5', label: 'TeRD' },
    { head: 'e3', tail: 'e4', label: 'TeAP' },
    { head: 'e3', tail: 'e1', label: 'TeAP' },
    { head: 'e5', tail: 'e4', label: 'DAP' },
    { head: 'e0', tail: 'e1', label: 'TrAP' },
    { head: 'e1', tail: 'e0', label: 'SAP' },
    { head: 'e9', tail: 'e0', label: 'SAP' },
    { head: 'e2', tail: 'e1', label: 'SNAP' },
  ],
};

const brief = (c: { head: { id: string }; tail: { id: string }; label: string; sentence: { index: number } }) =>
  `${c.sentence.index}:${c.head.id}>${c.tail.id}:${c.label}`;

describe('candidatePairs', () => {
  it('pairs entities of one sentence whose types the schema allows, labelled from gold', () => {
    const { candidates, lost } = candidatePairs(record, paper);
    expect(candidates.map(brief)).toEqual([
      '0:e0>e1:unknown',
      '0:e2>e1:SAP',
      '1:e3>e4:TeAP',
      '1:e3>e5:TeRD',
      '1:e5>e4:DAP',
    ]);
    expect(candidates[0].sentence).toEqual({ index: 0, start: 0, end: 9, text: '腹痛伴上腹部压痛。' });
    expect(candidates[0].recordId).toBe('r1');
    expect(lost.map((l) => `${l.relation.head}>${l.relation.tail}:${l.relation.label}:${l.reason}`)).toEqual([
      'e0>e1:TrAP:label-not-allowed',
      'e1>e0:SAP:pair-not-allowed',
      'e9>e0:SAP:missing-entity',
      'e2>e1:SNAP:duplicate-pair',
      'e3>e1:TeAP:cross-sentence',
    ]);
    expect(generateCandidates(record, paper)).toEqual(candidates);
  });

  it('with crossSentence: uses the whole record as one window', () => {
    const { candidates, lost } = candidatePairs(record, paper, { crossSentence: true });
    expect(candidates).toHaveLength(11);
    expect(candidates.filter((c) => c.label !== 'unknown').map(brief)).toEqual([
      '0:e2>e1:SAP',
      '0:e3>e1:TeAP',
      '0:e3>e4:TeAP',
      '0:e3>e5:TeRD',
      '0:e5>e4:DAP',
    ]);
    expect(candidates[0].sentence).toEqual({ index: 0, start: 0, end: 17, text: record.text });
    expect(lost.map((l) => l.reason)).not.toContain('cross-sentence');
  });

  it('never pairs an entity with itself or an entity that straddles sentences', () => {
    const straddle: EmrRecord = {
      id: 'r2',
      text: '肝。肝区痛。',
      entities: [
        { id: 'a', type: 'position', start: 0, end: 3, text: '肝。肝' },
        { id: 'b', type: 'symptom', start: 3, end: 5, text: '区痛' },
      ],
      relations: [{ head: 'b', tail: 'a', label: 'SAP' }],
    };
    const { candidates, lost } = candidatePairs(straddle, paper);
    expect(candidates).toEqual([]);
    expect(lost.map((l) => l.reason)).toEqual(['cross-sentence']);
  });
});

describe('candidate windows', () => {
  // 双0下1肢2无3水4肿5，6腹7部8压9痛10；11 2.12 13查14体15：16右17膝18疼19痛20
  const emr: EmrRecord = {
    id: 'w1',
    text: '双下肢无水肿，腹部压痛；2.查体：右膝疼痛',
    entities: [
      { id: 'p1', type: 'position', start: 0, end: 3, text: '双下肢' },
      { id: 's1', type: 'symptom', start: 4, end: 6, text: '水肿' },
      { id: 'p2', type: 'position', start: 7, end: 9, text: '腹部' },
      { id: 't1', type: 'test', start: 9, end: 11, text: '压痛' },
      { id: 't2', type: 'test', start: 14, end: 16, text: '查体' },
      { id: 'p3', type: 'position', start: 17, end: 19, text: '右膝' },
      { id: 's2', type: 'symptom', start: 19, end: 21, text: '疼痛' },
    ],
    relations: [
      { head: 's1', tail: 'p1', label: 'SNAP' },
      { head: 't1', tail: 'p2', label: 'TeAP' },
      { head: 't2', tail: 's2', label: 'TeRS' },
      { head: 's2', tail: 'p3', label: 'SAP' },
    ],
  };
  const count = (window: 'sentence' | 'item' | 'clause' | 'record') => {
    const { candidates, lost } = candidatePairs(emr, paper, { window });
    return {
      candidates: candidates.length,
      kept: candidates.filter((c) => c.label !== 'unknown').length,
      lost: lost.map((l) => `${l.relation.head}>${l.relation.tail}`),
      windows: [...new Set(candidates.map((c) => c.sentence.text))],
    };
  };

  it('sentence and record windows hold the whole text here (no 。): every allowed pair is a candidate', () => {
    expect(count('sentence')).toEqual({ candidates: 16, kept: 4, lost: [], windows: [emr.text] });
    expect(count('record').candidates).toBe(16);
  });

  it("'item' cuts at ； and the list marker, 'clause' also at ，and ：", () => {
    expect(count('item')).toEqual({
      candidates: 8,
      kept: 4,
      lost: [],
      windows: ['双下肢无水肿，腹部压痛；', '2.查体：右膝疼痛'],
    });
    expect(count('clause')).toEqual({
      candidates: 3,
      kept: 3,
      lost: ['t2>s2'],
      windows: ['双下肢无水肿，', '腹部压痛；', '右膝疼痛'],
    });
    expect(candidatePairs(emr, paper, { window: 'clause' }).lost[0].reason).toBe('cross-sentence');
  });

  it('crossSentence is window record; a conflicting or unknown window is a UsageError', () => {
    expect(candidatePairs(emr, paper, { crossSentence: true })).toEqual(
      candidatePairs(emr, paper, { window: 'record' }),
    );
    expect(() => candidatePairs(emr, paper, { crossSentence: true, window: 'clause' })).toThrow(UsageError);
    expect(() => candidatePairs(emr, paper, { window: 'page' as never })).toThrow(/unknown candidate window "page"/);
    expect(() => new SchemaCandidateGenerator(paper, { crossSentence: true, window: 'item' })).toThrow(UsageError);
    expect(resolveCandidateWindow({})).toBe('sentence');
    expect(resolveCandidateWindow({ crossSentence: true, window: 'record' })).toBe('record');
  });
});

describe('SchemaCandidateGenerator', () => {
  it('counts candidates, labelled ones and lost relations by reason', () => {
    const generator = new SchemaCandidateGenerator(paper);
    generator.candidates(record);
    generator.candidates(record);
    expect(generator.stats).toEqual({
      records: 2,
      candidates: 10,
      labelled: 8,
      goldRelations: 18,
      lost: {
        'missing-entity': 2,
        'self-relation': 0,
        'pair-not-allowed': 2,
        'label-not-allowed': 2,
        'cross-sentence': 2,
        'duplicate-pair': 2,
      },
    });
    generator.resetStats();
    expect(generator.stats.records).toBe(0);
  });

  it('on CMeIE, sentence windows lose about a quarter of the gold relations; crossSentence loses none', async () => {
    const cmeie = loadSchemaSync('cmeie');
    const records = await readAllRecords(openCorpus(sharedData('cmeie/train.jsonl'), 'cmeie', { schema: cmeie }));
    const sentences = new SchemaCandidateGenerator(cmeie);
    const whole = new SchemaCandidateGenerator(cmeie, { crossSentence: true });
    for (const r of records) {
      sentences.candidates(r);
      whole.candidates(r);
    }
    expect(sentences.stats.goldRelations).toBe(9156);
    expect(sentences.stats.lost['cross-sentence']).toBe(2220);
    expect(whole.stats.lost['cross-sentence']).toBe(0);
    // A pair carrying two CMeIE labels keeps only the first: 22 such relations.
    expect(whole.stats.lost['duplicate-pair']).toBe(22);
    expect(whole.stats.labelled).toBe(9156 - 22);
  });
});
