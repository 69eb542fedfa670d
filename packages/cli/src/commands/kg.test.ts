import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EmrRecord } from '@emr-re/tokenize';
import { selectOn, startVirtuoso } from '../../../kg/src/store/__tests__/virtuoso';
import { main } from '../cli';
import type { CliIO } from '../io';

const BIN = path.resolve(__dirname, '../../dist/bin.js');

function fakeIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, cwd, env: {} } as CliIO & { out: string; err: string };
  io.stdout = (t) => void (io.out += t);
  io.stderr = (t) => void (io.err += t);
  return io;
}

async function emr(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

function expectOneLineError(r: { code: number; err: string }, pattern: RegExp): void {
  expect({ code: r.code, lines: r.err.trimEnd().split('\n').length }).toEqual({ code: 2, lines: 1 });
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/^\s+at /m);
}

const predictions: EmrRecord[] = [
  {
    id: 'p1',
    text: '糖尿病患者口服二甲双胍。',
    entities: [
      { id: 'a', type: '疾病', start: 0, end: 3, text: '糖尿病' },
      { id: 'b', type: '药物', start: 7, end: 11, text: '二甲双胍' },
    ],
    relations: [{ head: 'a', tail: 'b', label: '药物治疗', score: 0.9 }],
  },
  {
    id: 'p2',
    text: '糖 尿病，予二甲双胍。',
    entities: [
      { id: 'a', type: '疾病', start: 0, end: 4, text: '糖 尿病' },
      { id: 'b', type: '药物', start: 6, end: 10, text: '二甲双胍' },
    ],
    relations: [{ head: 'a', tail: 'b', label: '药物治疗', score: 0.4 }],
  },
];

