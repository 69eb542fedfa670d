import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { progressRenderer, processIO } from '@emr-re/cli';
import { BUILTIN_NER_ARCHITECTURES } from '@emr-re/ner';
import { ARCHITECTURES, isPresetName, type Architecture } from '@emr-re/resgru-att';
import { UsageError, isUserError } from '@emr-re/tokenize';
import { runPipeline } from './pipeline';

const HELP = `usage: node examples/train-ccks/dist/main.js [options]
  --data DIR              folder with cmeie/ and ccks2017-cner/ (default ../shared/data)
  --out DIR               run directory; a re-run resumes finished stages (default runs/train-ccks)
  --preset small|paper|best  size of the --models (default small; paper = Table 3; best = small + entity types and pooling)
  --schema paper|cmeie|F  paper = Table 2 via the CMeIE mapping (default), cmeie = CMeIE's own schema
  --models A,B,...        architectures to train and compare (default resgru-att,cnn,bigru-att; "all" = all eight),
                          with --preset: the paper's Table 5, scored on CMeIE test and the EMR test documents
  --bootstrap-arch A      the model bootstrapped over the EMR pool that extracts the graph (default pcnn: better
                          than ResGRU-Att on the EMR test documents, BENCHMARKS.md "Relations on real EMRs")
  --bootstrap-preset P    its preset: small, paper or best (default best: small's sizes, entity types and pooling)
  --epochs N              training epochs per model (default: the preset's)
  --embedding-epochs N    character word2vec passes (default 3)
  --bootstrap-iterations K, --per-iteration N, --lambda P   (defaults 2, 1000, 0.7)
  --ner-arch A            entity recogniser: bigru-crf (default), bilstm-crf, resgru-crf
  --ner-epochs N          its training epochs (default 2)
  --seed N                split and model seed (default 1)
  --backend wasm|cpu|tensorflow|auto
  --embedding-threads N   threads of the character word2vec (default 1: two runs with the same seed give the same
                          numbers; more are faster, but their updates race (Hogwild) and runs differ)
  --emr-corpus FILE       EMR relation annotations (default corpus/emr-relations/annotations.jsonl of this
                          repository; "none" = not used): train documents join training and dev, test documents are
                          scored (Table 4 on real EMRs), all leave the bootstrapping pool and the NER training side
`;

