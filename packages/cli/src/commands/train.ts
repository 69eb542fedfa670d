import { promises as fs } from 'node:fs';
import { CORPUS_FORMATS, UsageError, checkOutputPath, loadSchema } from '@emr-re/tokenize';
import type { InputPath } from '@emr-re/tokenize';
import {
  ARCHITECTURES,
  BACKEND_NAMES,
  PRESET_NAMES,
  TrainingCancelledError,
  isCheckpointDirectory,
  selectBackend,
  toCandidates,
  train,
} from '@emr-re/resgru-att';
import type { RelationModel } from '@emr-re/resgru-att';
import { loadWord2Vec } from '@emr-re/embeddings';
import { onInterrupt, reportInterruptedTraining } from '../interrupt';
import { progressRenderer } from '../io';
import type { CommandRun } from '../io';
import { defineCommand } from '../command';
import { claimOutput } from '../outputs';
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

const HELP = `usage: emr-re train --train FILE [--dev FILE] [--format F] --schema paper|cmeie|FILE
                    (--config JSON|FILE | --arch A [--preset small|paper|best]) --out DIR
                    [--embeddings FILE] [--epochs N] [--seed N] [--backend B] [--resume] [--force] [--json]
Trains a relation classifier and writes a model directory (config, vocabulary, labels, schema, weights, manifest).
  --train FILE        labelled training records          --dev FILE   records for early stopping (dev macro-F1)
  --format F          ${CORPUS_FORMATS.join('|')} (default jsonl)
  --encoding E        the input files' text encoding (default utf-8; e.g. gb18030)
  --schema S          paper, cmeie or a schema JSON file
  --config JSON|FILE  a full or partial model config (JSON text or a file); exclusive with --arch/--preset
  --arch A            ${ARCHITECTURES.join('|')}
  --preset P          ${PRESET_NAMES.join('|')} (default paper = Table 3 of the paper; small trains in minutes on a CPU; best = small
                      sizes with entity types and entity pooling, chosen on dev)
${entityOptionHelp(22)}  --embeddings FILE   word2vec text vectors to initialise the character embeddings (dimension = charDim)
  --epochs N, --seed N   override the config's epochs and seed
  --cross-sentence    candidate windows are whole records, not sentences (default with --format cmeie,
                      whose relations often cross 。; a --config with "crossSentence" keeps its value)
  --backend B         auto|${BACKEND_NAMES.join('|')} (default auto; env EMR_RE_BACKEND)
  --resume            continue from the checkpoint <out>.checkpoint left by an interrupted run (Ctrl-C keeps it)
  --force             replace a model (or an interrupted run's checkpoint) that emr-re wrote at --out before;
                      a directory emr-re did not write is never replaced
  --skip-invalid      skip malformed records instead of stopping at the first
  --quiet             no progress output
  --no-calibrate      keep raw scores (default with --dev: a temperature fitted on dev makes scores probabilities)
  --json              print one JSON object with the training report on stdout
`;

