import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './cli';
import type { CliIO } from './io';
import { sharedContract } from '../../../test/shared-data';

const contract = sharedContract('.');
const GOLD = join(contract, 'gold.jsonl');
const PRED = join(contract, 'pred.jsonl');
const BAD = join(contract, 'bad.jsonl');

interface FakeIO extends CliIO {
  out: string;
  err: string;
}

function fakeIO(cwd = process.cwd()): FakeIO {
  const io: FakeIO = {
    out: '',
    err: '',
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    isTTY: false,
    cwd,
    env: {},
  };
  return io;
}

async function evaluate(args: string[], cwd?: string): Promise<{ code: number; io: FakeIO }> {
  const io = fakeIO(cwd);
  const code = await main(['evaluate', ...args], io);
  return { code, io };
}

describe('emr-re evaluate --gold --pred', () => {
  it('prints exactly one JSON object with the hand-computed contract values', async () => {
    const { code, io } = await evaluate(['--gold', GOLD, '--pred', PRED, '--format', 'jsonl', '--json']);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out.endsWith('\n')).toBe(true);
    expect(io.out.trim().split('\n')).toHaveLength(1);
    const m = JSON.parse(io.out);
    // TP 2 (p1 药物治疗, p2 a→b 手术治疗), FP 1 (p2 b→a), FN 1 (p1 并发症)
    expect(m.micro.precision).toBeCloseTo(2 / 3, 12);
    expect(m.micro.recall).toBeCloseTo(2 / 3, 12);
    expect(m.micro.f1).toBeCloseTo(2 / 3, 12);
    expect(m.macro.f1).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
    expect(m.perClass['药物治疗']).toEqual({
      precision: 1,
      recall: 1,
      f1: 1,
      support: 1,
      predicted: 1,
      tp: 1,
      fp: 0,
      fn: 0,
    });
    expect(m.perClass['手术治疗']).toEqual({
      precision: 0.5,
      recall: 1,
      f1: 2 / 3,
      support: 1,
      predicted: 2,
      tp: 1,
      fp: 1,
      fn: 0,
    });
    expect(m.perClass['并发症']).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 1,
      predicted: 0,
      tp: 0,
      fp: 0,
      fn: 1,
    });
    expect(m.perClass.unknown).toBeUndefined();
    expect(m.support).toBe(3);
  });

  it('defaults to jsonl and prints Markdown tables without --json', async () => {
    const { code, io } = await evaluate(['--gold', GOLD, '--pred', PRED]);
    expect(code).toBe(0);
    expect(io.out).toContain(
      'Records: 2 gold, 2 predicted, 2 matched by id (0 gold without predictions, 0 predicted without gold).',
    );
    expect(io.out).toContain('| 手术治疗 | 50.00 | 100.00 | 66.67 | 1 | 2 | 1 | 1 | 0 |');
    expect(io.out).toContain('| **micro** | 66.67 | 66.67 | 66.67 | 3 | 3 | 2 | 1 | 1 |');
    expect(io.out).toContain('| **macro** | 50.00 | 66.67 | 55.56 |');
    expect(io.out).toContain('| gold \\ pred | 并发症 | 手术治疗 | 药物治疗 | unknown |');
    expect(io.out).not.toMatch(/^\s*\{/);
  });

  it('names file and line 2 of malformed gold on one stderr line, exit 2, no stack trace', async () => {
    const { code, io } = await evaluate(['--gold', BAD, '--pred', PRED, '--format', 'jsonl', '--json']);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err.endsWith('\n')).toBe(true);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^emr-re evaluate: \S*bad\.jsonl:2\b/);
    expect(io.err).not.toMatch(/^\s+at /m);
    expect(io.err).not.toContain('胆囊结石'); // never echo record text
  });

  it('with --skip-invalid scores the readable records and reports the skip on stderr', async () => {
    const { code, io } = await evaluate(['--gold', BAD, '--pred', PRED, '--skip-invalid', '--json']);
    expect(code).toBe(0);
    expect(io.err).toMatch(/^emr-re evaluate: skipped 1 invalid record of \S*bad\.jsonl; first: \S*bad\.jsonl:2\b/);
    const m = JSON.parse(io.out);
    // gold keeps only p1, without relations: every prediction is a false positive
    expect(m.support).toBe(0);
    expect(m.micro).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(m.perClass['手术治疗']).toMatchObject({ tp: 0, fp: 2, fn: 0 });
    expect(m.perClass['药物治疗']).toMatchObject({ tp: 0, fp: 1, fn: 0 });
  });

  describe('on files in a temporary directory', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'emr-re-evaluate-'));
      const ents = [
        { id: 'e0', type: '疾病', start: 0, end: 2, text: '肺癌' },
        { id: 'e1', type: '部位', start: 3, end: 4, text: '肺' },
        { id: 'e2', type: '药物', start: 5, end: 8, text: '顺铂类' },
      ];
      const rec = (id: string, relations: object[]): string =>
        JSON.stringify({ id, text: '肺癌于肺，顺铂类。', entities: ents, relations });
      writeFileSync(
        join(dir, 'gold.jsonl'),
        [
          rec('r1', [
            { head: 'e0', tail: 'e1', label: '发病部位' },
            { head: 'e0', tail: 'e2', label: '药物治疗' },
          ]),
          rec('r2', [{ head: 'e0', tail: 'e1', label: '发病部位' }]),
        ].join('\n') + '\n',
      );
      // r1: one hit, one confusion (药物治疗 predicted as 发病部位); r2 has no prediction record
      writeFileSync(
        join(dir, 'pred.jsonl'),
        rec('r1', [
          { head: 'e0', tail: 'e1', label: '发病部位', score: 0.9 },
          { head: 'e0', tail: 'e2', label: '发病部位', score: 0.6 },
        ]) + '\n',
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves relative paths against the working directory and counts a missing prediction record as FN', async () => {
      const { code, io } = await evaluate(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--json'], dir);
      expect(io.err).toBe('');
      expect(code).toBe(0);
      const m = JSON.parse(io.out);
      // 发病部位: tp 1, fp 1 (the confused pair), fn 1 (r2) → P 1/2, R 1/2; 药物治疗: fn 1
      expect(m.perClass['发病部位']).toEqual({
        precision: 0.5,
        recall: 0.5,
        f1: 0.5,
        support: 2,
        predicted: 2,
        tp: 1,
        fp: 1,
        fn: 1,
      });
      expect(m.perClass['药物治疗']).toEqual({
        precision: 0,
        recall: 0,
        f1: 0,
        support: 1,
        predicted: 0,
        tp: 0,
        fp: 0,
        fn: 1,
      });
      expect(m.micro.precision).toBeCloseTo(0.5, 12);
      expect(m.micro.recall).toBeCloseTo(1 / 3, 12);
      expect(m.micro.f1).toBeCloseTo(0.4, 12);
      expect(m.macro.f1).toBeCloseTo(0.25, 12);
      expect(m.confusion).toEqual({
        labels: ['发病部位', '药物治疗', 'unknown'],
        matrix: [
          [1, 0, 1],
          [1, 0, 0],
          [0, 0, 0],
        ],
      });
    });

    it('says how many records matched in the readable output', async () => {
      const { code, io } = await evaluate(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--markdown'], dir);
      expect(code).toBe(0);
      expect(io.out).toContain(
        'Records: 2 gold, 1 predicted, 1 matched by id (1 gold without predictions, 0 predicted without gold).',
      );
    });

    it('names a relation that points at a missing entity by file and field, exit 2', async () => {
      writeFileSync(
        join(dir, 'dangling.jsonl'),
        JSON.stringify({
          id: 'r9',
          text: '肺癌',
          entities: [{ id: 'e0', type: '疾病', start: 0, end: 2, text: '肺癌' }],
          relations: [{ head: 'e0', tail: 'e9', label: '发病部位', score: 1 }],
        }) + '\n',
      );
      const { code, io } = await evaluate(['--gold', 'gold.jsonl', '--pred', 'dangling.jsonl', '--json'], dir);
      expect(code).toBe(2);
      expect(io.out).toBe('');
      expect(io.err.trim().split('\n')).toHaveLength(1);
      expect(io.err).toMatch(/^emr-re evaluate: \S*dangling\.jsonl\b.*relations\[0\]/);
    });
  });

  it('reads other formats through a schema: a CMeIE slice scored against itself is perfect', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emr-re-evaluate-cmeie-'));
    try {
      const lines = readFileSync(join(contract, '../data/cmeie/train.jsonl'), 'utf8').split('\n').slice(0, 20);
      writeFileSync(join(dir, 'slice.jsonl'), lines.join('\n') + '\n');
      const { code, io } = await evaluate(
        ['--gold', 'slice.jsonl', '--pred', 'slice.jsonl', '--format', 'cmeie', '--schema', 'cmeie', '--json'],
        dir,
      );
      expect(code).toBe(0);
      const m = JSON.parse(io.out);
      expect(m.support).toBeGreaterThan(20);
      expect(m.micro).toEqual({ precision: 1, recall: 1, f1: 1 });
      expect(m.macro).toEqual({ precision: 1, recall: 1, f1: 1 });
      expect(m.perClass['临床表现'].tp).toBe(m.perClass['临床表现'].support);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--gold', GOLD, '--pred', PRED, '--schema', 'no-such-schema'], /no-such-schema/],
    [['--pred', PRED], /--gold FILE is required/],
    [['--gold', GOLD], /--pred FILE is required/],
    [
      ['--gold', GOLD, '--pred', PRED, '--format', 'xml'],
      /--format must be one of jsonl, brat, cmeie, ccks2017, got 'xml'/,
    ],
    [['--gold', GOLD, '--pred', PRED, '--json', '--markdown'], /--json and --markdown are exclusive/],
    [
      ['--gold', join(contract, 'missing.jsonl'), '--pred', PRED],
      /--gold \S*missing\.jsonl: no such file or directory/,
    ],
    [['--gold', GOLD, '--pred', PRED, '--frobnicate'], /frobnicate/],
  ])('rejects bad usage %j with exit 2 and one stderr line', async (args, message) => {
    const { code, io } = await evaluate(args);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^emr-re evaluate: /);
    expect(io.err).toMatch(message);
  });

  it('hands --model to evaluate-model, or says model evaluation is unavailable', async () => {
    const { code, io } = await evaluate(['--model', join(contract, 'no-such-model'), '--data', GOLD, '--json']);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    if (!existsSync(join(__dirname, 'commands/evaluate-model.ts'))) {
      expect(io.err).toBe(
        'emr-re evaluate: model evaluation (--model) is unavailable in this build; score a prediction file with --gold FILE --pred FILE\n',
      );
    } else {
      expect(io.err).not.toMatch(/unavailable|--gold FILE is required/);
    }
  });

  it('prints help on --help', async () => {
    const { code, io } = await evaluate(['--help']);
    expect(code).toBe(0);
    expect(io.out).toMatch(/^usage: emr-re evaluate --gold FILE --pred FILE/);
  });
});

