/** `emr-re embeddings train`: character word2vec on plain UTF-8 text, written in word2vec text or binary format. */
import { resolve } from 'node:path';
import { readCorpusLines, trainWord2Vec, writeWord2VecBinary, writeWord2VecText } from '@emr-re/embeddings';
import type { Word2VecKernelChoice } from '@emr-re/embeddings';
import { UsageError, type ProgressEvent } from '@emr-re/tokenize';
import { progressRenderer, type CommandRun } from '../io';
import { encodingArgument, inputPath } from '../flags';
import { defineCommand } from '../command';
import { claimOutput } from '../outputs';

/** Help text of `emr-re embeddings`. */
export const HELP = `usage: emr-re embeddings train --corpus FILE... --dim N --out FILE [options]
Trains character embeddings (word2vec, negative sampling) on UTF-8 text: every character is a token,
whitespace is ignored, context windows stay within a line.
  --corpus FILE...         text files (repeat the flag or list several files after it)
  --dim N                  vector dimension (the paper uses 300)
  --out FILE               output file, written atomically (never one of the corpus files)
  --force                  replace a word2vec file that emr-re wrote at --out before
  --encoding E             the corpus files' text encoding (default utf-8; e.g. gb18030)
  --format text|binary     word2vec format (default: binary if FILE ends in .bin, else text)
  --window N               context window (default 5)
  --negative N             noise samples per example (default 5)
  --epochs N               passes over the corpus (default 5)
  --min-count N            drop characters seen fewer times (default 1)
  --sample X               subsampling threshold, 0 = off (default 1e-4, as fastText)
  --lr X                   starting learning rate (default 0.025, CBOW 0.05)
  --threads N              training threads (default 2; 1 is reproducible with --seed)
  --cbow                   CBOW instead of skip-gram
  --kernel auto|wasm|js    training kernel (default auto: wasm SIMD where the runtime has it, else plain JS)
  --seed N                 random seed (default 1)
  --quiet                  no progress output`;

function isKernelChoice(value: string): value is Word2VecKernelChoice {
  return value === 'auto' || value === 'wasm' || value === 'js';
}

function integerFlag(name: string, value: string | undefined, fallback: number | undefined, min: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^-?\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

function numberFlag(name: string, value: string | undefined, min: number, exclusive: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (exclusive && n === min)) {
    throw new UsageError(`--${name} must be a number ${exclusive ? '>' : '>='} ${min}, got '${value}'`);
  }
  return n;
}

/** Runs `emr-re embeddings <subcommand>`. */
export const run: CommandRun = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(HELP + '\n');
    return 0;
  }
  if (sub !== 'train')
    throw new UsageError(
      sub === undefined ? 'missing subcommand: train' : `unknown subcommand '${sub}' (expected: train)`,
    );
  return trainCommand(rest, io);
};

/** `emr-re embeddings train`. */
const trainCommand: CommandRun = defineCommand({
  help: HELP,
  positionals: true,
  flags: {
    corpus: { type: 'string', multiple: true },
    dim: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    window: { type: 'string' },
    negative: { type: 'string' },
    epochs: { type: 'string' },
    'min-count': { type: 'string' },
    sample: { type: 'string' },
    lr: { type: 'string' },
    threads: { type: 'string' },
    cbow: { type: 'boolean' },
    kernel: { type: 'string' },
    seed: { type: 'string' },
    force: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  required: [['out', '--out is required']],
  run: async (values, io, positionals) => {
    // `--corpus a.txt b.txt` leaves b.txt as a positional: it is a corpus file too.
    const corpus = [...(values.corpus ?? []), ...positionals].map((f) => inputPath(f, '--corpus', io.cwd));
    if (corpus.length === 0) throw new UsageError('--corpus is required');
    const encoding = encodingArgument(values.encoding);
    const out = resolve(io.cwd, values.out);
    const format = values.format ?? (out.endsWith('.bin') ? 'binary' : 'text');
    if (format !== 'text' && format !== 'binary')
      throw new UsageError(`--format must be text or binary, got '${format}'`);
    const kernel = values.kernel ?? 'auto';
    if (!isKernelChoice(kernel)) throw new UsageError(`--kernel must be auto, wasm or js, got '${kernel}'`);
    const options = {
      kernel,
      dim: integerFlag('dim', values.dim, undefined, 1),
      window: integerFlag('window', values.window, 5, 1),
      negative: integerFlag('negative', values.negative, 5, 0),
      epochs: integerFlag('epochs', values.epochs, 5, 1),
      minCount: integerFlag('min-count', values['min-count'], 1, 1),
      sample: numberFlag('sample', values.sample, 0, false),
      learningRate: numberFlag('lr', values.lr, 0, true),
      threads: integerFlag('threads', values.threads, 2, 1),
      seed: integerFlag('seed', values.seed, 1, -2147483648),
      model: values.cbow ? ('cbow' as const) : ('skipgram' as const),
    };
    const claimed = await claimOutput(
      out,
      'word2vec',
      {
        command: 'embeddings',
        inputs: corpus.map((file) => ({ flag: '--corpus', path: file })),
        force: values.force ?? false,
        lock: true,
      },
      io,
    );
    try {
      return await trainAndWrite(corpus, encoding, format, options, out, values, io);
    } finally {
      claimed.release();
    }
  },
});

async function trainAndWrite(
  corpus: string[],
  encoding: string,
  format: 'text' | 'binary',
  options: Parameters<typeof trainWord2Vec>[1],
  out: string,
  values: { out?: string; quiet?: boolean },
  io: Parameters<CommandRun>[1],
): Promise<number> {
  const render = progressRenderer(io, values.quiet ?? false);
  let last: ProgressEvent | undefined;
  const started = Date.now();
  const table = await trainWord2Vec(readCorpusLines(corpus, { encoding }), options, {
    onProgress: (e) => {
      last = e;
      render(e);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  if (format === 'binary') await writeWord2VecBinary(out, table);
  else await writeWord2VecText(out, table);
  const words = last?.done ?? 0;
  io.stdout(
    `wrote ${table.size} vectors of dim ${table.dim} to ${values.out} (${format}); ` +
      `${words} words trained in ${seconds.toFixed(1)}s, ${Math.round(words / Math.max(seconds, 1e-3))} words/s\n`,
  );
  return 0;
}