export const run: CommandRun = defineCommand({
  help: HELP,
  flags: {
    train: { type: 'string' },
    dev: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    schema: { type: 'string' },
    config: { type: 'string' },
    arch: { type: 'string' },
    preset: { type: 'string' },
    embeddings: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    'cross-sentence': { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-calibrate': { type: 'boolean', default: false },
    ...ENTITY_OPTION_FLAGS,
  },
  required: [
    ['train', '--train FILE is required'],
    ['out', '--out DIR is required'],
    ['schema', '--schema paper|cmeie|FILE is required'],
  ],
  run: async (values, io) => {
    const format = corpusFormat(values.format);
    const backend = backendArgument(values.backend);
    const config = await configFromFlags(
      {
        config: values.config,
        arch: values.arch,
        preset: values.preset,
        epochs: intArgument(values.epochs, '--epochs', 1),
        seed: intArgument(values.seed, '--seed'),
        crossSentence: values['cross-sentence'],
        format,
        options: entityOptionOverrides(values),
      },
      io.cwd,
    );
    const trainFile = inputPath(values.train, '--train', io.cwd);
    const devFile = values.dev === undefined ? undefined : inputPath(values.dev, '--dev', io.cwd);
    const embeddingsFile =
      values.embeddings === undefined ? undefined : inputPath(values.embeddings, '--embeddings', io.cwd);
    const inputs: InputPath[] = [{ flag: '--train', path: trainFile }];
    if (devFile !== undefined) inputs.push({ flag: '--dev', path: devFile });
    if (embeddingsFile !== undefined) inputs.push({ flag: '--embeddings', path: embeddingsFile });
    const claimed = await claimOutput(
      values.out,
      'model',
      { command: 'train', inputs, force: values.force, lock: true },
      io,
    );
    try {
      const out = claimed.path;
      const checkpointDir = `${out}.checkpoint`;
      await checkCheckpointPath(checkpointDir, inputs, values.resume, values.force);
      const started = Date.now();

      const backendName = await selectBackend({
        backend,
        log: (line) => values.quiet || io.stderr(`emr-re train: ${line}\n`),
      });
      const schema = await loadSchema(schemaArgument(values.schema, io.cwd));
      const read = { format, schema, skipInvalid: values['skip-invalid'], encoding: encodingArgument(values.encoding) };
      const records = await readRecords(trainFile, read, io, 'train');
      const candidates = toCandidates(records, schema, config.crossSentence ?? false);
      if (candidates.length === 0) {
        throw new UsageError(
          `${trainFile}: no candidate entity pairs under schema '${schema.name}' (check --format and --schema)`,
        );
      }
      const dev =
        devFile === undefined
          ? undefined
          : toCandidates(await readRecords(devFile, read, io, 'train'), schema, config.crossSentence ?? false);
      const embeddings =
        embeddingsFile === undefined
          ? undefined
          : await loadWord2Vec(embeddingsFile, {
              vocabulary: new Set(candidates.flatMap((c) => [...c.sentence.text])),
            });

      // The first Ctrl-C (or SIGTERM) stops at the next batch; the checkpoint of the last whole epoch stays.
      const controller = new AbortController();
      const unregister = onInterrupt(() => controller.abort());
      let model: RelationModel;
      try {
        model = await train(candidates, config, {
          schema,
          dev,
          embeddings,
          onProgress: progressRenderer(io, values.quiet),
          signal: controller.signal,
          checkpointDir,
          resume: values.resume,
          calibrate: !values['no-calibrate'],
        });
      } catch (err) {
        if (!(err instanceof TrainingCancelledError)) throw err;
        return reportInterruptedTraining(
          io,
          'train',
          err.message,
          checkpointDir,
          await isCheckpointDirectory(checkpointDir),
        );
      } finally {
        unregister();
      }
      try {
        await model.save(out);
      } finally {
        model.dispose();
      }
      await fs.rm(checkpointDir, { recursive: true, force: true });

      const report = model.lastFitReport ?? { epochs: 0, loss: [] };
      const summary = {
        out,
        arch: config.arch,
        backend: backendName,
        records: records.length,
        candidates: candidates.length,
        devCandidates: dev?.length ?? 0,
        epochs: report.epochs,
        loss: report.loss,
        devMacroF1: report.devMacroF1,
        bestEpoch: report.bestEpoch,
        calibration: model.lastCalibration && {
          temperature: model.lastCalibration.temperature,
          eceBefore: model.lastCalibration.before.ece,
          eceAfter: model.lastCalibration.after.ece,
        },
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      if (values.json) io.stdout(JSON.stringify(summary) + '\n');
      else {
        const last = report.loss.length > 0 ? report.loss[report.loss.length - 1].toFixed(4) : 'n/a';
        const devPart =
          report.devMacroF1 && report.bestEpoch !== undefined
            ? `, best dev macro-F1 ${report.devMacroF1[report.bestEpoch - 1].toFixed(4)} (epoch ${report.bestEpoch})`
            : '';
        const calibrated = model.lastCalibration
          ? `, scores calibrated on dev (temperature ${model.lastCalibration.temperature.toFixed(3)}, ECE ${model.lastCalibration.before.ece.toFixed(3)} → ${model.lastCalibration.after.ece.toFixed(3)})`
          : '';
        io.stdout(
          `trained ${config.arch} on ${candidates.length} candidates (${records.length} records), ${report.epochs} epochs, final loss ${last}${devPart}${calibrated} in ${summary.seconds}s on ${backendName}; wrote ${out}\n`,
        );
      }
      return 0;
    } finally {
      claimed.release();
    }
  },
});

/**
 * `<out>.checkpoint` is emr-re's own: it may hold an interrupted run (kept for `--resume`, replaced with
 * `--force`), never anything else, and is never one of the inputs.
 */
async function checkCheckpointPath(dir: string, inputs: InputPath[], resume: boolean, force: boolean): Promise<void> {
  const state = await checkOutputPath(
    {
      path: dir,
      flag: '--out (its .checkpoint)',
      kind: 'directory',
      what: 'a training checkpoint',
      isOwn: isCheckpointDirectory,
    },
    { inputs, force: true },
  );
  if (state === 'replace-own' && !resume && !force) {
    throw new UsageError(
      `${dir} holds the checkpoint of an interrupted run: pass --resume to continue it, or --force to start afresh`,
    );
  }
}
