import type { EmrRecord } from '@emr-re/tokenize';
import { defaultAssertionLexicon, mergeAssertionLexicons } from './lexicon';
import { applyAssertions, dropAbsentRelations } from './relations';

// 否0认1高2血3压4史5，6右7手8外9伤10；11既12往13冠14心15病16，17右18膝19疼20痛21
const record: EmrRecord = {
  id: 'r1',
  text: '否认高血压史，右手外伤；既往冠心病，右膝疼痛',
  entities: [
    { id: 'd1', type: 'disease', start: 2, end: 5, text: '高血压' },
    { id: 'p1', type: 'position', start: 7, end: 9, text: '右手' },
    { id: 'd2', type: 'disease', start: 14, end: 17, text: '冠心病' },
    { id: 'p2', type: 'position', start: 18, end: 20, text: '右膝' },
    { id: 's1', type: 'symptom', start: 20, end: 22, text: '疼痛' },
  ],
  relations: [
    { head: 'd1', tail: 'p1', label: 'DAP', score: 0.97 },
    { head: 'd2', tail: 'p2', label: 'DAP', score: 0.6 },
    { head: 's1', tail: 'p2', label: 'SAP', score: 0.99 },
  ],
};
const edges = (r: EmrRecord) => r.relations.map((x) => `${x.head}>${x.tail}`);
const assertions = (r: EmrRecord) => r.entities.map((e) => `${e.id}:${e.assertion ?? '-'}`);

describe('applyAssertions', () => {
  it('by default sets assertions and drops the relations of absent entities; historical ones stay', () => {
    const out = applyAssertions(record);
    expect(assertions(out)).toEqual(['d1:absent', 'p1:-', 'd2:historical', 'p2:-', 's1:present']);
    expect(edges(out)).toEqual(['d2>p2', 's1>p2']);
    expect(out.relations[0]).toEqual(record.relations[1]);
    expect(record.relations).toHaveLength(3);
  });

  it('keepAbsent keeps every relation; assertions false leaves the record as it is', () => {
    const kept = applyAssertions(record, { keepAbsent: true });
    expect(edges(kept)).toEqual(['d1>p1', 'd2>p2', 's1>p2']);
    expect(kept.entities[0].assertion).toBe('absent');
    expect(applyAssertions(record, { assertions: false })).toBe(record);
  });

  it('uses the lexicon it is given', () => {
    const lexicon = mergeAssertionLexicons(defaultAssertionLexicon(), {
      triggers: [{ phrase: '既往', value: 'absent', direction: 'forward' }],
    });
    expect(edges(applyAssertions(record, { lexicon }))).toEqual(['s1>p2']);
  });
});

describe('dropAbsentRelations', () => {
  it('drops a relation when its head or its tail is absent, and returns the record itself when none is', () => {
    const marked: EmrRecord = {
      ...record,
      entities: record.entities.map((e) => (e.id === 'p2' ? { ...e, assertion: 'absent' } : e)),
    };
    expect(edges(dropAbsentRelations(marked))).toEqual(['d1>p1']);
    expect(dropAbsentRelations(record)).toBe(record);
  });

  it('keeps SNAP (and other negatedLabels), which states the absence itself', () => {
    // 双0下1肢2无3水4肿5，6查7体8无9压10痛11
    const snap: EmrRecord = {
      id: 'r2',
      text: '双下肢无水肿，查体无压痛',
      entities: [
        { id: 'p', type: 'position', start: 0, end: 3, text: '双下肢' },
        { id: 's', type: 'symptom', start: 4, end: 6, text: '水肿' },
        { id: 't', type: 'test', start: 7, end: 9, text: '查体' },
      ],
      relations: [
        { head: 's', tail: 'p', label: 'SNAP' },
        { head: 't', tail: 's', label: 'TeRS' },
      ],
    };
    const out = applyAssertions(snap);
    expect(out.entities[1].assertion).toBe('absent');
    expect(edges(out)).toEqual(['s>p']);
    expect(edges(applyAssertions(snap, { negatedLabels: [] }))).toEqual([]);
    const asserted = applyAssertions(snap, { keepAbsent: true });
    expect(edges(dropAbsentRelations(asserted, ['SNAP', 'TeRS']))).toEqual(['s>p', 't>s']);
  });
});
