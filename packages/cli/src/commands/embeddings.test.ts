import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWord2Vec } from '@emr-re/embeddings';
import { main } from '../cli';
import type { CliIO } from '../io';

function fakeIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, cwd, env: {} } as CliIO & { out: string; err: string };
  io.stdout = (t) => void (io.out += t);
  io.stderr = (t) => void (io.err += t);
  return io;
}

describe('emr-re embeddings train', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emr-cli-emb-'));
    // two files, 700 characters (whitespace is not a token), 9 distinct; 痛 is the most frequent (150)
    writeFileSync(join(dir, 'a.txt'), '腹痛 腹胀\n胸闷胸痛\n'.repeat(50));
    writeFileSync(join(dir, 'b.txt'), '头晕头痛\t咳嗽\n'.repeat(50));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a text file whose header is "N DIM", with progress on stderr', async () => {
    const io = fakeIO(dir);
    const code = await main(
      [
        'embeddings',
        'train',
        '--corpus',
        'a.txt',
        'b.txt',
        '--dim',
        '8',
        '--epochs',
        '2',
        '--threads',
        '1',
        '--seed',
        '3',
        '--out',
        'v.vec',
      ],
      io,
    );
    expect(io.err).toMatch(/^embeddings 1400\/1400 \(100%\) in \d+s words\/s \d+ lr [\d.]+ loss [\d.]+$/m);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'v.vec'), 'utf8').split('\n')[0]).toBe('9 8');
    const table = await loadWord2Vec(join(dir, 'v.vec'));
    expect([...table.tokens].sort()).toEqual([...'腹痛胀胸闷头晕咳嗽'].sort());
    expect(table.tokens[0]).toBe('痛'); // the most frequent character comes first
    expect(io.out).toMatch(
      /^wrote 9 vectors of dim 8 to v\.vec \(text\); 1400 words trained in [\d.]+s, \d+ words\/s\n$/,
    );
  });

  it('--kernel js and --kernel wasm train the same vectors (1 thread, same seed)', async () => {
    const vectors: Float32Array[] = [];
    for (const kernel of ['js', 'wasm']) {
      const io = fakeIO(dir);
      const argv = ['embeddings', 'train', '--corpus', 'a.txt', 'b.txt', '--dim', '8', '--epochs', '2'];
      argv.push('--threads', '1', '--seed', '5', '--kernel', kernel, '--quiet', '--out', `k-${kernel}.vec`);
      expect(await main(argv, io)).toBe(0);
      const table = await loadWord2Vec(join(dir, `k-${kernel}.vec`));
      vectors.push(table.lookup('痛')!);
    }
    let maxDiff = 0;
    for (let i = 0; i < 8; i++) maxDiff = Math.max(maxDiff, Math.abs(vectors[0][i] - vectors[1][i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Math.hypot(...vectors[0])).toBeGreaterThan(0.01);
  });

  it('writes binary for .bin (or --format binary), readable back', async () => {
    const io = fakeIO(dir);
    expect(
      await main(
        [
          'embeddings',
          'train',
          '--corpus',
          'b.txt',
          '--dim',
          '4',
          '--epochs',
          '1',
          '--threads',
          '1',
          '--cbow',
          '--quiet',
          '--out',
          'v.bin',
        ],
        io,
      ),
    ).toBe(0);
    expect(io.err).toBe('');
    const table = await loadWord2Vec(join(dir, 'v.bin'), { format: 'binary' });
    expect(table.size).toBe(5);
    expect(table.dim).toBe(4);
  });

  it('rejects bad usage and missing files with one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['embeddings'], /missing subcommand: train/],
      [['embeddings', 'fit'], /unknown subcommand 'fit'/],
      [['embeddings', 'train', '--dim', '8', '--out', 'x.vec'], /--corpus is required/],
      [['embeddings', 'train', '--corpus', 'a.txt', '--out', 'x.vec'], /--dim is required/],
      [['embeddings', 'train', '--corpus', 'a.txt', '--dim', '8'], /--out is required/],
      [
        ['embeddings', 'train', '--corpus', 'a.txt', '--dim', 'x', '--out', 'x.vec'],
        /--dim must be an integer >= 1, got 'x'/,
      ],
      [
        ['embeddings', 'train', '--corpus', 'a.txt', '--dim', '8', '--out', 'x.vec', '--format', 'csv'],
        /--format must be text or binary/,
      ],
      [
        ['embeddings', 'train', '--corpus', 'a.txt', '--dim', '8', '--out', 'x.vec', '--kernel', 'gpu'],
        /--kernel must be auto, wasm or js, got 'gpu'/,
      ],
      [
        ['embeddings', 'train', '--corpus', 'a.txt', '--dim', '8', '--out', 'x.vec', '--bogus'],
        /Unknown option '--bogus'/,
      ],
      [
        ['embeddings', 'train', '--corpus', 'none.txt', '--dim', '8', '--out', 'x.vec', '--threads', '1'],
        /none\.txt: no such file/,
      ],
    ];
    for (const [argv, message] of cases) {
      const io = fakeIO(dir);
      expect(await main(argv, io)).toBe(2);
      expect(io.err).toMatch(message);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('x.vec') || f.includes('.tmp'))).toEqual([]);
  });

  it('prints help', async () => {
    const io = fakeIO(dir);
    expect(await main(['embeddings', 'train', '--help'], io)).toBe(0);
    expect(io.out).toMatch(/--corpus FILE\.\.\./);
  });
});
