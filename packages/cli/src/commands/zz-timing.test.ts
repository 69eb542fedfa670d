import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../cli';
it('timing', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-cli-timing-'));
  const lines = readFileSync('/work/shared/data/cmeie/train.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '');
  await fs.writeFile(path.join(tmp, 'seed.jsonl'), lines.slice(0, 12).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'pool.jsonl'), lines.slice(12, 36).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'dev.jsonl'), lines.slice(-8).join('\n') + '\n');
  const t0 = Date.now();
  const cfg = JSON.stringify({ version: 1, arch: 'resgru-att', maxLength: 80, charDim: 16, positionDim: 4, maxDistance: 80, cnn: { filters: 8, windows: [3], blocks: 1 }, rnn: { units: 8, layers: 1 }, dropout: 0.1, batchSize: 64, learningRate: 0.01, epochs: 1, seed: 1, minCount: 1 });
  const io = { stdout: (t: string) => process.stderr.write(`[${Date.now() - t0}ms] OUT ${t}`), stderr: (t: string) => process.stderr.write(`[${Date.now() - t0}ms] ${t}`), isTTY: false, cwd: tmp, env: {} };
  await main(['bootstrap', '--seed', 'seed.jsonl', '--pool', 'pool.jsonl', '--dev', 'dev.jsonl', '--format', 'cmeie', '--schema', 'cmeie', '--config', cfg, '--lambda', '0.3', '--per-iteration', '40', '--max-iterations', '1', '--out', 'run', '--backend', process.env.BK ?? 'cpu'], io);
  process.stderr.write(`total ${Date.now() - t0}ms\n`);
}, 600000);
