import * as path from 'node:path';
import { CORPUS_FORMATS, CharVocabulary, UNKNOWN_LABEL, UsageError, loadSchema } from '@emr-re/tokenize';
import type { Candidate } from '@emr-re/tokenize';
import {
  ARCHITECTURES,
  BACKEND_NAMES,
  PRESET_NAMES,
  createRelationModel,
  selectBackend,
  toCandidates,
} from '@emr-re/resgru-att';
import { loadWord2Vec } from '@emr-re/embeddings';
import { runBootstrap } from '@emr-re/bootstrap';
import type { BootstrapResult, ClassQuotas, PseudoLabelWeight, ThresholdCalibration } from '@emr-re/bootstrap';
import type { Architecture } from '@emr-re/resgru-att';
import { onInterrupt } from '../interrupt';
import { progressRenderer } from '../io';
import { claimOutput } from '../outputs';
import type { CommandRun } from '../io';
import { defineCommand } from '../command';
import {
  backendArgument,
  ENTITY_OPTION_FLAGS,
  entityOptionHelp,
  configFromFlags,
  entityOptionOverrides,
  corpusFormat,
  encodingArgument,
  inputPath,
  intArgument,
  readRecords,
  schemaArgument,
} from '../flags';

const HELP = `usage: emr-re bootstrap --seed FILE --pool FILE --format F --schema S --out DIR
                        [--config JSON|FILE | [--arch A] [--preset small|paper|best]] [--dev FILE]
                        [--lambda 0.7] [--per-iteration 1000] [--max-iterations K] [--epochs E] [--random-seed N]
                        [--class-quotas proportional|JSON] [--dev-drop-tolerance X] [--warm-start] [--no-unknown]
                        [--calibrate P [--calibrate-min-support N]] [--agree ARCH] [--pseudo-weight W|probability]
                        [--pool-gold] [--resume] [--json]
Bootstrapping self-training (Algorithm 1 of the paper): train on the labelled seed set, predict the pool, move
at most N pool pairs whose top probability exceeds λ into the labelled set with their predicted labels, retrain,
repeat. Every iteration is committed to the run directory; an interrupted run continues with --resume.
  --seed FILE           labelled seed records              --pool FILE   unlabelled records (labels ignored)
  --format F            ${CORPUS_FORMATS.join('|')} (of every file)   --pool-format F   the pool's, if different
  --schema S            paper, cmeie or a schema JSON file
  --config JSON|FILE    a full or partial model config; exclusive with --arch/--preset
  --arch A              ${ARCHITECTURES.join('|')} (default resgru-att)
  --preset P            ${PRESET_NAMES.join('|')} (default paper)
  --dev FILE            labelled records scored after every iteration (and for --dev-drop-tolerance)
  --lambda X            probability threshold λ (default 0.7)
  --per-iteration N     at most N pairs moved per iteration (default 1000)
  --max-iterations K    stop after K iterations (default: until the pool is empty or nothing passes λ)
  --epochs E            epochs of every training (overrides the config)
  --random-seed N       the model's random seed (--seed names the seed set); alias --seed-number
  --class-quotas Q      per-class cap per iteration: proportional (seed-set shares) or JSON {"label": share|count, "*": ...}
  --dev-drop-tolerance X   stop and roll back an iteration that lowers dev macro-F1 by more than X
  --warm-start          continue from the previous iteration's weights instead of retraining from scratch
  --no-unknown          never move pairs predicted 'unknown' (by default confident negatives move too)
  --calibrate P         per-class thresholds calibrated on --dev every iteration: a class moves only pairs at or
                        above the lowest probability whose dev precision is ≥ P (λ stays a floor); needs --dev
  --calibrate-min-support N   dev pairs a threshold must keep before its precision counts (default 5)
  --agree ARCH          a second model of architecture ARCH (same config otherwise) trained on the same labelled
                        set; a pair moves only when both predict the same label above the thresholds
  --pseudo-weight W     loss weight of moved pairs: a number in (0, 1] or 'probability' (each pair's probability
                        when it moved); seed pairs weigh 1 (default 1: every labelled pair counts the same)
  --pool-gold           the pool's own relations are gold: count wrongly moved labels (drift) per iteration
${entityOptionHelp(24)}  --embeddings FILE     word2vec vectors to initialise the character embeddings
  --cross-sentence      candidate windows are whole records, not sentences
  --backend B           auto|${BACKEND_NAMES.join('|')} (default auto)
  --encoding E          the input files' text encoding (default utf-8; e.g. gb18030)
  --quiet               no progress output
  --resume              continue the run in --out (Ctrl-C stops after the current step; the last iteration stays)
  --skip-invalid        skip malformed records instead of stopping at the first
  --json                print exactly one JSON object: {"iterations":[{"iteration","added","poolLeft","dev",...}],"stopReason"}
The accepted model is written to DIR/model (score it with: emr-re evaluate --model DIR/model --data FILE).
`;

