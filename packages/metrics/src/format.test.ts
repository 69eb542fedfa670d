import { metricsToJSON, metricsToMarkdown, table4DataSize, table5Models, table6PerClass } from './format';
import { scorePairs } from './report';

// 药物治疗 tp1; 手术治疗 tp1 fp1; 并发症 fn1 (the contract case)
const contractReport = scorePairs([
  { gold: '药物治疗', pred: '药物治疗' },
  { gold: '并发症', pred: 'unknown' },
  { gold: '手术治疗', pred: '手术治疗' },
  { gold: 'unknown', pred: '手术治疗' },
]);

describe('metricsToJSON', () => {
  it('has the CLI contract shape with unrounded fractions', () => {
    const json = JSON.parse(JSON.stringify(metricsToJSON(contractReport)));
    expect(Object.keys(json)).toEqual(['micro', 'macro', 'perClass', 'support', 'confusion']);
    expect(json.micro).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 });
    expect(json.macro.precision).toBeCloseTo(0.5, 15);
    expect(json.macro.recall).toBeCloseTo(2 / 3, 15);
    expect(json.macro.f1).toBeCloseTo(5 / 9, 15);
    expect(json.perClass['手术治疗']).toEqual({
      precision: 0.5,
      recall: 1,
      f1: 2 / 3,
      support: 1,
      predicted: 2,
      tp: 1,
      fp: 1,
      fn: 0,
    });
    expect(Object.keys(json.perClass)).toEqual(['并发症', '手术治疗', '药物治疗']);
    expect(json.support).toBe(3);
    expect(json.confusion).toEqual({
      labels: ['并发症', '手术治疗', '药物治疗', 'unknown'],
      matrix: [
        [0, 0, 0, 1],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 1, 0, 0],
      ],
    });
  });

  it('returns a copy that does not alias the report', () => {
    const json = metricsToJSON(contractReport);
    json.confusion.matrix[0][0] = 99;
    json.perClass['并发症'].f1 = 99;
    expect(contractReport.confusion.matrix[0][0]).toBe(0);
    expect(contractReport.perClass['并发症'].f1).toBe(0);
  });
});

describe('metricsToMarkdown', () => {
  it('renders per-class, micro and macro rows and the confusion matrix', () => {
    expect(metricsToMarkdown(contractReport)).toBe(
      [
        '| Relation | P (%) | R (%) | F1 (%) | Support | Predicted | TP | FP | FN |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 并发症 | 0.00 | 0.00 | 0.00 | 1 | 0 | 0 | 0 | 1 |',
        '| 手术治疗 | 50.00 | 100.00 | 66.67 | 1 | 2 | 1 | 1 | 0 |',
        '| 药物治疗 | 100.00 | 100.00 | 100.00 | 1 | 1 | 1 | 0 | 0 |',
        '| **micro** | 66.67 | 66.67 | 66.67 | 3 | 3 | 2 | 1 | 1 |',
        '| **macro** | 50.00 | 66.67 | 55.56 |  |  |  |  |  |',
        '',
        'Confusion matrix (rows gold, columns predicted):',
        '',
        '| gold \\ pred | 并发症 | 手术治疗 | 药物治疗 | unknown |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| 并发症 | 0 | 0 | 0 | 1 |',
        '| 手术治疗 | 0 | 1 | 0 | 0 |',
        '| 药物治疗 | 0 | 0 | 1 | 0 |',
        '| unknown | 0 | 1 | 0 | 0 |',
        '',
      ].join('\n'),
    );
  });

  it('can leave out the confusion matrix, set digits and escapes pipes in labels', () => {
    const md = metricsToMarkdown(scorePairs([{ gold: 'a|b', pred: 'a|b' }]), { confusion: false, digits: 0 });
    expect(md).toBe(
      [
        '| Relation | P (%) | R (%) | F1 (%) | Support | Predicted | TP | FP | FN |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| a\\|b | 100 | 100 | 100 | 1 | 1 | 1 | 0 | 0 |',
        '| **micro** | 100 | 100 | 100 | 1 | 1 | 1 | 0 | 0 |',
        '| **macro** | 100 | 100 | 100 |  |  |  |  |  |',
        '',
      ].join('\n'),
    );
  });
});

describe('paper tables', () => {
  it('table4DataSize: F1 per model and data size', () => {
    expect(
      table4DataSize([
        { model: 'CNN', sizes: { '17000': 0.6799, '30000': 0.6967 } },
        { model: 'ResGRU-Att', sizes: { '17000': 0.8226, all: 0.9 } },
      ]),
    ).toBe(
      [
        '| Models | N=17000 | N=30000 | all |',
        '| --- | ---: | ---: | ---: |',
        '| CNN | 67.99 | 69.67 | - |',
        '| ResGRU-Att | 82.26 | - | 90.00 |',
        '',
      ].join('\n'),
    );
  });

  it('table5Models: micro P/R/F1 per model', () => {
    const perfect = scorePairs([{ gold: 'A', pred: 'A' }]);
    expect(
      table5Models(
        [
          { model: 'ResGRU-Att', report: contractReport },
          { model: 'Oracle', report: perfect },
        ],
        { digits: 1 },
      ),
    ).toBe(
      [
        '| Models | Precision | Recall | F1-score |',
        '| --- | ---: | ---: | ---: |',
        '| ResGRU-Att | 66.7 | 66.7 | 66.7 |',
        '| Oracle | 100.0 | 100.0 | 100.0 |',
        '',
      ].join('\n'),
    );
  });

  it('table6PerClass: per-class F1 per model, columns from gold classes or given labels', () => {
    const other = scorePairs([
      { gold: 'unknown', pred: 'X' },
      { gold: '并发症', pred: '并发症' },
    ]);
    const rows = [
      { model: 'A', report: contractReport },
      { model: 'B', report: other },
    ];
    expect(table6PerClass(rows)).toBe(
      [
        '| Models | 并发症 | 手术治疗 | 药物治疗 |',
        '| --- | ---: | ---: | ---: |',
        '| A | 0.00 | 66.67 | 100.00 |',
        '| B | 100.00 | - | - |',
        '',
      ].join('\n'),
    );
    expect(table6PerClass(rows, ['X', '药物治疗'])).toBe(
      ['| Models | X | 药物治疗 |', '| --- | ---: | ---: |', '| A | - | 100.00 |', '| B | 0.00 | - |', ''].join('\n'),
    );
  });
});
