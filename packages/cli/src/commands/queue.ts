/** `emr-re queue submit|work|status|collect`: one extraction job cut into chunks on a BullMQ queue in Redis. */
import * as path from 'node:path';
import { CORPUS_FORMATS, UsageError, openCorpus } from '@emr-re/tokenize';
import type { CorpusFormat } from '@emr-re/tokenize';
import { selectBackend } from '@emr-re/resgru-att';
import {
  checkJobName,
  collectJob,
  connectRedis,
  jobStatus,
  loadPipeline,
  redisOptions,
  startQueueWorker,
  submitJob,
} from '@emr-re/queue';
import type { QueueWorkerEvent } from '@emr-re/queue';
import { defineCommand } from '../command';
import { backendArgument, encodingArgument, inputPath, intArgument } from '../flags';
import type { CliIO, CommandRun } from '../io';
import { onInterrupt } from '../interrupt';
import { claimOutput } from '../outputs';
import { STORE_WAIT_MS, openGraphSink } from '../graph-sink';
import type { GraphSink } from '../graph-sink';
import { reportReadStats } from '../read-report';

const SUBCOMMANDS = 'submit, work, status, collect';

/** Help text of `emr-re queue`. */
export const HELP = `usage: emr-re queue submit  --redis URL --data FILE --format F --job NAME [--chunk-size N] [--json]
       emr-re queue work    --redis URL --ner DIR --relations DIR [--concurrency N] [--out-dir DIR] [--job NAME]
                            [--store DIR] [--keep-inputs] [--exit-when-idle]
       emr-re queue status  --redis URL --job NAME [--json]
       emr-re queue collect --redis URL --job NAME --out FILE.jsonl [--partial] [--force] [--json]
Extraction (as emr-re extract) on any number of machines: submit cuts the input into chunks stored in Redis and
enqueued on BullMQ; workers store each chunk's output (once, keyed by job and chunk) before acknowledging it, so a
chunk whose worker died is redone and never written twice; with --store they also add it to a graph store;
collect writes the outputs in input order.
'emr-re queue <subcommand> --help' lists a subcommand's options.`;

/** Runs `emr-re queue <subcommand>`. */
export const run: CommandRun = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError(`missing subcommand (${SUBCOMMANDS}); see emr-re queue --help`);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(HELP + '\n');
    return 0;
  }
  const command = { submit, work, status, collect }[sub];
  if (command === undefined) throw new UsageError(`unknown subcommand '${sub}' (expected: ${SUBCOMMANDS})`);
  return command(rest, io);
};

const REDIS_FLAG = { redis: { type: 'string' } } as const;
const REDIS_REQUIRED = ['redis', '--redis URL is required (e.g. redis://127.0.0.1:6379)'] as const;
const JOB_REQUIRED = ['job', '--job NAME is required'] as const;

type Redis = Awaited<ReturnType<typeof connectRedis>>;

