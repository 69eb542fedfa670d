import type { EmrRecord, Schema } from '@emr-re/tokenize';

/**
 * The entity types a tagger for `records` needs: with a schema, its `entityTypes` in schema order, then any other
 * type found in the records; without one, the records' types in code-unit order (so the same data always gives the
 * same tag scheme, whatever the record order).
 * @example
 * nerTypes(records); // ['检查和检验', '治疗', '疾病和诊断', '症状和体征', '身体部位'] on CCKS 2017
 */
export function nerTypes(
  records: Iterable<Pick<EmrRecord, 'entities'>>,
  schema?: Pick<Schema, 'entityTypes'>,
): string[] {
  const found = new Set<string>();
  for (const record of records) for (const e of record.entities) found.add(e.type);
  const first = schema ? [...schema.entityTypes] : [];
  const listed = new Set(first);
  const rest = [...found].filter((t) => !listed.has(t)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...first, ...rest];
}