/** The EMR relation corpus of this repository (examples/train-ccks/dist → the repository root). */
const DEFAULT_EMR_CORPUS = path.resolve(__dirname, '..', '..', '..', 'corpus', 'emr-relations', 'annotations.jsonl');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/data' },
      out: { type: 'string', default: 'runs/train-ccks' },
      preset: { type: 'string', default: 'small' },
      schema: { type: 'string', default: 'paper' },
      models: { type: 'string', default: 'resgru-att,cnn,bigru-att' },
      'bootstrap-arch': { type: 'string', default: 'pcnn' },
      'bootstrap-preset': { type: 'string', default: 'best' },
      epochs: { type: 'string' },
      'embedding-epochs': { type: 'string', default: '3' },
      'bootstrap-iterations': { type: 'string', default: '2' },
      'per-iteration': { type: 'string', default: '1000' },
      lambda: { type: 'string', default: '0.7' },
      'ner-arch': { type: 'string', default: 'bigru-crf' },
      'ner-epochs': { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'auto' },
      'embedding-threads': { type: 'string', default: '1' },
      'emr-corpus': { type: 'string', default: DEFAULT_EMR_CORPUS },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
    return n;
  };
  if (!isPresetName(values.preset)) throw new UsageError(`--preset must be small or paper, got '${values.preset}'`);
  const models = (
    values.models === 'all' ? [...ARCHITECTURES] : values.models.split(',').map((m) => m.trim())
  ) as Architecture[];
  for (const m of models)
    if (!(ARCHITECTURES as readonly string[]).includes(m))
      throw new UsageError(`--models: unknown architecture '${m}' (one of ${ARCHITECTURES.join(', ')})`);
  const bootstrapArch = values['bootstrap-arch'] as Architecture;
  if (!(ARCHITECTURES as readonly string[]).includes(bootstrapArch))
    throw new UsageError(
      `--bootstrap-arch: unknown architecture '${bootstrapArch}' (one of ${ARCHITECTURES.join(', ')})`,
    );
  const bootstrapPreset = values['bootstrap-preset'];
  if (!isPresetName(bootstrapPreset))
    throw new UsageError(`--bootstrap-preset must be small, paper or best, got '${bootstrapPreset}'`);
  const nerArchs = BUILTIN_NER_ARCHITECTURES.map((a) => a.name);
  if (!nerArchs.includes(values['ner-arch'])) {
    throw new UsageError(`--ner-arch: unknown architecture '${values['ner-arch']}' (one of ${nerArchs.join(', ')})`);
  }
  const lambda = Number(values.lambda);
  if (!(lambda > 0 && lambda < 1)) throw new UsageError(`--lambda must be in (0, 1), got '${values.lambda}'`);
  const backend = values.backend as 'wasm' | 'cpu' | 'tensorflow' | 'auto';
  if (!['wasm', 'cpu', 'tensorflow', 'auto'].includes(backend))
    throw new UsageError(`--backend must be wasm, cpu, tensorflow or auto`);

  const emrCorpus = values['emr-corpus'] === 'none' ? undefined : path.resolve(values['emr-corpus']);
  if (emrCorpus !== undefined && !existsSync(emrCorpus))
    throw new UsageError(`--emr-corpus: ${emrCorpus} not found (give the annotations file, or "none")`);

  const io = processIO();
  const started = Date.now();
  const outDir = path.resolve(values.out);
  await runPipeline({
    dataDir: path.resolve(values.data),
    outDir,
    preset: values.preset,
    schema: values.schema,
    models,
    bootstrapArch,
    bootstrapPreset,
    epochs: int('epochs', values.epochs, 1),
    seed: int('seed', values.seed, 0)!,
    embeddingEpochs: int('embedding-epochs', values['embedding-epochs'], 1)!,
    lambda,
    perIteration: int('per-iteration', values['per-iteration'], 1)!,
    bootstrapIterations: int('bootstrap-iterations', values['bootstrap-iterations'], 0)!,
    nerArch: values['ner-arch'],
    nerEpochs: int('ner-epochs', values['ner-epochs'], 1)!,
    backend,
    embeddingThreads: int('embedding-threads', values['embedding-threads'], 1)!,
    emrCorpus,
    command: ['train-ccks', ...process.argv.slice(2)].join(' '),
    onProgress: progressRenderer(io),
    log: (line) => io.stderr(line + '\n'),
  });
  io.stderr(
    `done in ${((Date.now() - started) / 60000).toFixed(1)} min: report at ${path.join(outDir, 'report', 'report.html')}\n`,
  );
  for (const line of nextSteps(outDir)) io.stderr(line + '\n');
  return 0;
}

/** The commands that put what the run made to use: the graph store it filled, and the service with its page. */
function nextSteps(outDir: string): string[] {
  const models = path.join(outDir, 'models');
  const relations = existsSync(models) ? readdirSync(models).find((d) => d.endsWith('-bootstrapped')) : undefined;
  const ner = path.join(models, 'ner');
  const predictions = path.join(outDir, 'emr-predictions.jsonl');
  const store = path.join(outDir, 'store');
  if (relations === undefined || !existsSync(ner) || !existsSync(predictions)) return [];
  return [
    `query the graph:  npx emr-re kg stats --store ${store} && npx emr-re kg ask symptoms-of 高血压 --store ${store}` +
      `   (filled from ${predictions})`,
    `serve and look:   npx emr-re serve --ner ${ner} --relations ${path.join(models, relations)} --store ${store}` +
      '   (then open http://127.0.0.1:8080/)',
  ];
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const code = (err as { code?: unknown } | null)?.code;
    if (isUserError(err) || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`train-ccks: ${(err as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `train-ccks: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
