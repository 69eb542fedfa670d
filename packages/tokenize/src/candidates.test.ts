import { candidatePairs, generateCandidates, SchemaCandidateGenerator } from './candidates';
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