describe('emr-re evaluate --match (end-to-end triples)', () => {
  // Gold: 糖尿病 (疾病 0-3) —药物治疗→ 二甲双胍 (药物 5-9) and 糖尿病 —临床表现→ 口渴 (症状 10-12).
  // Predicted by a recogniser (its own ids): 糖尿病 (疾病 0-3) —药物治疗→ 二甲双胍 typed 治疗 (wrong type),
  // and 糖尿病 —临床表现→ 口渴 (症状 10-12).
  // offsets: TP 1 (临床表现), FP 1, FN 1 → P = R = F1 = 1/2. text: both triples' strings match → P = R = F1 = 1.
  const text = '糖尿病患者二甲双胍，口渴';
  const gold = {
    id: 'r1',
    text,
    entities: [
      { id: 'g0', type: '疾病', start: 0, end: 3, text: '糖尿病' },
      { id: 'g1', type: '药物', start: 5, end: 9, text: '二甲双胍' },
      { id: 'g2', type: '症状', start: 10, end: 12, text: '口渴' },
    ],
    relations: [
      { head: 'g0', tail: 'g1', label: '药物治疗' },
      { head: 'g0', tail: 'g2', label: '临床表现' },
    ],
  };
  const pred = {
    id: 'r1',
    text,
    entities: [
      { id: 'e0', type: '疾病', start: 0, end: 3, text: '糖尿病', score: 0.9 },
      { id: 'e1', type: '治疗', start: 5, end: 9, text: '二甲双胍', score: 0.6 },
      { id: 'e2', type: '症状', start: 10, end: 12, text: '口渴', score: 0.8 },
    ],
    relations: [
      { head: 'e0', tail: 'e1', label: '药物治疗', score: 0.7 },
      { head: 'e0', tail: 'e2', label: '临床表现', score: 0.9 },
    ],
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emr-re-match-'));
    writeFileSync(join(dir, 'gold.jsonl'), JSON.stringify(gold) + '\n');
    writeFileSync(join(dir, 'pred.jsonl'), JSON.stringify(pred) + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['offsets', 0.5],
    ['text', 1],
  ])('--match %s gives the hand-computed micro F1 %d', async (match, f1) => {
    const { code, io } = await evaluate(
      ['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--match', String(match), '--json'],
      dir,
    );
    expect(code).toBe(0);
    const m = JSON.parse(io.out);
    expect(m.match).toBe(match);
    expect(m.micro.f1).toBeCloseTo(f1 as number, 10);
    expect(m.micro.precision).toBeCloseTo(f1 as number, 10);
    expect(Object.keys(m)).toEqual(['micro', 'macro', 'perClass', 'support', 'match']);
  });

  it('refuses an unknown matching in one line', async () => {
    const { code, io } = await evaluate(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--match', 'fuzzy'], dir);
    expect(code).toBe(2);
    expect(io.err).toMatch(/^emr-re evaluate: --match must be one of offsets, text, got 'fuzzy'\n$/);
  });
});
