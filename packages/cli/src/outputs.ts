import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KG_IRI_NAMESPACE, KG_VOCABULARY, NEO4J_CSV_FILES } from '@emr-re/kg';
import { acquireOutputLock, checkOutputPath, firstLineMatches, removeStaleTemporaries } from '@emr-re/tokenize';
import type { InputPath, OutputLock, OutputSpec, OutputState } from '@emr-re/tokenize';
import type { CliIO } from './io';

/*
 * How the commands claim their outputs before any work starts: stale temporaries of an interrupted run are
 * removed (and named), a lock is taken for long writes, and the path is checked against the inputs and against
 * what is there already (see `checkOutputPath`: only an earlier emr-re output is ever replaced, with --force).
 */

/** What the commands write, each with the test that recognises an earlier emr-re output of its kind. */
export const OUTPUT_KINDS = {
  /** `emr-re train`: a model directory with its manifest (loaded lazily: the model package is heavy). */
  model: {
    kind: 'directory',
    what: 'a model directory',
    isOwn: async (dir: string) => (await import('@emr-re/resgru-att')).isModelDirectory(dir),
  },
  /** `emr-re ner train`: a NER model directory with its manifest. */
  nerModel: {
    kind: 'directory',
    what: 'a NER model directory',
    isOwn: async (dir: string) => (await import('@emr-re/ner')).isNerModelDirectory(dir),
  },
  /** `emr-re bootstrap`: a run directory (its run.json), continued with --resume and never replaced. */
  bootstrapRun: {
    kind: 'directory',
    what: 'a bootstrap run directory',
    isOwn: async (dir: string) => {
      try {
        const info = JSON.parse(await fs.readFile(path.join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
        return typeof info.version === 'number' && typeof info.options === 'object' && 'seed' in info;
      } catch {
        return false;
      }
    },
  },
  /** `emr-re predict`: canonical JSONL records (`formatRecordLine` starts every line with the id). */
  records: {
    kind: 'file',
    what: 'a JSONL records file',
    isOwn: (file: string) => firstLineMatches(file, (line) => line.startsWith('{"id":')),
  },
  /** `emr-re embeddings train`: word2vec text or binary, both opening with the `rows dim` header line. */
  word2vec: {
    kind: 'file',
    what: 'a word2vec file',
    isOwn: (file: string) => firstLineMatches(file, (line) => /^\d+ \d+ ?$/.test(line)),
  },
  /** `emr-re export-kg --to jsonl`. */
  kgJsonl: {
    kind: 'file',
    what: 'a knowledge-graph JSONL file',
    isOwn: (file: string) => firstLineMatches(file, (line) => /^\{"kind":"(node|edge)"/.test(line)),
  },
  /** `emr-re export-kg --to ntriples`: every subject is an emr-re IRI. */
  kgNTriples: {
    kind: 'file',
    what: 'an N-Triples knowledge graph',
    isOwn: (file: string) => firstLineMatches(file, (line) => line.startsWith(`<${KG_IRI_NAMESPACE}`)),
  },
  /** `emr-re export-kg --to turtle`: opens with the `emr:` prefix of the store's vocabulary. */
  kgTurtle: {
    kind: 'file',
    what: 'a Turtle knowledge graph',
    isOwn: (file: string) => firstLineMatches(file, (line) => line.startsWith(`@prefix emr: <${KG_VOCABULARY}>`)),
  },
  /** `emr-re export-kg --to neo4j-csv`: a directory of exactly nodes.csv and relationships.csv. */
  kgNeo4j: {
    kind: 'directory',
    what: 'a Neo4j CSV directory',
    isOwn: async (dir: string) => {
      const own: string[] = Object.values(NEO4J_CSV_FILES);
      return (await fs.readdir(dir)).every((n) => own.includes(n));
    },
  },
} satisfies Record<string, Omit<OutputSpec, 'path' | 'flag'>>;

/** The kinds of output in `OUTPUT_KINDS`. */
export type OutputKindName = keyof typeof OUTPUT_KINDS;

/** What a command asks of `claimOutput`. */
export interface ClaimOptions {
  /** The command's name, for messages and the lock file. */
  command: string;
  /** The flag naming the output (default `--out`). */
  flag?: string;
  /** The command's input paths: the output may be none of them. */
  inputs: InputPath[];
  /** `--force`: replace an earlier emr-re output of the same kind. */
  force: boolean;
  /** Take `<output>.lock` for the whole run (long writes: train, bootstrap, embeddings, predict). */
  lock: boolean;
}

/** An output claimed by a command: release the lock (if any) when done, in a `finally`. */
export interface ClaimedOutput {
  path: string;
  state: OutputState;
  release(): void;
}

/**
 * Claims `file` as the output of a command, before any work starts: removes temporaries that an interrupted
 * emr-re run left beside it (saying so), takes its lock, and checks the path (`checkOutputPath`).
 * @throws OutputPathError (a user error: one line, exit 2) when the path may not be written.
 */
export async function claimOutput(
  file: string,
  kind: OutputKindName,
  options: ClaimOptions,
  io: CliIO,
): Promise<ClaimedOutput> {
  const target = path.resolve(io.cwd, file);
  const flag = options.flag ?? '--out';
  const spec: OutputSpec = { ...OUTPUT_KINDS[kind], path: target, flag };
  const check = (): Promise<OutputState> => checkOutputPath(spec, { inputs: options.inputs, force: options.force });
  // Checked before the lock (a bad path gets its own message, not a lock error) and again once it is held.
  await check();
  let lock: OutputLock | undefined;
  if (options.lock) {
    lock = acquireOutputLock(target, {
      command: options.command,
      onStale: (info) =>
        io.stderr(
          `emr-re ${options.command}: took over the lock of ${target} left by pid ${info.pid}, which is gone\n`,
        ),
    });
  }
  try {
    const state = await check();
    const stale = await removeStaleTemporaries(target);
    if (stale.length > 0) {
      io.stderr(
        `emr-re ${options.command}: removed ${stale.length} temporary file${stale.length === 1 ? '' : 's'} that an interrupted emr-re run left beside ${target} (${stale.join(', ')})\n`,
      );
    }
    return { path: target, state, release: () => lock?.release() };
  } catch (err) {
    lock?.release();
    throw err;
  }
}
