/** Connecting to the Redis server of a queue job: the URL checked, the server reached once, or a one-line error. */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { EmrReError, UsageError } from '@emr-re/tokenize';

/** Redis could not be reached (refused, timed out, wrong password): a user's mistake, one line, exit 2. */
export class QueueConnectionError extends EmrReError {
  constructor(message: string) {
    super('QUEUE_CONNECTION', message);
  }
}

/**
 * The ioredis options of `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
 * @throws UsageError when `url` is not such a URL.
 */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--redis must be a URL like redis://127.0.0.1:6379, got '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, got '${parsed.protocol}//...'`);
  if (parsed.hostname === '') throw new UsageError('--redis names no host');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UsageError(`--redis database must be a number, got '${db}'`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    db: db === '' ? 0 : Number(db),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** The URL without its password, for messages. */
export function displayRedisUrl(url: string): string {
  const options = redisOptions(url);
  return `${url.startsWith('rediss:') ? 'rediss' : 'redis'}://${options.host}:${options.port}/${options.db}`;
}

/**
 * Connects to Redis and checks the server answers: a refused or unreachable server is a `QueueConnectionError`
 * within `timeoutMs` (default 3000) instead of endless reconnection. Once connected, the client reconnects as usual.
 */
export async function connectRedis(url: string, timeoutMs = 3000): Promise<Redis> {
  const options = redisOptions(url);
  let ready = false;
  let lastError: Error | undefined;
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A refused socket never closes by itself: without this, ioredis keeps the process alive 2 s to destroy it.
    disconnectTimeout: 100,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (ready ? Math.min(100 * times, 2000) : null),
  });
  // ioredis reports connection trouble as 'error' events; the commands that fail say so themselves.
  client.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
    await client.ping();
    ready = true;
    return client;
  } catch (err) {
    client.disconnect();
    const reason = (lastError ?? (err as Error)).message.split('\n')[0];
    throw new QueueConnectionError(`cannot reach Redis at ${displayRedisUrl(url)}: ${reason}`);
  }
}
