import { scoreEntities, scorePairs } from '@emr-re/metrics';
import type { EmrRecord } from '@emr-re/tokenize';
import type { LabelPair } from '@emr-re/metrics';
import type { NerSummary, ReportData } from '../types';

/** `n` copies of one (gold, predicted) pair. */
function times(n: number, gold: string, pred: string): LabelPair[] {
  return Array.from({ length: n }, () => ({ gold, pred }));
}

/**
 * ResGRU-Att: SAP tp 3 fp 1 fn 1 (P = R = F1 = 75%), DAP tp 1 fp 1 fn 1 (50%); micro 4/6 = 66.67% for P, R, F1.
 * CNN: SAP tp 2 fp 1 fn 2 (P 66.67, R 50, F1 4/7 = 57.14), DAP tp 0 fn 2 (0); micro P 2/3, R 2/6, F1 4/9 = 44.44.
 */
export const resgruReport = scorePairs([
  ...times(3, 'SAP', 'SAP'),
  ...times(1, 'SAP', 'unknown'),
  ...times(1, 'DAP', 'DAP'),
  ...times(1, 'DAP', 'SAP'),
  ...times(1, 'unknown', 'DAP'),
  ...times(4, 'unknown', 'unknown'),
]);

export const cnnReport = scorePairs([
  ...times(2, 'SAP', 'SAP'),
  ...times(2, 'SAP', 'unknown'),
  ...times(2, 'DAP', 'unknown'),
  ...times(1, 'unknown', 'SAP'),
  ...times(4, 'unknown', 'unknown'),
]);

/** A small complete report: every optional part present. Numbers are chosen so that every table can be checked by hand. */
export function fullReport(): ReportData {
  return {
    version: 1,
    run: {
      date: '2024-05-01T10:00:00.000Z',
      command: 'train-ccks --preset small --backend wasm',
      backend: 'wasm',
      preset: 'small',
      schema: 'paper-table2',
      seeds: { split: 1, model: 42 },
      stages: [
        { stage: 'read corpus', seconds: 1.25 },
        { stage: 'train models', seconds: 60.5 },
      ],
      dataSizes: { 'train candidates': 150, 'test candidates': 11 },
    },
    embeddings: {
      vocabSize: 2345,
      dim: 50,
      wordsPerSecond: 123456.7,
      nearest: [
        {
          query: '痛',
          neighbours: [
            { token: '疼', similarity: 0.9123 },
            { token: '酸', similarity: 0.8 },
          ],
        },
        { query: '肺', neighbours: [] },
      ],
    },
    models: [
      { model: 'CNN', report: cnnReport },
      { model: 'ResGRU-Att', report: resgruReport },
    ],
    dataSize: [
      { model: 'CNN', sizes: { '100': 0.4, '150': 0.4444 } },
      { model: 'ResGRU-Att', sizes: { '100': 0.6, '150': 0.6667 } },
    ],
    depth: [
      { model: 'CNN', depth: 1, f1: 0.5 },
      { model: 'CNN', depth: 5, f1: 0.45 },
      { model: 'ResNet', depth: 5, f1: 0.46 },
      { model: 'ResNet', depth: 9, f1: 0.55 },
      { model: 'ResNet', depth: 11, f1: 0.6 },
    ],
    losses: [
      {
        model: 'CNN',
        points: [
          { epoch: 1, loss: 1.2 },
          { epoch: 2, loss: 0.9 },
          { epoch: 3, loss: 0.8 },
        ],
      },
      {
        model: 'ResGRU-Att',
        points: [
          { epoch: 1, loss: 1.1, devF1: 0.3 },
          { epoch: 2, loss: 0.7, devF1: 0.55 },
          { epoch: 3, loss: 0.5, devF1: 0.52 },
          { epoch: 4, loss: 0.45, devF1: 0.6 },
        ],
      },
    ],
    bootstrap: [
      { iteration: 0, labelled: 100, added: 0, poolLeft: 80, addedByClass: {}, devF1: 0.6 },
      { iteration: 1, labelled: 130, added: 30, poolLeft: 50, addedByClass: { DAP: 10, SAP: 20 }, devF1: 0.65 },
      {
        iteration: 2,
        labelled: 150,
        added: 20,
        poolLeft: 30,
        addedByClass: { SAP: 10, DAP: 10 },
        devF1: 0.62,
        rolledBack: true,
      },
    ],
    knowledgeGraph: {
      nodes: 12,
      edges: 9,
      topRelations: [
        { label: 'SAP', edges: 6 },
        { label: 'DAP', edges: 3 },
      ],
    },
    emr: {
      description: 'EMR relation corpus, test part, gold entities, sentence windows',
      documents: 4,
      lostRelations: 1,
      rows: [
        { model: 'ResGRU-Att seed', report: cnnReport },
        { model: 'ResGRU-Att iteration 1', report: resgruReport },
      ],
    },
    calibration: [
      {
        model: 'ResGRU-Att',
        temperature: 1.5,
        candidates: 10,
        // Before: 10 candidates at 0.95 (bin 9), 6 right → gap 0.35 = ECE; after: 0.75 (bin 7) and 0.55 (bin 5).
        before: { ece: 0.35, nll: 0.9, bins: bins([[9, 10, 0.95, 0.6]]) },
        after: {
          ece: 0.05,
          nll: 0.7,
          bins: bins([
            [5, 4, 0.55, 0.5],
            [7, 6, 0.75, 0.6667],
          ]),
        },
      },
    ],
    graphStore: {
      entities: 7,
      edges: 3,
      evidence: 5,
      records: 4,
      triples: 80,
      bytes: 9000,
      edgesByLabel: { SAP: 2, DAP: 1 },
      topEntities: [
        { type: 'disease', entities: [{ name: '高血压', mentions: 3 }] },
        {
          type: 'symptom',
          entities: [
            { name: '头痛', mentions: 2 },
            { name: '头晕', mentions: 1 },
          ],
        },
      ],
      questions: [
        {
          query: 'body-parts-of',
          argument: '高血压',
          answers: 1,
          top: [{ name: '头部', relation: 'DAP', evidence: 2, maxScore: 0.9 }],
        },
        { query: 'drugs-for', argument: '高血压', answers: 0, top: [] },
      ],
    },
  };
}

