import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Debian's Virtuoso (package virtuoso-opensource-7). */
export const VIRTUOSO = '/usr/bin/virtuoso-t';
const ISQL = '/usr/bin/isql-vt';

/** A Virtuoso started for a test: its SPARQL endpoint, and `stop()` (always call it). */
export interface VirtuosoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function isql(port: number, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ISQL, [`127.0.0.1:${port}`, 'dba', 'dba', `exec=${sql}`], { timeout: 30000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`isql: ${err.message}: ${stderr}`)) : resolve(stdout),
    );
  });
}

/**
 * Starts Virtuoso on 127.0.0.1 (free SQL and HTTP ports, a fresh database in a temporary folder), waits for its
 * SPARQL endpoint (at most `timeoutMs`), and lets the anonymous SPARQL user update (GRANT SPARQL_UPDATE).
 */
export async function startVirtuoso(timeoutMs = 90000): Promise<VirtuosoServer> {
  if (!existsSync(VIRTUOSO)) throw new Error(`${VIRTUOSO} is missing: install virtuoso-opensource-7`);
  const dir = mkdtempSync(path.join(tmpdir(), 'emr-virtuoso-'));
  const [sqlPort, httpPort] = [await freePort(), await freePort()];
  writeFileSync(
    path.join(dir, 'virtuoso.ini'),
    `[Database]
DatabaseFile = ${dir}/virtuoso.db
ErrorLogFile = ${dir}/virtuoso.log
LockFile = ${dir}/virtuoso.lck
TransactionFile = ${dir}/virtuoso.trx
xa_persistent_file = ${dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = ${dir}/virtuoso-temp.db
TransactionFile = ${dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:${sqlPort}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ${dir}
[HTTPServer]
ServerPort = 127.0.0.1:${httpPort}
ServerRoot = ${dir}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
`,
  );
  const child: ChildProcess = spawn(VIRTUOSO, ['+foreground', '+configfile', path.join(dir, 'virtuoso.ini')], {
    cwd: dir,
    stdio: 'ignore',
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${httpPort}/sparql`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw new Error(`virtuoso-t exited while starting: ${tail(path.join(dir, 'virtuoso.log'))}`);
      if (Date.now() > deadline)
        throw new Error(`virtuoso-t not answering after ${timeoutMs} ms: ${tail(path.join(dir, 'virtuoso.log'))}`);
      const up = await fetch(`${endpoint}?query=${encodeURIComponent('ASK {}')}`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await isql(sqlPort, 'GRANT SPARQL_UPDATE TO "SPARQL";');
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Runs a SPARQL SELECT on an endpoint; rows of plain values. */
export async function selectOn(endpoint: string, sparql: string): Promise<Array<Record<string, string>>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/sparql-results+json' },
    body: new URLSearchParams({ query: sparql }).toString(),
  });
  if (!response.ok) throw new Error(`SELECT failed: HTTP ${response.status}: ${await response.text()}`);
  const doc = (await response.json()) as { results: { bindings: Array<Record<string, { value: string }>> } };
  return doc.results.bindings.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value])));
}
