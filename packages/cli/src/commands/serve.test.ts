/*
 * `emr-re serve` flags and log lines. Serving itself is tested in @emr-re/server (real HTTP, real browser) and end to
 * end by the contract check and bench/serve.js, which start the built binary and stop it with SIGTERM.
 */
import { logLine } from './serve';
import { runCli } from '../__tests__/run-cli';

const emr = (args: string[]) => runCli(args, __dirname);

describe('emr-re serve', () => {
  it('is listed in the usage and has help', async () => {
    expect((await emr(['--help'])).stdout).toMatch(/^ {2}serve {6}--ner DIR --relations DIR/m);
    const help = await emr(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('POST /v1/extract');
    expect(help.stdout).toContain('--log-text');
  });

  it('refuses missing models, a bad port and --writable without --store as one-line usage errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--relations', 'x'], /^emr-re serve: --ner DIR .* is required\n$/],
      [['serve', '--ner', 'x', '--relations', 'y', '--port', '70000'], /^emr-re serve: --port must be at most 65535/],
      [
        ['serve', '--ner', 'x', '--relations', 'y', '--port', 'http'],
        /^emr-re serve: --port must be a non-negative integer/,
      ],
      [['serve', '--ner', 'x', '--relations', 'y', '--writable'], /^emr-re serve: --writable needs --store DIR\n$/],
      [
        ['serve', '--ner', 'no-such-dir', '--relations', 'y'],
        /^emr-re serve: --ner .*no-such-dir: no such file or directory\n$/,
      ],
      [['serve', '--ner', 'x', '--relations', 'y', '--max-records', '0'], /--max-records must be a positive integer/],
    ];
    for (const [args, message] of cases) {
      const r = await emr(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('logs a request as method, route, status, time, size and record ids with lengths; text only when given', () => {
    expect(
      logLine({
        kind: 'request',
        method: 'POST',
        route: '/v1/extract',
        status: 200,
        ms: 12.5,
        bytes: 120,
        records: [
          { id: 'a', chars: 30 },
          { id: 'b', chars: 7 },
        ],
      }),
    ).toBe('emr-re serve: POST /v1/extract 200 12.5ms 120B records 2: a(30) b(7)\n');
    expect(
      logLine({
        kind: 'request',
        method: 'GET',
        route: '/v1/graph/entity/:id',
        status: 404,
        ms: 1,
        error: 'no-entity',
      }),
    ).toBe('emr-re serve: GET /v1/graph/entity/:id 404 1ms no-entity\n');
    expect(
      logLine({
        kind: 'request',
        method: 'POST',
        route: '/v1/extract',
        url: '/v1/extract?x=1',
        status: 200,
        ms: 3,
        records: [{ id: 'a', chars: 2 }],
        texts: ['肺炎'],
      }),
    ).toBe('emr-re serve: POST /v1/extract?x=1 200 3ms records 1: a(2) texts ["肺炎"]\n');
  });
});
