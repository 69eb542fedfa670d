import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as oxigraph from 'oxigraph';
import { graphLines } from './store/graph-lines';
import { openGraph, STORE_GRAPH } from './store/open-graph';
import { cmeieRecords } from './store/__tests__/records';
import { nTriplesToTurtle } from './turtle';

/** Sorted N-Triples of an RDF text, as oxigraph parses it. */
function canonical(text: string, format: string): string[] {
  const store = new oxigraph.Store();
  store.load(text, { format });
  return store
    .dump({ format: 'application/n-quads' })
    .split('\n')
    .filter((l) => l)
    .sort();
}

test('graphLines are the bytes of a store after the same add', async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'emr-kg-ttl-')), 's');
  const kg = await openGraph(dir);
  await kg.add(cmeieRecords, { model: { id: 'm', version: '3' } });
  await kg.close();
  expect(graphLines(cmeieRecords, { model: { id: 'm', version: '3' } }).join('\n') + '\n').toBe(
    readFileSync(path.join(dir, STORE_GRAPH), 'utf8'),
  );
});

test('nTriplesToTurtle: the same triples, prefixed, one block per subject', () => {
  const lines = graphLines(cmeieRecords, { model: { id: 'm', version: '3' } });
  const turtle = nTriplesToTurtle(lines);
  expect(canonical(turtle, 'text/turtle')).toEqual(canonical(lines.join('\n') + '\n', 'application/n-triples'));
  expect(turtle.startsWith('@prefix emr: <urn:emr-re:kg#> .\n@prefix rdf:')).toBe(true);
  const subjects = new Set(lines.map((l) => l.split(' ')[0]));
  expect(turtle.split('\n').filter((l) => l.startsWith('<urn:emr-re:kg:')).length).toBe(subjects.size);
  // an entity block: class, label, type, bare integer count, then its direct relation triples
  expect(turtle).toMatch(
    /\n<urn:emr-re:kg:entity:[^>]+>\n {4}a emr:Entity ;\n {4}rdfs:label "糖尿病" ;\n {4}emr:entityType "疾病" ;\n {4}emr:mentionCount 3 ;\n {4}<urn:emr-re:kg:relation:/,
  );
  expect(turtle).toMatch(/emr:score "0\.95"\^\^xsd:double/);
  expect(nTriplesToTurtle([])).toBe(
    '@prefix emr: <urn:emr-re:kg#> .\n@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n',
  );
});
