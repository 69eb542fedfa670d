import type { Assertion, EmrRecord } from '@emr-re/tokenize';

/**
 * A record from its text, entities given as [mention, type, assertion?] (found left to right) and relations by
 * index.
 */
export function record(
  id: string,
  text: string,
  entities: Array<[string, string, Assertion?]>,
  relations: Array<[number, string, number, number?]>,
): EmrRecord {
  let from = 0;
  const found = entities.map(([mention, type, assertion], i) => {
    const start = text.indexOf(mention, from);
    if (start < 0) throw new Error(`fixture: '${mention}' not in record ${id}`);
    from = start + mention.length;
    const entity = { id: `e${i}`, type, start, end: start + mention.length, text: mention };
    return assertion === undefined ? entity : { ...entity, assertion };
  });
  return {
    id,
    text,
    entities: found,
    relations: relations.map(([h, label, t, score]) => ({
      head: `e${h}`,
      tail: `e${t}`,
      label,
      ...(score === undefined ? {} : { score }),
    })),
  };
}

/** CMeIE-schema predictions: 糖尿病 three times (once as '糖 尿病'), its synonym ＤＭ, a drug seen twice. */
export const cmeieRecords: EmrRecord[] = [
  record(
    'c1',
    '糖尿病患者口服二甲双胍，查空腹血糖，表现为多饮。',
    [
      ['糖尿病', '疾病'],
      ['二甲双胍', '药物'],
      ['空腹血糖', '检查'],
      ['多饮', '症状'],
    ],
    [
      [0, '药物治疗', 1, 0.9],
      [0, '实验室检查', 2, 0.8],
      [0, '临床表现', 3, 0.7],
    ],
  ),
  record(
    'c2',
    '糖 尿病的发病部位在胰腺。',
    [
      ['糖 尿病', '疾病'],
      ['胰腺', '部位'],
    ],
    [[0, '发病部位', 1, 0.6]],
  ),
  record(
    'c3',
    'ＤＭ即糖尿病，二甲双胍治疗。',
    [
      ['ＤＭ', '疾病'],
      ['糖尿病', '疾病'],
      ['二甲双胍', '药物'],
    ],
    [
      [0, '同义词', 1, 0.85],
      [1, '药物治疗', 2, 0.95],
    ],
  ),
];

/** Paper-schema (Table 2) predictions: treatment→disease TrAD, test→disease TeRD, disease→position DAP. */
export const paperRecords: EmrRecord[] = [
  record(
    'p1',
    '胸痛，心电图示心肌梗死，予阿司匹林。',
    [
      ['胸痛', 'symptom'],
      ['心电图', 'test'],
      ['心肌梗死', 'disease'],
      ['阿司匹林', 'treatment'],
    ],
    [
      [1, 'TeRD', 2, 0.9],
      [3, 'TrAD', 2, 0.8],
    ],
  ),
  record(
    'p2',
    '心肌梗死位于左心室，伴胸痛，心电图复查。',
    [
      ['心肌梗死', 'disease'],
      ['左心室', 'position'],
      ['胸痛', 'symptom'],
      ['心电图', 'test'],
    ],
    [[0, 'DAP', 1, 0.7]],
  ),
];

/**
 * Paper-schema predictions with assertions, as `applyAssertions` of @emr-re/ner leaves them: 高血压 once in the
 * history (historical) and once now (present), each treated with 硝苯地平; a denied 胸痛 beside 心肌梗死; and a
 * denied 糖尿病 with a relation the pipeline kept (the store does not filter).
 */
export const assertedRecords: EmrRecord[] = [
  record(
    'a1',
    '既往高血压，予硝苯地平。',
    [
      ['高血压', 'disease', 'historical'],
      ['硝苯地平', 'treatment', 'present'],
    ],
    [[1, 'TrAD', 0, 0.9]],
  ),
  record(
    'a2',
    '高血压，予硝苯地平。',
    [
      ['高血压', 'disease', 'present'],
      ['硝苯地平', 'treatment', 'present'],
    ],
    [[1, 'TrAD', 0, 0.8]],
  ),
  record(
    'a3',
    '否认胸痛，心电图示心肌梗死。',
    [
      ['胸痛', 'symptom', 'absent'],
      ['心电图', 'test'],
      ['心肌梗死', 'disease', 'present'],
    ],
    [[1, 'TeRD', 2, 0.9]],
  ),
  record(
    'a4',
    '否认糖尿病，胰岛素。',
    [
      ['糖尿病', 'disease', 'absent'],
      ['胰岛素', 'treatment', 'present'],
    ],
    [[1, 'TrAD', 0, 0.5]],
  ),
];
