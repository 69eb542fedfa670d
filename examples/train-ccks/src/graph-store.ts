import { promises as fs } from 'node:fs';
import { bindNamedQuery, namedQuery, openGraph, type ModelStamp, type QueryResult } from '@emr-re/kg';
import type { EmrRecord } from '@emr-re/tokenize';
import type { GraphQuestion, GraphStoreSummary, TopEntityGroup } from './report';

/** Options of `fillGraphStore`. */
export interface FillGraphStoreOptions {
  /** The model stamp every piece of evidence carries. */
  model: ModelStamp;
  /** Entities listed per type, most mentioned first (default 5). */
  topPerType?: number;
  /** The most mentioned diseases whose named questions are asked (default 3). */
  diseases?: number;
  /** Answers kept per question, most evidence first (default 5). */
  answers?: number;
}

/** The named queries asked of each top disease, in report order. */
export const DISEASE_QUESTIONS: readonly string[] = ['symptoms-of', 'tests-for', 'body-parts-of', 'drugs-for'];

function rowsOf(result: QueryResult): Array<Record<string, string | undefined>> {
  if (result.kind !== 'select') throw new Error(`expected a SELECT result, got ${result.kind}`);
  return result.rows;
}

/** Compares two strings by code point, so orders never depend on the locale. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Fills a fresh embedded graph store in `dir` (`openGraph` of @emr-re/kg; whatever was in `dir` is removed first, so
 * the store holds exactly `records`) and asks it what the report shows: its size, the most mentioned entities of
 * each type, and the named questions (`DISEASE_QUESTIONS`) about the most mentioned diseases with their evidence
 * counts. Paper-schema entity types (`disease`, ...) and CMeIE's (`疾病`) are both recognised as diseases.
 */
export async function fillGraphStore(
  dir: string,
  records: readonly EmrRecord[],
  options: FillGraphStoreOptions,
): Promise<GraphStoreSummary> {
  const topPerType = options.topPerType ?? 5;
  const diseaseCount = options.diseases ?? 3;
  const answerCount = options.answers ?? 5;
  await fs.rm(dir, { recursive: true, force: true });
  const kg = await openGraph(dir);
  try {
    const started = Date.now();
    await kg.add(records, { model: options.model });
    const addSeconds = (Date.now() - started) / 1000;
    const stats = await kg.stats();
    const entityRows = rowsOf(
      await kg.query(
        'SELECT ?type ?name ?mentions WHERE { ?e a emr:Entity ; rdfs:label ?name ; emr:entityType ?type ; ' +
          'emr:mentionCount ?mentions }',
      ),
    );
    const byType = new Map<string, Array<{ name: string; mentions: number }>>();
    for (const row of entityRows) {
      const type = row.type ?? '';
      const list = byType.get(type) ?? [];
      list.push({ name: row.name ?? '', mentions: Number(row.mentions ?? 0) });
      byType.set(type, list);
    }
    const topEntities: TopEntityGroup[] = [...byType.keys()].sort(byCodePoint).map((type) => ({
      type,
      entities: byType
        .get(type)!
        .sort((a, b) => b.mentions - a.mentions || byCodePoint(a.name, b.name))
        .slice(0, topPerType),
    }));
    const diseases = topEntities
      .filter((g) => g.type === 'disease' || g.type === '疾病')
      .flatMap((g) => g.entities)
      .sort((a, b) => b.mentions - a.mentions || byCodePoint(a.name, b.name))
      .slice(0, diseaseCount);
    const questions: GraphQuestion[] = [];
    const queryStarted = Date.now();
    for (const disease of diseases) {
      for (const name of DISEASE_QUESTIONS) {
        const rows = rowsOf(await kg.query(bindNamedQuery(namedQuery(name), [disease.name])));
        questions.push({
          query: name,
          argument: disease.name,
          answers: rows.length,
          top: rows.slice(0, answerCount).map((r) => ({
            name: r.name ?? '',
            relation: r.relation ?? '',
            evidence: Number(r.evidence ?? 0),
            ...(r.maxScore !== undefined ? { maxScore: Number(r.maxScore) } : {}),
          })),
        });
      }
    }
    const querySeconds = (Date.now() - queryStarted) / 1000;
    return {
      entities: stats.entities,
      edges: stats.edges,
      evidence: stats.evidence,
      records: stats.records,
      triples: stats.triples,
      bytes: await kg.bytes(),
      edgesByLabel: stats.edgesByLabel,
      topEntities,
      questions,
      addSeconds,
      querySeconds,
    };
  } finally {
    await kg.close();
  }
}