/** Ten reliability bins, empty but for the given [bin, count, confidence, accuracy]. */
function bins(filled: Array<[number, number, number, number]>) {
  return Array.from({ length: 10 }, (_, b) => {
    const f = filled.find((x) => x[0] === b);
    return { lower: b / 10, upper: (b + 1) / 10, count: f?.[1] ?? 0, confidence: f?.[2] ?? 0, accuracy: f?.[3] ?? 0 };
  });
}

/** The smallest valid report: run info and no results at all. */
export function emptyReport(): ReportData {
  const full = fullReport();
  return { version: 1, run: { ...full.run, stages: [], dataSizes: {}, seeds: {} }, models: [] };
}

/**
 * An entity recogniser's summary on one held-out record. 症状和体征: found (tp 1); 检查和检验: gold [5, 8), predicted
 * [5, 7) (fp 1, fn 1, a relaxed match); 疾病和诊断: missed (fn 1). Micro P 1/2, R 1/3, F1 2/5; relaxed P 1, R 2/3.
 */
export function nerSummary(): NerSummary {
  const record = (id: string, spans: Array<[number, number, string]>): EmrRecord => ({
    id,
    text: '腹痛三天，查血常规，诊断为阑尾炎。',
    entities: spans.map(([start, end, type], n) => ({ id: `e${n}`, type, start, end, text: '' })),
    relations: [],
  });
  const gold = [
    record('r1', [
      [0, 2, '症状和体征'],
      [5, 8, '检查和检验'],
      [12, 15, '疾病和诊断'],
    ]),
  ];
  const pred = [
    record('r1', [
      [0, 2, '症状和体征'],
      [5, 7, '检查和检验'],
    ]),
  ];
  return {
    model: 'bigru-crf (small)',
    epochs: 2,
    split: 'CCKS 2017 by record number, 80/20, seed 1',
    trainRecords: 8,
    testRecords: 1,
    report: scoreEntities(gold, pred),
    entitiesRecognised: 57,
  };
}