/** Connects (a bad URL or an unreachable server is one line, exit 2), runs `body`, and always disconnects. */
async function withRedis<T>(url: string, body: (redis: Redis) => Promise<T>): Promise<T> {
  redisOptions(url);
  const redis = await connectRedis(url);
  try {
    return await body(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

const submit = defineCommand({
  help: `usage: emr-re queue submit --redis URL --data FILE|DIR --format F --job NAME [--chunk-size N] [--json]
Cuts the input into chunks of --chunk-size records, stores each gzip-compressed in Redis and enqueues one BullMQ job
per chunk on the queue of --job (retried with exponential backoff when a worker fails, not when records are bad).
  --format F        ${CORPUS_FORMATS.join('|')}
  --encoding E      the input's text encoding (default utf-8)
  --chunk-size N    records per chunk (default 500)
  --skip-invalid    skip empty lines and malformed records (counted on stderr) instead of stopping
  --json            print {"job","chunks","records","chunkSize"}`,
  flags: {
    ...REDIS_FLAG,
    data: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    job: { type: 'string' },
    'chunk-size': { type: 'string' },
    'skip-invalid': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [
    REDIS_REQUIRED,
    ['data', '--data FILE|DIR is required'],
    ['format', `--format is required (${CORPUS_FORMATS.join(', ')})`],
    JOB_REQUIRED,
  ],
  run: async (values, io) => {
    if (!(CORPUS_FORMATS as readonly string[]).includes(values.format))
      throw new UsageError(`--format must be one of ${CORPUS_FORMATS.join(', ')}, got '${values.format}'`);
    const job = checkJobName(values.job);
    const chunkSize = intArgument(values['chunk-size'], '--chunk-size', 1) ?? 500;
    const dataPath = inputPath(values.data, '--data', io.cwd);
    const reader = openCorpus(dataPath, values.format as CorpusFormat, {
      encoding: encodingArgument(values.encoding),
      skipInvalid: values['skip-invalid'],
    });
    return withRedis(values.redis, async (redis) => {
      async function* texts(): AsyncIterable<{ id: string; text: string }> {
        for await (const r of reader.read()) yield { id: r.id, text: r.text };
      }
      const summary = await submitJob({ url: values.redis, redis, job, records: texts(), chunkSize });
      reportReadStats(reader.stats, { file: dataPath, format: 'text', command: 'queue submit' }, io);
      if (values.json) io.stdout(JSON.stringify(summary) + '\n');
      else io.stdout(`submitted job ${job}: ${summary.records} records in ${summary.chunks} chunks\n`);
      return 0;
    });
  },
});

const work = defineCommand({
  help: `usage: emr-re queue work --redis URL --ner DIR --relations DIR [--concurrency N] [--out-dir DIR] [--job NAME]
                        [--store DIR] [--keep-inputs] [--exit-when-idle]
Loads the models once and works the chunks of --job (default: every submitted job, new ones as they come) until
SIGINT/SIGTERM, which lets the active chunks finish. Each chunk's output is stored before the chunk is acknowledged:
gzip JSONL in Redis, or a file under --out-dir (a directory every worker and collect can read). A chunk with
malformed records fails at once with an error naming record positions and ids; other failures are retried.
Once a chunk's output is stored its input is deleted from Redis (outputs are kept for collect).
  --store DIR         also add each stored chunk output to the knowledge-graph store in DIR (as emr-re kg add;
                      created when missing or empty) before acknowledging the chunk; a redone chunk is added from
                      its stored output, once. Workers on one store take turns on its lock, waiting up to
                      ${STORE_WAIT_MS / 60_000} min for it; each add rewrites graph.nq (and reloads it when another worker wrote since)
  --keep-inputs       keep each chunk's input in Redis after its output is stored
  --concurrency N     chunks worked at once by this process (default 1)
  --lock-ms N         BullMQ's lock on an active chunk (default 30000): a dead worker's chunk is redone after ~N ms
  --backend B         the tfjs backend (default auto)
  --exit-when-idle    stop once no chunk is waiting, delayed or active
  --quiet             no line per chunk on stderr`,
  flags: {
    ...REDIS_FLAG,
    ner: { type: 'string' },
    relations: { type: 'string' },
    concurrency: { type: 'string' },
    'out-dir': { type: 'string' },
    job: { type: 'string' },
    store: { type: 'string' },
    'keep-inputs': { type: 'boolean', default: false },
    'lock-ms': { type: 'string' },
    backend: { type: 'string' },
    'exit-when-idle': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
  required: [
    REDIS_REQUIRED,
    ['ner', '--ner DIR (a model of emr-re ner train) is required'],
    ['relations', '--relations DIR (a model of emr-re train) is required'],
  ],
  run: async (values, io) => {
    const job = values.job === undefined ? undefined : checkJobName(values.job);
    const concurrency = intArgument(values.concurrency, '--concurrency', 1) ?? 1;
    const lockDurationMs = intArgument(values['lock-ms'], '--lock-ms', 100) ?? 30_000;
    const nerDir = inputPath(values.ner, '--ner', io.cwd);
    const relationsDir = inputPath(values.relations, '--relations', io.cwd);
    const outDir = values['out-dir'] === undefined ? undefined : path.resolve(io.cwd, values['out-dir']);
    const backend = backendArgument(values.backend);
    const storeDir = values.store === undefined ? undefined : path.resolve(io.cwd, values.store);
    return withRedis(values.redis, async (redis) => {
      const say = (line: string): void => {
        if (!values.quiet) io.stderr(`emr-re queue work: ${line}\n`);
      };
      // The store is opened (or found not to be one: one line, exit 2) before any chunk is taken.
      const sink: GraphSink | undefined =
        storeDir === undefined
          ? undefined
          : await openGraphSink(storeDir, {
              onWait: (holder, where) =>
                say(
                  `job ${where.job} chunk ${where.chunk} waits for the store's lock (pid ${holder.pid} on ${holder.host}, ${holder.command})`,
                ),
            });
      await selectBackend({ backend, log: say });
      const pipeline = await loadPipeline({ ner: nerDir, relations: relationsDir });
      try {
        const worker = await startQueueWorker({
          url: values.redis,
          redis,
          extract: (records) => pipeline.extract(records),
          job,
          concurrency,
          outDir,
          sink,
          keepInputs: values['keep-inputs'],
          lockDurationMs,
          onEvent: (event) => say(describeEvent(event)),
        });
        let stop: (signal: string) => void = () => undefined;
        const stopped = new Promise<string>((resolve) => (stop = resolve));
        const unregister = onInterrupt((signal) => stop(signal));
        say(`working ${job === undefined ? 'every submitted job' : `job ${job}`} (concurrency ${concurrency})`);
        try {
          const reason = await (values['exit-when-idle']
            ? Promise.race([worker.whenIdle().then(() => 'idle'), stopped])
            : stopped);
          say(reason === 'idle' ? 'no chunk left; stopping' : `${reason}: finishing the active chunks`);
        } finally {
          unregister();
          await worker.close();
        }
        return 0;
      } finally {
        pipeline.dispose();
        await sink?.close();
      }
    });
  },
});

/** One line for a worker event: chunk numbers and counts, never record text. */
function describeEvent(event: QueueWorkerEvent): string {
  switch (event.type) {
    case 'started':
      return `job ${event.job} chunk ${event.chunk} started (${event.records} records, attempt ${event.attempt})`;
    case 'stored':
      return `job ${event.job} chunk ${event.chunk} stored (${event.records} records in ${event.seconds.toFixed(1)}s)`;
    case 'already-done':
      return `job ${event.job} chunk ${event.chunk} was stored already; not written again`;
    case 'added':
      return `job ${event.job} chunk ${event.chunk} added to the store ${event.sink} (${event.records} records in ${event.seconds.toFixed(1)}s)`;
    case 'failed':
      return `job ${event.job} chunk ${event.chunk} failed${event.final ? '' : ' (will retry)'}: ${event.error}`;
    case 'error':
      return `error: ${event.error}`;
  }
}

const status = defineCommand({
  help: `usage: emr-re queue status --redis URL --job NAME [--json]
The progress of a job, in chunks (BullMQ's counts) and records.
  --json   print {"job","chunks","completed","failed","waiting","active","records","recordsPerSecond"}:
           chunks submitted; completed, failed, waiting (incl. delayed retries) and active chunks; records
           submitted; records stored per second from the first chunk started to the last one stored`,
  flags: { ...REDIS_FLAG, job: { type: 'string' }, json: { type: 'boolean', default: false } },
  required: [REDIS_REQUIRED, JOB_REQUIRED],
  run: async (values, io) => {
    const job = checkJobName(values.job);
    return withRedis(values.redis, async (redis) => {
      const s = await jobStatus(values.redis, redis, job);
      if (values.json) io.stdout(JSON.stringify(s) + '\n');
      else
        io.stdout(
          `job ${s.job}: ${s.completed}/${s.chunks} chunks completed, ${s.failed} failed, ${s.waiting} waiting, ${s.active} active; ${s.records} records, ${s.recordsPerSecond} records/s\n`,
        );
      return 0;
    });
  },
});

const collect = defineCommand({
  help: `usage: emr-re queue collect --redis URL --job NAME --out FILE.jsonl [--partial] [--force] [--json]
Writes the outputs of every chunk of a job, in input order, to --out (atomically). Refuses, naming the chunks not
done and why the failed ones failed, when any chunk is not done.
  --partial   write the chunks that are done and leave the others out (named on stderr)
  --force     replace a JSONL emr-re wrote at --out before
  --json      print {"job","chunks","collected","missing","records","out"}`,
  flags: {
    ...REDIS_FLAG,
    job: { type: 'string' },
    out: { type: 'string' },
    partial: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  required: [REDIS_REQUIRED, JOB_REQUIRED, ['out', '--out FILE.jsonl is required']],
  run: async (values, io: CliIO) => {
    const job = checkJobName(values.job);
    redisOptions(values.redis);
    const claimed = await claimOutput(
      values.out,
      'records',
      { command: 'queue collect', inputs: [], force: values.force, lock: true },
      io,
    );
    try {
      return await withRedis(values.redis, async (redis) => {
        const summary = await collectJob({ url: values.redis, redis, job, out: claimed.path, partial: values.partial });
        if (summary.missing.length > 0)
          io.stderr(
            `emr-re queue collect: left out ${summary.missing.length} chunks not done (${summary.missing.slice(0, 10).join(', ')})\n`,
          );
        if (values.json) io.stdout(JSON.stringify(summary) + '\n');
        else
          io.stdout(
            `collected ${summary.records} records from ${summary.collected}/${summary.chunks} chunks of job ${job}; wrote ${summary.out}\n`,
          );
        return 0;
      });
    } finally {
      claimed.release();
    }
  },
});
