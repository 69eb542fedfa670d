import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import {
  KG_FORMATS,
  KnowledgeGraphBuilder,
  NEO4J_CSV_FILES,
  graphToJsonl,
  graphToNTriples,
  graphToNeo4jCsv,
  graphLines,
  nTriplesToTurtle,
  type KgFormat,
} from '@emr-re/kg';
import { openCorpus, UsageError, writeFileAtomic } from '@emr-re/tokenize';
import type { EmrRecord } from '@emr-re/tokenize';
import type { CommandRun } from '../io';
import { encodingArgument, inputPath } from '../flags';
import { defineCommand } from '../command';
import { claimOutput } from '../outputs';
import type { OutputKindName } from '../outputs';
import { reportReadStats } from '../read-report';

const HELP = `usage: emr-re export-kg --predictions FILE.jsonl --to jsonl|ntriples|neo4j-csv|turtle --out PATH [--min-score P] [--all-entities] [--force] [--json]
  jsonl      one JSON object a line: nodes, then edges with label, score, count and provenance
  ntriples   RDF N-Triples; each edge reified with score, count and evidence (record id, offsets)
  neo4j-csv  PATH is a directory receiving nodes.csv and relationships.csv for neo4j-admin import
  turtle     RDF Turtle in the vocabulary of 'emr-re kg' (emr: <urn:emr-re:kg#>): entities with mention counts,
             mentions, edges, and evidence nodes (record, offsets, score, model): what kg add would store
  --model-id ID, --model-version V   (turtle) the model behind the predictions, on every piece of evidence
  --force    replace a graph that emr-re exported at --out before (never the input, never a user's file)
  --encoding E   the predictions' text encoding (default utf-8)
  --quiet    no summary line on stderr
`;

const OUTPUT_KIND: Record<KgFormat, OutputKindName> = {
  jsonl: 'kgJsonl',
  ntriples: 'kgNTriples',
  'neo4j-csv': 'kgNeo4j',
  turtle: 'kgTurtle',
};

/** `emr-re export-kg`: predicted relations → a deduplicated medical knowledge graph. */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    predictions: { type: 'string' },
    to: { type: 'string', default: 'jsonl' },
    out: { type: 'string' },
    encoding: { type: 'string' },
    'min-score': { type: 'string' },
    'all-entities': { type: 'boolean', default: false },
    'model-id': { type: 'string' },
    'model-version': { type: 'string' },
    force: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [
    ['predictions', '--predictions FILE.jsonl is required'],
    ['out', '--out PATH is required'],
  ],
  run: async (values, io) => {
    const format = values.to as KgFormat;
    if (!KG_FORMATS.includes(format))
      throw new UsageError(`--to must be one of ${KG_FORMATS.join(', ')}, got '${values.to}'`);
    const minScore = values['min-score'] === undefined ? 0 : Number(values['min-score']);
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1)
      throw new UsageError('--min-score must be a number in 0..1');

    const encoding = encodingArgument(values.encoding);
    const input = inputPath(values.predictions, '--predictions', io.cwd);
    const claimed = await claimOutput(
      values.out,
      OUTPUT_KIND[format],
      { command: 'export-kg', inputs: [{ flag: '--predictions', path: input }], force: values.force, lock: false },
      io,
    );
    const out = claimed.path;
    if (values['model-version'] !== undefined && values['model-id'] === undefined)
      throw new UsageError('--model-version needs --model-id');
    const builder = new KnowledgeGraphBuilder();
    const kept: EmrRecord[] = [];
    let records = 0;
    const reader = openCorpus(input, 'jsonl', { encoding });
    for await (const record of reader.read()) {
      records += 1;
      const relations = record.relations.filter((r) => (r.score ?? 1) >= minScore);
      builder.add({ ...record, relations }, { allEntities: values['all-entities'] });
      if (format === 'turtle') {
        const used = new Set(relations.flatMap((r) => [r.head, r.tail]));
        const entities = values['all-entities'] ? record.entities : record.entities.filter((e) => used.has(e.id));
        kept.push({ ...record, entities, relations });
      }
    }
    reportReadStats(reader.stats, { file: input, format: 'jsonl', command: 'export-kg' }, io);
    const graph = builder.build();
    if (format === 'turtle') {
      const model =
        values['model-id'] === undefined ? undefined : { id: values['model-id'], version: values['model-version'] };
      await writeFileAtomic(out, nTriplesToTurtle(graphLines(kept, { model })));
    } else if (format === 'jsonl') await writeFileAtomic(out, graphToJsonl(graph));
    else if (format === 'ntriples') await writeFileAtomic(out, graphToNTriples(graph));
    else {
      const csv = graphToNeo4jCsv(graph);
      await mkdir(out, { recursive: true });
      await writeFileAtomic(path.join(out, NEO4J_CSV_FILES.nodes), csv.nodes);
      await writeFileAtomic(path.join(out, NEO4J_CSV_FILES.relationships), csv.relationships);
    }
    const summary = { records, nodes: graph.nodes.length, edges: graph.edges.length, format, out };
    if (values.json) io.stdout(JSON.stringify(summary) + '\n');
    else if (!values.quiet)
      io.stderr(
        `export-kg: ${records} records → ${summary.nodes} entities, ${summary.edges} relations (${format}) in ${out}\n`,
      );
    return 0;
  },
});
