import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosineSimilarity, nearestNeighbours } from './table';
import { trainWord2Vec } from './train';
import type { EmbeddingTable } from './table';
import { sharedData } from '../../../test/shared-data';

/** The CCKS 2017 EMR texts beside the repository (CI checks ../shared out next to the clone). */
const CCKS = sharedData('ccks2017-cner');
const BODY = [...'头胸腹肺肝脾胃肾'];
const OTHER = [...'年月日次天余后前'];

function emrTexts(limit: number): string[] {
  const files: string[] = [];
  for (const section of readdirSync(CCKS).sort())
    for (const f of readdirSync(join(CCKS, section)).sort())
      if (f.endsWith('.txtoriginal.txt')) files.push(join(CCKS, section, f));
  return files.slice(0, limit).map((f) => readFileSync(f, 'utf8'));
}

function meanCosine(table: EmbeddingTable, a: string[], b: string[]): number {
  let sum = 0;
  let n = 0;
  for (const x of a)
    for (const y of b) {
      if (x === y) continue;
      sum += cosineSimilarity(table.lookup(x)!, table.lookup(y)!);
      n++;
    }
  return sum / n;
}

describe('character word2vec on real EMR text (CCKS 2017, 400 records)', () => {
  let table: EmbeddingTable;
  beforeAll(async () => {
    table = await trainWord2Vec(emrTexts(400), { dim: 50, epochs: 5, sample: 1e-3, threads: 1, seed: 1 });
  }, 60_000);

  it('puts body-part characters nearer each other than to time words', () => {
    for (const c of [...BODY, ...OTHER]) expect(table.has(c)).toBe(true);
    const within = meanCosine(table, BODY, BODY);
    const across = meanCosine(table, BODY, OTHER);
    expect(within).toBeGreaterThan(across + 0.05);
  });

  it('finds 脾 among the nearest neighbours of 肝 (liver, spleen)', () => {
    const nearest = nearestNeighbours(table, '肝', 5).map((n) => n.token);
    expect(nearest).toContain('脾');
  });
});