/** A probability flag in [0, 1). */
function lambdaArgument(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1)
    throw new UsageError(`--lambda must be a number in [0, 1), got '${value}'`);
  return x;
}

function toleranceArgument(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0)
    throw new UsageError(`--dev-drop-tolerance must be a number ≥ 0, got '${value}'`);
  return x;
}

function quotasArgument(value: string | undefined): ClassQuotas | undefined {
  if (value === undefined) return undefined;
  if (value === 'proportional') return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(
      `--class-quotas must be 'proportional' or a JSON object like {"临床表现": 0.3, "*": 100}, got '${value}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--class-quotas JSON must be an object of label → share or count`);
  }
  return parsed as Record<string, number>;
}

function calibrationArgument(
  precision: string | undefined,
  minSupport: string | undefined,
): ThresholdCalibration | undefined {
  if (precision === undefined) {
    if (minSupport !== undefined) throw new UsageError('--calibrate-min-support needs --calibrate P');
    return undefined;
  }
  const p = Number(precision);
  if (precision.trim() === '' || !Number.isFinite(p) || p <= 0 || p > 1)
    throw new UsageError(`--calibrate must be a precision in (0, 1], got '${precision}'`);
  return { targetPrecision: p, minSupport: positiveArgument(minSupport, '--calibrate-min-support') };
}

function pseudoWeightArgument(value: string | undefined): PseudoLabelWeight | undefined {
  if (value === undefined || value === 'probability') return value;
  const w = Number(value);
  if (value.trim() === '' || !Number.isFinite(w) || w <= 0 || w > 1)
    throw new UsageError(`--pseudo-weight must be a number in (0, 1] or 'probability', got '${value}'`);
  return w;
}

function positiveArgument(value: string | undefined, flag: string): number | undefined {
  const n = intArgument(value, flag);
  if (n === 0) throw new UsageError(`${flag} must be at least 1`);
  return n;
}

/** The `--json` object: the contract's keys first, then the seed classifier's dev metrics. */
function resultJson(result: BootstrapResult): object {
  return {
    iterations: result.iterations.map((it) => ({
      iteration: it.iteration,
      added: it.added,
      poolLeft: it.poolLeft,
      ...(it.dev === undefined ? {} : { dev: it.dev }),
      labelled: it.labelled,
      addedByClass: it.addedByClass,
      ...(it.wrongAdded === undefined ? {} : { wrongAdded: it.wrongAdded }),
      ...(it.rolledBack ? { rolledBack: true } : {}),
    })),
    stopReason: result.stopReason,
    labelled: result.labelled,
    poolLeft: result.poolLeft,
    acceptedIteration: result.acceptedIteration,
    ...(result.seedDev === undefined ? {} : { seedDev: result.seedDev }),
  };
}

