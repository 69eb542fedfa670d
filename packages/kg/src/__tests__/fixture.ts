import type { EmrRecord } from '@emr-re/tokenize';
import { KnowledgeGraphBuilder, type KnowledgeGraph } from '../graph';

/** Two records naming the same disease and drug, once with a space inside the disease's mention. */
export const records: EmrRecord[] = [
  {
    id: 'r1',
    text: '高血压患者服用硝苯地平。',
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 3, text: '高血压' },
      { id: 'e1', type: '药物', start: 7, end: 11, text: '硝苯地平' },
      { id: 'e2', type: '症状', start: 3, end: 5, text: '患者' },
    ],
    relations: [{ head: 'e0', tail: 'e1', label: '药物治疗', score: 0.8 }],
  },
  {
    id: 'r2',
    text: '高 血压，硝苯地平治疗。',
    entities: [
      { id: 'a', type: '疾病', start: 0, end: 4, text: '高 血压' },
      { id: 'b', type: '药物', start: 5, end: 9, text: '硝苯地平' },
    ],
    relations: [{ head: 'a', tail: 'b', label: '药物治疗', score: 0.95 }],
  },
];

/** The graph of `records`: two nodes, one edge seen twice. */
export function fixtureGraph(): KnowledgeGraph {
  const builder = new KnowledgeGraphBuilder();
  records.forEach((r) => builder.add(r));
  return builder.build();
}
