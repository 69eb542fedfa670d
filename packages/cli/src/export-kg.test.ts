import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kg from '@emr-re/kg';
import * as cli from './index';
import { main } from './cli';
import type { CliIO } from './io';

function fakeIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, cwd, env: {} } as CliIO & { out: string; err: string };
  io.stdout = (t) => void (io.out += t);
  io.stderr = (t) => void (io.err += t);
  return io;
}

const predictions = [
  {
    id: 'p1',
    text: '高血压患者服用硝苯地平。',
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 3, text: '高血压' },
      { id: 'e1', type: '药物', start: 7, end: 11, text: '硝苯地平' },
    ],
    relations: [{ head: 'e0', tail: 'e1', label: '药物治疗', score: 0.9 }],
  },
  {
    id: 'p2',
    text: '高血压可用硝苯地平。',
    entities: [
      { id: 'a', type: '疾病', start: 0, end: 3, text: '高血压' },
      { id: 'b', type: '药物', start: 5, end: 9, text: '硝苯地平' },
    ],
    relations: [{ head: 'a', tail: 'b', label: '药物治疗', score: 0.6 }],
  },
];

describe('emr-re export-kg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emr-kg-'));
  const file = join(dir, 'pred.jsonl');
  writeFileSync(file, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');

  it('writes N-Triples with one merged edge and its provenance', async () => {
    const io = fakeIO(dir);
    expect(
      await main(['export-kg', '--predictions', 'pred.jsonl', '--to', 'ntriples', '--out', 'kg.nt', '--json'], io),
    ).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ records: 2, nodes: 2, edges: 1 });
    const nt = readFileSync(join(dir, 'kg.nt'), 'utf8');
    expect(nt.match(/#head=/g)).toHaveLength(2);
    expect(nt).toContain('"0.9"^^<http://www.w3.org/2001/XMLSchema#double>');
  });

  it('writes Neo4j CSV files into a directory and filters by --min-score', async () => {
    const io = fakeIO(dir);
    expect(
      await main(['export-kg', '--predictions', file, '--to', 'neo4j-csv', '--out', 'neo', '--min-score', '0.7'], io),
    ).toBe(0);
    expect(
      readFileSync(join(dir, 'neo', 'relationships.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toEqual([':START_ID,:END_ID,:TYPE,score:double,count:int,provenance', 'n1,n2,药物治疗,0.9,1,p1#0-3>7-11']);
  });

  it('rejects a bad format or malformed predictions with one line and exit 2, writing nothing', async () => {
    const io = fakeIO(dir);
    expect(await main(['export-kg', '--predictions', file, '--to', 'graphml', '--out', 'x'], io)).toBe(2);
    expect(io.err).toMatch(/^emr-re export-kg: --to must be one of jsonl, ntriples, neo4j-csv/);
    writeFileSync(join(dir, 'bad.jsonl'), JSON.stringify(predictions[0]) + '\n{"id": "p2", "text"\n');
    const io2 = fakeIO(dir);
    expect(await main(['export-kg', '--predictions', 'bad.jsonl', '--to', 'jsonl', '--out', 'bad-kg.jsonl'], io2)).toBe(
      2,
    );
    expect(io2.err.trim().split('\n')).toHaveLength(1);
    expect(io2.err).toContain('bad.jsonl:2');
    expect(existsSync(join(dir, 'bad-kg.jsonl'))).toBe(false);
  });
});

describe('@emr-re/cli', () => {
  it('still exports the knowledge-graph API it had before @emr-re/kg, as the same functions', () => {
    const names = ['KnowledgeGraphBuilder', 'graphToJsonl', 'graphToNTriples', 'graphToNeo4jCsv', 'normaliseMention'];
    for (const name of names) expect(cli[name as keyof typeof cli]).toBe(kg[name as keyof typeof kg]);
  });
});
