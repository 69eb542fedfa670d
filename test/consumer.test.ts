/**
 * How users import the model: every package is packed with `npm pack`, the tarballs are installed into a fresh
 * project in a temp dir (no workspace links), a 10-line TypeScript script is compiled with `tsc --strict` as CommonJS
 * and as an ES module, and both load a saved model and predict relations for two sentences.
 * Needs the built packages (`npm test` builds first) and the npm registry for the tarballs' own dependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from './shared-data';

const root = join(__dirname, '..');
/** Every workspace package: a package the CLI depends on and the test forgot would fail to install from npm. */
const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'package.json')),
);
const cmeie = sharedData('cmeie/train.jsonl');

const records = [
  {
    id: 'a',
    text: '高血压患者服用硝苯地平降压。',
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 3, text: '高血压' },
      { id: 'e1', type: '药物', start: 7, end: 11, text: '硝苯地平' },
    ],
  },
  {
    id: 'b',
    text: '胆囊结石可行腹腔镜胆囊切除术。',
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 4, text: '胆囊结石' },
      { id: 'e1', type: '手术治疗', start: 6, end: 14, text: '腹腔镜胆囊切除术' },
    ],
  },
];

const script = (importLine: string) => `${importLine}
async function main(): Promise<void> {
  const model = await loadModel(process.argv[2]);
  const input = ${JSON.stringify(records)};
  const out = await model.predict(input.map((r) => ({ ...r, relations: [] })));
  const pairs = out.map((r) => r.relations.length);
  console.log(JSON.stringify({ records: out.length, ids: out.map((r) => r.id), pairs, labels: model.classifier.labels.length }));
}
main();
`;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });
}

describe('packed packages in a fresh TypeScript project', () => {
  const built = packages.every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));

  (built ? it : it.skip)(
    'compile under --strict (CJS and ESM) and predict with a saved model',
    () => {
      const tmp = mkdtempSync(join(tmpdir(), 'emr-consumer-'));
      const tgz = join(tmp, 'tgz');
      const app = join(tmp, 'app');
      mkdirSync(tgz);
      mkdirSync(app);
      for (const p of packages) run('npm', ['pack', '--silent', '--pack-destination', tgz], join(root, 'packages', p));
      const tarballs = readdirSync(tgz).map((f) => join(tgz, f));
      expect(tarballs).toHaveLength(packages.length);

      // A real (tiny) model, trained by the built CLI.
      const lines = require('node:fs').readFileSync(cmeie, 'utf8').split('\n').slice(0, 40).join('\n') + '\n';
      writeFileSync(join(tmp, 'tiny.jsonl'), lines);
      run(
        process.execPath,
        [
          join(root, 'packages', 'cli', 'bin', 'emr-re.js'),
          'train',
          '--train',
          join(tmp, 'tiny.jsonl'),
          '--format',
          'cmeie',
          '--schema',
          'cmeie',
          '--arch',
          'cnn-att',
          '--preset',
          'small',
          '--epochs',
          '1',
          '--seed',
          '1',
          '--out',
          join(tmp, 'model'),
        ],
        root,
      );

      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'commonjs' }),
      );
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, '@types/node@20'], app);
      expect(existsSync(join(app, 'node_modules', '@emr-re', 'resgru-att', 'dist', 'index.d.ts'))).toBe(true);
      // No workspace links: the installed packages are real directories.
      expect(
        require('node:fs')
          .lstatSync(join(app, 'node_modules', '@emr-re', 'resgru-att'))
          .isSymbolicLink(),
      ).toBe(false);

      writeFileSync(join(app, 'main.ts'), script("import { loadModel } from '@emr-re/resgru-att';"));
      writeFileSync(join(app, 'main.mts'), script("import { loadModel } from '@emr-re/resgru-att';"));
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const tscArgs = [
        tsc,
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        'main.ts',
        'main.mts',
      ];
      // tfjs' own declaration files do not pass a strict library check; ours must. So a full check may only
      // report errors inside @tensorflow's files, and the build itself skips library checks, as tfjs users do.
      const fullCheck = spawnSync(process.execPath, [...tscArgs, '--noEmit'], { cwd: app, encoding: 'utf8' });
      const errorFiles = fullCheck.stdout
        .split('\n')
        .filter((l) => /error TS\d+/.test(l))
        .map((l) => l.split('(')[0]);
      expect(errorFiles.filter((f) => !f.startsWith('node_modules/@tensorflow/'))).toEqual([]);
      run(process.execPath, [...tscArgs, '--skipLibCheck'], app);

      for (const entry of ['main.js', 'main.mjs']) {
        const out = JSON.parse(
          run(process.execPath, [entry, join(tmp, 'model')], app)
            .trim()
            .split('\n')
            .pop()!,
        );
        expect(out.records).toBe(2);
        expect(out.ids).toEqual(['a', 'b']);
        expect(out.pairs.every((n: number) => n >= 0 && n <= 2)).toBe(true);
        expect(out.labels).toBeGreaterThan(1);
      }
    },
    600000,
  );
});
