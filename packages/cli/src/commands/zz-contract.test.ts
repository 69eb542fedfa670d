import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../cli';
it('contract', async () => {
  const tmp = '/tmp/bs-contract'; await fs.rm(tmp, { recursive: true, force: true }); await fs.mkdir(tmp);
  const lines = readFileSync('/work/shared/data/cmeie/train.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '');
  await fs.writeFile(path.join(tmp, 'seed.jsonl'), lines.slice(0, 150).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'pool.jsonl'), lines.slice(150, 600).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'dev.jsonl'), lines.slice(-100).join('\n') + '\n');
  const t0 = Date.now(); let out = '';
  const io = { stdout: (t: string) => { out += t; }, stderr: (t: string) => process.stderr.write(`[${Date.now() - t0}ms] ${t}`), isTTY: false, cwd: tmp, env: {} };
  const code = await main(['bootstrap', '--seed', 'seed.jsonl', '--pool', 'pool.jsonl', '--dev', 'dev.jsonl', '--format', 'cmeie', '--schema', 'cmeie', '--preset', 'small', '--epochs', '1', '--lambda', '0.7', '--per-iteration', '200', '--max-iterations', '2', '--out', 'run', '--json'], io);
  const r = JSON.parse(out);
  process.stderr.write(`code ${code} total ${Date.now() - t0}ms ${JSON.stringify(r.iterations.map((i: any) => [i.iteration, i.added, i.poolLeft, i.dev.micro.f1, i.addedByClass]))} ${r.stopReason} seed ${r.seedDev.micro.f1}\n`);
}, 1800000);
