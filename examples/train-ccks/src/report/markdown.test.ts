import { metricsToMarkdown } from '@emr-re/metrics';
import { renderMarkdown } from './markdown';
import { cnnReport, emptyReport, fullReport, nerSummary, resgruReport } from './__tests__/fixture';

/** The text under the heading that starts with `heading`, up to the next heading, trimmed. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').startsWith(heading));
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(fullReport());

  test('Table 5: micro P/R/F1 per model, hand-computed', () => {
    // CNN: tp 2, fp 1, fn 4 → P 2/3, R 1/3, F1 4/9; ResGRU-Att: tp 4, fp 2, fn 2 → 2/3 each.
    expect(section(md, 'Table 5.')).toBe(
      [
        '| Models | Precision | Recall | F1-score |',
        '| --- | ---: | ---: | ---: |',
        '| CNN | 66.67 | 33.33 | 44.44 |',
        '| ResGRU-Att | 66.67 | 66.67 | 66.67 |',
      ].join('\n'),
    );
  });

  test('Table 6: per-class F1 per model, classes with gold support in code-point order', () => {
    // CNN SAP: P 2/3, R 1/2 → F1 4/7 = 57.14; DAP never predicted → 0. ResGRU-Att: DAP 1/2, SAP 3/4.
    expect(section(md, 'Table 6.')).toBe(
      [
        '| Models | DAP | SAP |',
        '| --- | ---: | ---: |',
        '| CNN | 0.00 | 57.14 |',
        '| ResGRU-Att | 50.00 | 75.00 |',
      ].join('\n'),
    );
  });

  test('Table 6 follows data.labels, with "-" for a class no report has', () => {
    const out = renderMarkdown({ ...fullReport(), labels: ['SAP', 'TrAP', 'DAP'] });
    expect(section(out, 'Table 6.')).toBe(
      [
        '| Models | SAP | TrAP | DAP |',
        '| --- | ---: | ---: | ---: |',
        '| CNN | 57.14 | - | 0.00 |',
        '| ResGRU-Att | 75.00 | - | 50.00 |',
      ].join('\n'),
    );
  });

  test('Table 4: F1 by training-set size', () => {
    expect(section(md, 'Table 4.')).toBe(
      [
        '| Models | N=100 | N=150 |',
        '| --- | ---: | ---: |',
        '| CNN | 40.00 | 44.44 |',
        '| ResGRU-Att | 60.00 | 66.67 |',
      ].join('\n'),
    );
  });

  test('run info, stage times with total, data sizes', () => {
    expect(section(md, 'Run')).toBe(
      [
        '| Field | Value |',
        '| --- | --- |',
        '| Date | 2024-05-01T10:00:00.000Z |',
        '| Command | train-ccks --preset small --backend wasm |',
        '| Backend | wasm |',
        '| Preset | small |',
        '| Schema | paper-table2 |',
        '| Seeds | split=1, model=42 |',
        '',
        'Wall time per stage:',
        '',
        '| Stage | Wall time (s) |',
        '| --- | ---: |',
        '| read corpus | 1.3 |',
        '| train models | 60.5 |',
        '| **total** | **61.8** |',
        '',
        'Data sizes:',
        '',
        '| Data | Size |',
        '| --- | ---: |',
        '| train candidates | 150 |',
        '| test candidates | 11 |',
      ].join('\n'),
    );
  });

  test('embeddings: sizes, speed, neighbours with 3-decimal cosine', () => {
    expect(section(md, 'Character embeddings')).toBe(
      [
        'Vocabulary 2345, dimension 50, 123457 words/s.',
        '',
        '| Character | Nearest neighbours (cosine) |',
        '| --- | --- |',
        '| 痛 | 疼 0.912, 酸 0.800 |',
        '| 肺 | - |',
      ].join('\n'),
    );
  });

  test('bootstrap iterations: class mix by count then name, rolled-back iteration marked', () => {
    expect(section(md, 'Bootstrapping iterations')).toBe(
      [
        '| Iteration | Labelled | Added | Pool left | Dev F1 (%) | Added by class |',
        '| ---: | ---: | ---: | ---: | ---: | --- |',
        '| 0 | 100 | 0 | 80 | 60.00 | - |',
        '| 1 | 130 | 30 | 50 | 65.00 | SAP 20, DAP 10 |',
        '| 2 (rolled back) | 150 | 20 | 30 | 62.00 | DAP 10, SAP 10 |',
        '',
        '_Chart `bootstrap`: see report.html._',
      ].join('\n'),
    );
  });

  test('depth study table: families × sorted depths, "-" where a family has no point', () => {
    expect(section(md, 'Figure 7.')).toBe(
      [
        '| Models | depth 1 | depth 5 | depth 9 | depth 11 |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| CNN | 50.00 | 45.00 | - | - |',
        '| ResNet | - | 46.00 | 55.00 | 60.00 |',
        '',
        '_Chart `depth`: see report.html._',
      ].join('\n'),
    );
  });

  test('loss summary: epochs, first and final loss, best dev F1', () => {
    expect(section(md, 'Training loss')).toBe(
      [
        '| Model | Epochs | First loss | Final loss | Best dev F1 (%) |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| CNN | 3 | 1.2000 | 0.8000 | - |',
        '| ResGRU-Att | 4 | 1.1000 | 0.4500 | 60.00 |',
        '',
        '_Chart `loss`: see report.html._',
      ].join('\n'),
    );
  });

  test('knowledge graph summary', () => {
    expect(section(md, 'Knowledge graph')).toBe(
      ['12 nodes, 9 edges.', '', '| Relation | Edges |', '| --- | ---: |', '| SAP | 6 |', '| DAP | 3 |'].join('\n'),
    );
  });

  test('per-model details reproduce metricsToMarkdown byte for byte, in model order', () => {
    expect(section(md, 'CNN')).toBe(metricsToMarkdown(cnnReport).trim());
    // The last section runs to the end of the document.
    expect(md.endsWith(`### ResGRU-Att\n\n${metricsToMarkdown(resgruReport)}`)).toBe(true);
  });

  test('Figure 8 and the confusion matrix name the best model by micro F1 unless focusModel says otherwise', () => {
    expect(md).toContain('### Figure 8. Precision and recall (%) per relation class (ResGRU-Att)');
    expect(md).toContain('### Confusion matrix (ResGRU-Att)');
    const cnn = renderMarkdown({ ...fullReport(), focusModel: 'CNN' });
    expect(cnn).toContain('### Confusion matrix (CNN)');
  });

  test('the NER table: per-type strict P/R/F1 on the held-out EMRs, hand-computed, and where the graph came from', () => {
    const ner = nerSummary();
    const out = section(renderMarkdown({ ...fullReport(), ner }), 'Entity recognition on held-out EMRs');
    expect(out).toBe(
      [
        'bigru-crf (small), 2 epochs, trained on 8 records and scored on 1 held-out records (CCKS 2017 by record ' +
          'number, 80/20, seed 1); strict matching (same start, end and type). It recognised 57 entities in the raw ' +
          'text of all the EMRs; the EMR relations and the knowledge graph below come from those entities, not from ' +
          'the gold ones.',
        '',
        '| Type | P (%) | R (%) | F1 (%) | Support | TP | FP | FN |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 检查和检验 | 0.00 | 0.00 | 0.00 | 1 | 0 | 1 | 1 |',
        '| 疾病和诊断 | 0.00 | 0.00 | 0.00 | 1 | 0 | 0 | 1 |',
        '| 症状和体征 | 100.00 | 100.00 | 100.00 | 1 | 1 | 0 | 0 |',
        '| **micro** | 50.00 | 33.33 | 40.00 | 3 | 1 | 1 | 2 |',
        '| **macro** | 33.33 | 33.33 | 33.33 |  |  |  |  |',
        '| **relaxed** | 100.00 | 66.67 | 80.00 | 3 | 2 | 0 | 1 |',
      ].join('\n'),
    );
  });

  test('a report with nothing optional renders notes, exactly', () => {
    expect(renderMarkdown(emptyReport())).toBe(
      [
        '# emr-re run report',
        '## Run',
        [
          '| Field | Value |',
          '| --- | --- |',
          '| Date | 2024-05-01T10:00:00.000Z |',
          '| Command | train-ccks --preset small --backend wasm |',
          '| Backend | wasm |',
          '| Preset | small |',
          '| Schema | paper-table2 |',
          '| Seeds | - |',
        ].join('\n'),
        '## Character embeddings',
        '_No embedding statistics in this run._',
        '## Results on the test set',
        '### Table 5. Precision, recall and F1-score (%) of each model over all relation classes',
        '_No model results in this run._',
        '### Figure 8. Precision and recall (%) per relation class',
        '_Figure 8 is not shown: this run has no model results._',
        '### Confusion matrix',
        '_The confusion matrix is not shown: this run has no model results._',
        '## Data size and bootstrapping',
        '### Table 4. F1-score (%) of each model on different training-set sizes',
        '_No data-size study in this run._',
        '### Bootstrapping iterations',
        '_No bootstrapping in this run._',
        '## Table 4 on real EMRs: relations in the annotated EMR test documents',
        '_No annotated EMR test documents in this run._',
        '## Calibration of the scores (temperature scaling on dev)',
        '_No calibration in this run._',
        '## Figure 7. F1-score (%) of encoders at different depths',
        '_Figure 7 is not shown: this run has no depth study._',
        '## Training loss',
        '_The loss chart is not shown: this run recorded no training losses._',
        '## Entity recognition on held-out EMRs',
        '_No entity recogniser in this run._',
        '## Knowledge graph',
        '_No knowledge graph in this run._',
        '## Graph store: top entities and answered questions',
        '_No graph store in this run._',
      ].join('\n\n') + '\n',
    );
  });

  test('pipes and line breaks in names cannot break a table row', () => {
    const data = fullReport();
    data.losses = [{ model: 'A|B\nC', points: [{ epoch: 1, loss: 1 }] }];
    data.run.command = 'train --x "a|b"';
    const out = renderMarkdown(data);
    expect(section(out, 'Training loss')).toContain('| A\\|B C | 1 | 1.0000 | 1.0000 | - |');
    expect(section(out, 'Run')).toContain('| Command | train --x "a\\|b" |');
  });

  test('bootstrap rows without dev F1: the table stays, the chart is replaced by its note', () => {
    const data = fullReport();
    data.bootstrap = [{ iteration: 0, labelled: 10, added: 0, poolLeft: 5, addedByClass: {} }];
    expect(section(renderMarkdown(data), 'Bootstrapping iterations')).toBe(
      [
        '| Iteration | Labelled | Added | Pool left | Dev F1 (%) | Added by class |',
        '| ---: | ---: | ---: | ---: | ---: | --- |',
        '| 0 | 10 | 0 | 5 | - | - |',
        '',
        '_The bootstrapping chart is not shown: no iteration has a dev F1-score._',
      ].join('\n'),
    );
  });

  test('Table 4 on real EMRs: micro P/R/F1 per row, F1 per relation, the last row in detail', () => {
    const out = renderMarkdown(fullReport());
    expect(section(out, 'Table 4 on real EMRs')).toBe(
      [
        'EMR relation corpus, test part, gold entities, sentence windows: 4 documents; 1 gold relations that no window ' +
          'holds count as misses. Micro P/R/F1 over all relations (none/unknown excluded), the seed classifier and ' +
          'each bootstrapping iteration:',
        '',
        '| Models | Precision | Recall | F1-score |',
        '| --- | ---: | ---: | ---: |',
        '| ResGRU-Att seed | 66.67 | 33.33 | 44.44 |',
        '| ResGRU-Att iteration 1 | 66.67 | 66.67 | 66.67 |',
      ].join('\n'),
    );
    expect(section(out, 'F1-score (%) per relation on the EMR test documents')).toContain(
      '| ResGRU-Att iteration 1 | 50.00 | 75.00 |',
    );
    expect(section(out, 'Per relation: ResGRU-Att iteration 1')).toContain('| SAP | 75.00 | 75.00 | 75.00 | 4 |');
  });

  test('calibration: temperature, ECE and NLL before and after, then the reliability diagram', () => {
    expect(section(renderMarkdown(fullReport()), 'Calibration of the scores')).toContain(
      [
        '| Model | Dev candidates | Temperature | ECE before (%) | ECE after (%) | NLL before | NLL after |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| ResGRU-Att | 10 | 1.500 | 35.00 | 5.00 | 0.9000 | 0.7000 |',
        '',
        '_Chart `reliability`: see report.html._',
      ].join('\n'),
    );
  });

  test('graph store: size, top entities per type and the named questions with evidence', () => {
    expect(section(renderMarkdown(fullReport()), 'Graph store')).toBe(
      [
        'The embedded store (`store/`, `emr-re kg stats --store`) holds 7 entities, 3 edges with 5 pieces of evidence ' +
          'from 4 records (80 triples, 9000 bytes).',
        '',
        'Most mentioned entities per type (distinct record and offset mentions):',
        '',
        '| Type | Entities (mentions) |',
        '| --- | --- |',
        '| disease | 高血压 3 |',
        '| symptom | 头痛 2, 头晕 1 |',
        '',
        'Named questions about the most mentioned diseases (`emr-re kg ask QUERY DISEASE --store`); evidence counts ' +
          'mentions of the edge, or records for co-occurrence:',
        '',
        '| Question | Answers | First answers (relation, evidence) |',
        '| --- | ---: | --- |',
        '| body-parts-of 高血压 | 1 | 头部 (DAP, 2) |',
        '| drugs-for 高血压 | 0 | - |',
      ].join('\n'),
    );
  });

  test('a custom title heads the report', () => {
    expect(renderMarkdown({ ...emptyReport(), title: 'CCKS 2017 run' }).startsWith('# CCKS 2017 run\n\n## Run\n')).toBe(
      true,
    );
  });
});

describe('renderMarkdown: the graph model and its threshold', () => {
  const score = (threshold: number, edges: number, correct: number) => ({
    threshold,
    edges,
    correct,
    gold: 10,
    precision: edges === 0 ? 0 : correct / edges,
    recall: correct / 10,
    f1: edges === 0 ? 0 : (2 * correct) / (edges + 10),
  });
  const md = renderMarkdown({
    ...fullReport(),
    bootstrapChoice: {
      model: 'pcnn (best)+bootstrap',
      iteration: 1,
      judgedOn: '9 EMR dev documents (341 candidates)',
      devMicroF1: 0.8,
      stopReason: 'max-iterations',
    },
    graphThreshold: {
      threshold: 0.05,
      target: 0.85,
      reached: true,
      chosenOn: '9 EMR dev documents',
      sweep: [score(0, 10, 8), score(0.05, 8, 7)],
      test: { description: '40 EMR test documents', atThreshold: score(0.05, 9, 8), atZero: score(0, 12, 9) },
    },
  });

  test('names the iteration the graph comes from and where it was chosen', () => {
    expect(md).toContain(
      'Iterations judged on 9 EMR dev documents (341 candidates); stopped: max-iterations. The graph is extracted by ' +
        'iteration 1 of pcnn (best)+bootstrap (micro F1 80.00 % there).',
    );
  });

  test('states the threshold and tabulates test at it and at 0, then the dev sweep', () => {
    expect(md).toContain(
      'Relations with a probability of at least 0.05 make the graph (and the store): the lowest threshold whose edge ' +
        'precision reaches 85.00 % on 9 EMR dev documents (87.50 %, 8 edges).',
    );
    expect(md).toContain('| test, at the threshold | 0.05 | 9 | 8 | 10 | 88.89 | 80.00 | 84.21 |');
    expect(md).toContain('| test, at 0 | 0.00 | 12 | 9 | 10 | 75.00 | 90.00 | 81.82 |');
    expect(md).toContain('| dev | 0.00 | 10 | 8 | 10 | 80.00 | 80.00 | 80.00 |');
  });
});
