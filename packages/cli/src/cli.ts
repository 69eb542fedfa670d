import { isUserError } from '@emr-re/tokenize';
import type { CliIO, CommandRun } from './io';

/** The command names of the `emr-re` contract; each lives in `commands/<name>.ts` exporting `run`. */
export const COMMANDS = [
  'evaluate',
  'train',
  'predict',
  'bootstrap',
  'embeddings',
  'export-kg',
  'ner',
  'extract',
  'kg',
  'serve',
  'queue',
] as const;

/** One-line help text. */
export const USAGE = `usage: emr-re <command> [options]
commands:
  evaluate   --gold FILE --pred FILE [--format F] [--json] | --model DIR --data FILE --format F [--json]
  train      --train FILE [--dev FILE] --format F --schema S (--config JSON | --arch A [--preset small|paper|best]) --out DIR
  predict    --model DIR --data FILE --format F --out FILE.jsonl
  bootstrap  --seed FILE --pool FILE --format F --schema S --out DIR [--lambda 0.7] [--per-iteration 1000]
  embeddings train --corpus FILE... --dim 300 --out FILE [--format text|binary]
  export-kg  --predictions FILE.jsonl --to jsonl|ntriples|neo4j-csv --out PATH
  ner        train|evaluate|predict: character-level entity recognition (BiGRU/BiLSTM/ResGRU + CRF)
  extract    --ner DIR --relations DIR --data FILE|DIR [--format text] --out FILE.jsonl: raw text → entities + relations
  kg         add|query|stats|ask|push --store DIR: a knowledge graph you can query (SPARQL, named questions)
  serve      --ner DIR --relations DIR [--store DIR] [--host 127.0.0.1] [--port 8080]: HTTP API and web page
  queue      submit|work|status|collect --redis URL: one extraction job in chunks on BullMQ, worked by many machines
run 'emr-re <command> --help' for a command's options.`;

/**
 * Runs the CLI. User errors (typed `EmrReError`s) become one line on stderr and exit code 2;
 * anything else is a bug and keeps its stack trace (exit code 1).
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (name === undefined) {
    // A usage error: the usage goes to stderr, and stdout stays empty for scripts.
    io.stderr(USAGE + '\n');
    return 2;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) {
    io.stderr(`emr-re: unknown command '${name}' (see emr-re --help)\n`);
    return 2;
  }
  try {
    const command = require(`./commands/${name}`) as { run: CommandRun };
    return await command.run(rest, io);
  } catch (err) {
    if (isUserError(err) || isArgumentError(err)) {
      io.stderr(`emr-re ${name}: ${(err as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw err;
  }
}

/** node:util parseArgs rejects unknown or malformed flags with these codes: a user error, not a bug. */
function isArgumentError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
