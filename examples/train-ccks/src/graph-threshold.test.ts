import type { EmrRecord } from '@emr-re/tokenize';
import { GRAPH_THRESHOLDS, chooseGraphThreshold, edgeScore, withMinScore } from './graph-threshold';

/** One document: a symptom at 0-2, three body parts; gold says the symptom is at parts A and B (SAP). */
const entities = [
  { id: 'S', type: 'symptom', start: 0, end: 2, text: '疼痛' },
  { id: 'A', type: 'position', start: 3, end: 4, text: '腹' },
  { id: 'B', type: 'position', start: 5, end: 6, text: '胸' },
  { id: 'C', type: 'position', start: 7, end: 8, text: '头' },
];
const gold: EmrRecord[] = [
  {
    id: 'd1',
    text: '疼痛，腹，胸，头',
    entities,
    relations: [
      { head: 'S', tail: 'A', label: 'SAP' },
      { head: 'S', tail: 'B', label: 'SAP' },
    ],
  },
];
/** The extraction: right at 0.9 and 0.5, wrong at 0.3 (S→C) and 0.12 (S→B with the wrong label). */
const predicted = (ids = entities): EmrRecord[] => [
  {
    id: 'd1',
    text: gold[0].text,
    entities: ids,
    relations: [
      { head: 'S', tail: 'A', label: 'SAP', score: 0.9 },
      { head: 'S', tail: 'B', label: 'SAP', score: 0.5 },
      { head: 'S', tail: 'C', label: 'SAP', score: 0.3 },
      { head: 'S', tail: 'B', label: 'SNAP', score: 0.12 },
    ],
  },
];

describe('the graph threshold', () => {
  it('scores the relations at or above a threshold as triples', () => {
    expect(edgeScore(gold, predicted(), 0)).toMatchObject({ edges: 4, correct: 2, gold: 2, precision: 0.5, recall: 1 });
    expect(edgeScore(gold, predicted(), 0.3)).toMatchObject({ edges: 3, correct: 2 });
    expect(edgeScore(gold, predicted(), 0.5)).toMatchObject({ edges: 2, correct: 2, precision: 1, recall: 1 });
    expect(edgeScore(gold, predicted(), 0.95)).toMatchObject({ edges: 0, precision: 0, recall: 0 });
    // A recognised entity with another span is another node: its relation is not the gold one.
    const shifted = entities.map((e) => (e.id === 'A' ? { ...e, start: 2 } : e));
    expect(edgeScore(gold, predicted(shifted), 0.5)).toMatchObject({ edges: 2, correct: 1 });
    expect(withMinScore(predicted(), 0.5)[0].relations.map((r) => r.score)).toEqual([0.9, 0.5]);
  });

  it('keeps the lowest threshold reaching the target, else the most precise one', () => {
    const choice = chooseGraphThreshold(gold, predicted());
    // 0.00-0.10: 2/4; 0.15-0.30: 2/3; 0.35-0.50: 2/2 → the first at ≥ 0.85 is 0.35.
    expect(choice).toMatchObject({ threshold: 0.35, reached: true, target: 0.85 });
    expect(choice.sweep.map((s) => s.threshold)).toEqual(GRAPH_THRESHOLDS);
    expect(chooseGraphThreshold(gold, predicted(), { target: 0.6 }).threshold).toBe(0.15);
    // Only wrong relations: nothing reaches the target; the best precision (0 everywhere) at the lowest threshold.
    const wrong = predicted().map((r) => ({ ...r, relations: r.relations.slice(2) }));
    expect(chooseGraphThreshold(gold, wrong)).toMatchObject({ threshold: 0, reached: false });
    // A target nothing reaches, with precisions that differ: the most precise, lowest first.
    expect(chooseGraphThreshold(gold, predicted(), { target: 1.5 })).toMatchObject({ threshold: 0.35, reached: false });
  });
});