const toJsonl = (records: EmrRecord[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('emr-re kg', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'emr-kg-cli-'));
  writeFileSync(path.join(dir, 'pred.jsonl'), toJsonl(predictions));

  test('add twice: stats --json byte-identical, the second add adds nothing', async () => {
    const add = [
      'kg',
      'add',
      '--store',
      'store',
      '--predictions',
      'pred.jsonl',
      '--model-id',
      'cnn',
      '--model-version',
      '0.1.0',
    ];
    const first = await emr([...add, '--json'], dir);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ records: 2, newEntities: 2, newEdges: 1, newEvidence: 2 });
    const s1 = await emr(['kg', 'stats', '--store', 'store', '--json'], dir);
    const second = await emr(add, dir);
    expect(second.err).toMatch(/^kg add: 2 records → 0 new entities, 0 new edges, 0 new evidence in /);
    const s2 = await emr(['kg', 'stats', '--store', 'store', '--json'], dir);
    expect(s2.out).toBe(s1.out);
    expect(JSON.parse(s1.out)).toEqual({
      entities: 2,
      edges: 1,
      evidence: 2,
      records: 2,
      triples: expect.any(Number),
      entitiesByType: { 疾病: 1, 药物: 1 },
      edgesByLabel: { 药物治疗: 1 },
      bytes: readFileSync(path.join(dir, 'store', 'graph.nq')).length,
    });
  });

  test('query: tab-separated, CSV and JSON; ask answers a named question', async () => {
    const sparql = 'SELECT ?name ?n WHERE { ?e a emr:Entity ; rdfs:label ?name ; emr:mentionCount ?n } ORDER BY ?name';
    expect((await emr(['kg', 'query', '--store', 'store', '--sparql', sparql], dir)).out).toBe(
      'name\tn\n二甲双胍\t2\n糖尿病\t2\n',
    );
    expect((await emr(['kg', 'query', '--store', 'store', '--sparql', sparql, '--csv'], dir)).out).toBe(
      'name,n\r\n二甲双胍,2\r\n糖尿病,2\r\n',
    );
    writeFileSync(path.join(dir, 'q.rq'), 'ASK { ?e rdfs:label "糖尿病" }\n');
    expect(JSON.parse((await emr(['kg', 'query', '--store', 'store', '--file', 'q.rq', '--json'], dir)).out)).toEqual({
      kind: 'ask',
      value: true,
    });
    const drugs = await emr(['kg', 'ask', 'drugs-for', '糖尿病', '--store', 'store', '--json'], dir);
    expect(JSON.parse(drugs.out).rows).toEqual([
      { name: '二甲双胍', type: '药物', relation: '药物治疗', evidence: '2', maxScore: '0.9' },
    ]);
    const evidence = await emr(
      ['kg', 'ask', 'evidence-of', '糖尿病', '药物治疗', '二甲双胍', '--store', 'store', '--csv'],
      dir,
    );
    expect(evidence.out).toBe(
      // headAssertion and tailAssertion are empty: these predictions carry no assertions
      'record,headStart,headEnd,tailStart,tailEnd,score,model,modelVersion,headAssertion,tailAssertion\r\n' +
        'p1,0,3,7,11,0.9,cnn,0.1.0,,\r\np2,0,4,6,10,0.4,cnn,0.1.0,,\r\n',
    );
  });

  test('export-kg --to turtle: the store vocabulary with evidence and model; a second export needs --force', async () => {
    const r = await emr(
      ['export-kg', '--predictions', 'pred.jsonl', '--to', 'turtle', '--out', 'kg.ttl', '--model-id', 'cnn', '--json'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ records: 2, nodes: 2, edges: 1, format: 'turtle' });
    const ttl = readFileSync(path.join(dir, 'kg.ttl'), 'utf8');
    expect(ttl.startsWith('@prefix emr: <urn:emr-re:kg#> .')).toBe(true);
    expect(ttl.match(/ a emr:Evidence ;/g)).toHaveLength(2);
    expect(ttl).toMatch(/emr:modelId "cnn"/);
    expect(ttl).toMatch(/emr:score "0\.4"\^\^xsd:double/);
    expectOneLineError(
      await emr(['export-kg', '--predictions', 'pred.jsonl', '--to', 'turtle', '--out', 'kg.ttl'], dir),
      /--force/,
    );
    expect(
      (await emr(['export-kg', '--predictions', 'pred.jsonl', '--to', 'turtle', '--out', 'kg.ttl', '--force'], dir))
        .code,
    ).toBe(0);
  });

  test('push to a real Virtuoso: --json summary, pushed twice without duplicates; a refused push is one line', async () => {
    const server = await startVirtuoso();
    try {
      const graph = 'urn:emr-re:test:cli-push';
      const push = [
        'kg',
        'push',
        '--store',
        'store',
        '--endpoint',
        server.endpoint,
        '--graph',
        graph,
        '--batch-size',
        '10',
      ];
      const lines = readFileSync(path.join(dir, 'store', 'graph.nq'), 'utf8')
        .trimEnd()
        .split('\n').length;
      const first = await emr([...push, '--json'], dir);
      expect(JSON.parse(first.out)).toEqual({
        triples: lines,
        batches: Math.ceil(lines / 10),
        retried: 0,
        graph,
        endpoint: server.endpoint,
      });
      expect((await emr(push, dir)).code).toBe(0);
      const count = await selectOn(server.endpoint, `SELECT (COUNT(*) AS ?n) WHERE { GRAPH <${graph}> { ?s ?p ?o } }`);
      expect(Number(count[0].n)).toBe(lines);
      expectOneLineError(
        await emr(
          [
            'kg',
            'push',
            '--store',
            'store',
            '--endpoint',
            server.endpoint.replace('/sparql', '/nothing'),
            '--retries',
            '0',
          ],
          dir,
        ),
        /refused triples 1-\d+: HTTP 404/,
      );
    } finally {
      await server.stop();
    }
  }, 180000);

  test('--min-score drops relations below it', async () => {
    const r = await emr(
      ['kg', 'add', '--store', 'strict', '--predictions', 'pred.jsonl', '--min-score', '0.5', '--json'],
      dir,
    );
    expect(JSON.parse(r.out)).toMatchObject({ newEdges: 1, newEvidence: 1 });
  });

  test('user errors: one line, exit 2, nothing created', async () => {
    expectOneLineError(await emr(['kg', 'stats', '--store', 'missing'], dir), /no knowledge-graph store at .*missing/);
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
    expectOneLineError(
      await emr(['kg', 'query', '--store', 'store', '--sparql', 'SELECT ?x WHERE { ?x'], dir),
      /^emr-re kg: SPARQL error at line 1/,
    );
    expectOneLineError(
      await emr(['kg', 'query', '--store', 'store', '--sparql', 'DELETE WHERE { ?s ?p ?o }'], dir),
      /updates are refused/,
    );
    expectOneLineError(await emr(['kg', 'query', '--store', 'store'], dir), /exactly one of --sparql TEXT or --file/);
    expectOneLineError(await emr(['kg', 'ask', 'drugs-for', '--store', 'store'], dir), /drugs-for takes 1 argument/);
    expectOneLineError(await emr(['kg', 'ask', 'cures', 'x', '--store', 'store'], dir), /unknown named query 'cures'/);
    expectOneLineError(
      await emr(['kg', 'add', '--store', 'store', '--predictions', 'none.jsonl'], dir),
      /no such file/,
    );
    expectOneLineError(await emr(['kg', 'frobnicate'], dir), /unknown subcommand 'frobnicate'/);
    writeFileSync(path.join(dir, 'bad.jsonl'), '{"id": "x", "text": 1}\n');
    expectOneLineError(await emr(['kg', 'add', '--store', 'store', '--predictions', 'bad.jsonl'], dir), /bad\.jsonl:1/);
    expectOneLineError(
      await emr(['kg', 'push', '--store', 'store', '--endpoint', 'ftp://x/sparql'], dir),
      /--endpoint must be an http\(s\) URL/,
    );
  });

  test('a directory of the user is not made a store', async () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expectOneLineError(await emr(['kg', 'add', '--store', '.', '--predictions', 'pred.jsonl'], dir), /not a store/);
  });

  test('kill -9 during kg add: the store reopens in its last committed state', async () => {
    if (!existsSync(BIN))
      throw new Error(`${BIN} is missing: build @emr-re/cli first (npx turbo run build --filter=@emr-re/cli...)`);
    // A large add, so that its write of graph.nq takes long enough to be interrupted.
    const big: EmrRecord[] = [];
    for (let i = 0; i < 4000; i++) {
      const text = `病${i}患者服用药${i}，查检${i}。`;
      const d = `病${i}`;
      const m = `药${i}`;
      const t = `检${i}`;
      const ds = 0;
      const ms = text.indexOf(m);
      const ts = text.indexOf(t);
      big.push({
        id: `big-${i}`,
        text,
        entities: [
          { id: 'd', type: '疾病', start: ds, end: d.length, text: d },
          { id: 'm', type: '药物', start: ms, end: ms + m.length, text: m },
          { id: 't', type: '检查', start: ts, end: ts + t.length, text: t },
        ],
        relations: [
          { head: 'd', tail: 'm', label: '药物治疗', score: 0.5 },
          { head: 'd', tail: 't', label: '实验室检查', score: 0.6 },
        ],
      });
    }
    writeFileSync(path.join(dir, 'big.jsonl'), toJsonl(big));
    const store = path.join(dir, 'store');
    const committed = readFileSync(path.join(store, 'graph.nq'));
    const statsBefore = (await emr(['kg', 'stats', '--store', 'store', '--json'], dir)).out;

    const child = spawn(process.execPath, [BIN, 'kg', 'add', '--store', 'store', '--predictions', 'big.jsonl'], {
      cwd: dir,
      stdio: 'ignore',
    });
    let sawTemporary = '';
    const watcher = watch(store, (_event, name) => {
      if (!sawTemporary && name && /^\.graph\.nq\..*\.tmp$/.test(name)) {
        sawTemporary = name;
        child.kill('SIGKILL');
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
    watcher.close();
    expect(signal).toBe('SIGKILL');
    expect(sawTemporary).not.toBe('');
    // graph.nq is still the committed one; the half-written temporary is left beside it
    expect(readFileSync(path.join(store, 'graph.nq')).equals(committed)).toBe(true);
    expect((await emr(['kg', 'stats', '--store', 'store', '--json'], dir)).out).toBe(statsBefore);
    // the next add removes the dead process's temporary and commits
    const again = await emr(['kg', 'add', '--store', 'store', '--predictions', 'big.jsonl', '--json'], dir);
    expect(JSON.parse(again.out)).toMatchObject({ records: 4000, newEntities: 12000, newEdges: 8000 });
    expect(readdirSync(store).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