/** `emr-re bootstrap`: self-training of a relation model over an unlabelled pool, as a resumable run directory. */
export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    seed: { type: 'string' },
    pool: { type: 'string' },
    dev: { type: 'string' },
    format: { type: 'string' },
    'pool-format': { type: 'string' },
    schema: { type: 'string' },
    config: { type: 'string' },
    arch: { type: 'string' },
    preset: { type: 'string' },
    lambda: { type: 'string' },
    'per-iteration': { type: 'string' },
    'max-iterations': { type: 'string' },
    epochs: { type: 'string' },
    'random-seed': { type: 'string' },
    'seed-number': { type: 'string' },
    'class-quotas': { type: 'string' },
    'dev-drop-tolerance': { type: 'string' },
    'warm-start': { type: 'boolean', default: false },
    calibrate: { type: 'string' },
    'calibrate-min-support': { type: 'string' },
    agree: { type: 'string' },
    'pseudo-weight': { type: 'string' },
    'no-unknown': { type: 'boolean', default: false },
    'pool-gold': { type: 'boolean', default: false },
    embeddings: { type: 'string' },
    'cross-sentence': { type: 'boolean', default: false },
    backend: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean', default: false },
    encoding: { type: 'string' },
    'skip-invalid': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    ...ENTITY_OPTION_FLAGS,
  },
  required: [
    ['seed', '--seed FILE (the labelled seed set) is required; the random seed is --random-seed N'],
    ['pool', '--pool FILE (the unlabelled records) is required'],
    ['out', '--out DIR (the run directory) is required'],
    ['schema', '--schema paper|cmeie|FILE is required'],
  ],
  run: async (values, io) => {
    if (values['random-seed'] !== undefined && values['seed-number'] !== undefined) {
      throw new UsageError('--random-seed and --seed-number are the same flag; give one');
    }
    const format = corpusFormat(values.format);
    const poolFormat = values['pool-format'] === undefined ? format : corpusFormat(values['pool-format']);
    const backend = backendArgument(values.backend);
    const lambda = lambdaArgument(values.lambda);
    const perIteration = positiveArgument(values['per-iteration'], '--per-iteration');
    const maxIterations = intArgument(values['max-iterations'], '--max-iterations');
    const classQuotas = quotasArgument(values['class-quotas']);
    const devDropTolerance = toleranceArgument(values['dev-drop-tolerance']);
    if (devDropTolerance !== undefined && values.dev === undefined)
      throw new UsageError('--dev-drop-tolerance needs --dev FILE');
    const calibration = calibrationArgument(values.calibrate, values['calibrate-min-support']);
    const pseudoLabelWeight = pseudoWeightArgument(values['pseudo-weight']);
    if (calibration !== undefined && values.dev === undefined) throw new UsageError('--calibrate needs --dev FILE');
    if (values.agree !== undefined && !(ARCHITECTURES as readonly string[]).includes(values.agree))
      throw new UsageError(`--agree must be one of ${ARCHITECTURES.join(', ')}, got '${values.agree}'`);
    const config = await configFromFlags(
      {
        config: values.config,
        arch: values.config === undefined ? (values.arch ?? 'resgru-att') : values.arch,
        preset: values.preset,
        epochs: positiveArgument(values.epochs, '--epochs'),
        seed: intArgument(
          values['random-seed'] ?? values['seed-number'],
          values['random-seed'] !== undefined ? '--random-seed' : '--seed-number',
        ),
        crossSentence: values['cross-sentence'],
        options: entityOptionOverrides(values),
      },
      io.cwd,
    );
    const seedFile = inputPath(values.seed, '--seed', io.cwd);
    const poolFile = inputPath(values.pool, '--pool', io.cwd);
    const devFile = values.dev === undefined ? undefined : inputPath(values.dev, '--dev', io.cwd);
    const embeddingsFile =
      values.embeddings === undefined ? undefined : inputPath(values.embeddings, '--embeddings', io.cwd);
    const encoding = encodingArgument(values.encoding);
    const inputs = [
      { flag: '--seed', path: seedFile },
      { flag: '--pool', path: poolFile },
      ...(devFile === undefined ? [] : [{ flag: '--dev', path: devFile }]),
      ...(embeddingsFile === undefined ? [] : [{ flag: '--embeddings', path: embeddingsFile }]),
    ];
    // An earlier run in --out is emr-re's own, continued only with --resume (never replaced).
    const claimed = await claimOutput(
      values.out,
      'bootstrapRun',
      { command: 'bootstrap', inputs, force: true, lock: true },
      io,
    );
    try {
      const out = claimed.path;
      if (!values.resume && claimed.state === 'replace-own') {
        throw new UsageError(
          `--out ${out} already holds a bootstrap run; add --resume to continue it or choose another directory`,
        );
      }

      const log = (line: string): void => {
        if (!values.quiet) io.stderr(`emr-re bootstrap: ${line}\n`);
      };
      await selectBackend({ backend, log });
      const schema = await loadSchema(schemaArgument(values.schema, io.cwd));
      const crossSentence = config.crossSentence ?? false;
      const skipInvalid = values['skip-invalid'];
      const candidatesOf = async (file: string, fileFormat: typeof format): Promise<Candidate[]> =>
        toCandidates(
          await readRecords(file, { format: fileFormat, schema, skipInvalid, encoding }, io, 'bootstrap'),
          schema,
          crossSentence,
        );
      const seed = await candidatesOf(seedFile, format);
      if (seed.length === 0)
        throw new UsageError(
          `${seedFile}: no candidate entity pairs under schema '${schema.name}' (check --format and --schema)`,
        );
      const poolWithLabels = await candidatesOf(poolFile, poolFormat);
      // The pool's labels never reach training; with --pool-gold they only score the moved labels.
      const pool = poolWithLabels.map((c) => ({ ...c, label: UNKNOWN_LABEL }));
      const poolGold = values['pool-gold'] ? poolWithLabels.map((c) => c.label) : undefined;
      const dev = devFile === undefined ? undefined : await candidatesOf(devFile, format);
      log(
        `${seed.length} seed pairs, ${pool.length} pool pairs${dev ? `, ${dev.length} dev pairs` : ''}; run directory ${out}`,
      );

      // One vocabulary for every iteration, from the seed and pool windows (text only, no labels).
      const vocabulary = CharVocabulary.build(new Set([...seed, ...pool].map((c) => c.sentence.text)), {
        minCount: config.minCount ?? 1,
      });
      const embeddings =
        embeddingsFile === undefined
          ? undefined
          : await loadWord2Vec(embeddingsFile, {
              vocabulary: new Set([...seed, ...pool].flatMap((c) => [...c.sentence.text])),
            });

      const controller = new AbortController();
      const unregister = onInterrupt(() => controller.abort());
      let result: BootstrapResult;
      try {
        result = await runBootstrap({
          seed,
          pool,
          poolGold,
          dev,
          createClassifier: () => createRelationModel({ config, schema, vocabulary, embeddings }),
          lambda,
          perIteration,
          maxIterations,
          classQuotas,
          devDropTolerance,
          warmStart: values['warm-start'],
          calibration,
          pseudoLabelWeight,
          agreement:
            values.agree === undefined
              ? undefined
              : {
                  name: values.agree,
                  createClassifier: () =>
                    createRelationModel({
                      config: { ...config, arch: values.agree as Architecture },
                      schema,
                      vocabulary,
                      embeddings,
                    }),
                },
          includeUnknown: !values['no-unknown'],
          outDir: out,
          resume: values.resume,
          onProgress: progressRenderer(io, values.quiet),
          signal: controller.signal,
        });
      } finally {
        unregister();
      }
      result.classifier?.dispose();

      if (values.json) {
        io.stdout(JSON.stringify(resultJson(result)) + '\n');
      } else {
        const f1 = (m: { micro: { f1: number }; macro: { f1: number } } | undefined): string =>
          m === undefined ? '' : ` dev micro-F1 ${m.micro.f1.toFixed(4)} macro-F1 ${m.macro.f1.toFixed(4)}`;
        const lines = [`seed: ${seed.length} labelled pairs${f1(result.seedDev)}`];
        for (const it of result.iterations) {
          const wrong = it.wrongAdded === undefined ? '' : ` (${it.wrongAdded} wrong)`;
          lines.push(
            `iteration ${it.iteration}: moved ${it.added}${wrong}, pool left ${it.poolLeft}, trained on ${it.labelled}${f1(it.dev)}${it.rolledBack ? ' — rolled back' : ''}`,
          );
        }
        lines.push(`stopped: ${result.stopReason}; labelled set ${result.labelled}, pool left ${result.poolLeft}`);
        lines.push(
          result.stopReason === 'aborted'
            ? `interrupted: continue with --resume --out ${out}`
            : `model (iteration ${result.acceptedIteration}): ${path.join(out, 'model')}`,
        );
        io.stdout(lines.join('\n') + '\n');
      }
      return result.stopReason === 'aborted' ? 130 : 0;
    } finally {
      claimed.release();
    }
  },
});
