#!/usr/bin/env node
/*
 * Model-quality benchmark: every architecture of @emr-re/resgru-att trained on ../shared/data/cmeie/train.jsonl
 * with a seeded 80/20 record split (the 80% further split 90/10 for early-stopping dev), scored on the 20% test
 * part at candidate level (gold = the candidate's label, pred = the model's; `unknown` is the negative class).
 * Appends one JSON line per (schema, arch, init) to --out; resumable (combos already in --out are skipped).
 *
 * Usage:
 *   node bench/models.js --schema cmeie|paper [--archs a,b,...] [--preset small|paper] [--epochs N]
 *                        [--patience P] [--embeddings] [--limit N] [--seed S] [--model-seed M] [--backend wasm|cpu]
 *                        --out results.jsonl
 *       --seed fixes the record split; --model-seed the model's config.seed (init, dropout, shuffling; default the
 *       preset's); --patience the early-stopping patience (default the preset's); --attention-form tanh-score the
 *       attention of eq. 10 as printed (config.attentionForm); --learning-rate X another Adam step size. Runs are
 *       keyed by (schema, arch, init, preset, limit, epochs, model seed[, patience][, attention form][, lr]); the
 *       summary names such a variant "arch [form, lr X]".
 *       Entity-aware options (issue 16), each keyed and named in the summary only when set: --entity-types
 *       (config.entityTypes), --entity-pooling max|start (config.entityPooling), --entity-attention
 *       (config.entityAttention), --class-weights balanced (config.classWeights); a preset that turns them on
 *       (--preset best) is keyed the same way, from the run's config.
 *   node bench/models.js --baseline --schema cmeie|paper --out results.jsonl
 *       appends a reference row (no model): each (head type, tail type) gets its most frequent training label.
 *   node bench/models.js --tables results.jsonl[,more.jsonl] [--init random|word2vec] [--top N]
 *       prints Markdown Tables 5 (micro P/R/F1, plus macro) and 6 (per-class F1; the N most frequent classes).
 *   node bench/models.js --summary results.jsonl[,more.jsonl] [--epochs N] [--patience P] [--tuned] [--init random|word2vec]
 *       --tuned: of each arch's variants (learning rate, attention form), only the one with the best mean dev
 *       macro-F1 over its seeds (each run's best epoch) is shown: selection on dev, never on test.
 *       over model seeds: per (schema, arch) mean ± sample sd of test micro/macro F1, the rank of each arch within
 *       every seed, paired differences against resgru-att, and the attention statistics of the attention models.
 *   --save-probs DIR: also writes DIR/<run key>.json, the labels and, for the dev and test candidates, their gold
 *       labels and the model's probability rows (for bench/ensemble.js: seed averaging, a dev-chosen decision rule).
 *   --override JSON: a partial ModelConfig merged over the preset (sizes: '{"cnn":{"filters":128}}'); --tag NAME
 *       names that variant in the run key and the summary (required with --override, so runs stay apart).
 * Needs the built packages (npm run build). The data are read in place, never copied.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { pkg, CMEIE, CCKS, shuffled } = require('./common');
const { readResults, entityOptionsOf, variantOf, bestDev, mean, pct, meanSd } = require('./results');

const { values } = parseArgs({
  options: {
    schema: { type: 'string', default: 'cmeie' },
    archs: { type: 'string' },
    preset: { type: 'string', default: 'small' },
    epochs: { type: 'string' },
    patience: { type: 'string' },
    'attention-form': { type: 'string' },
    'learning-rate': { type: 'string' },
    'entity-types': { type: 'boolean', default: false },
    'entity-pooling': { type: 'string' },
    'entity-attention': { type: 'boolean', default: false },
    'class-weights': { type: 'string' },
    tuned: { type: 'boolean', default: false },
    embeddings: { type: 'boolean', default: false },
    limit: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'model-seed': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string' },
    tables: { type: 'string' },
    init: { type: 'string' },
    baseline: { type: 'boolean', default: false },
    top: { type: 'string' },
    summary: { type: 'string' },
    'save-probs': { type: 'string' },
    override: { type: 'string' },
    tag: { type: 'string' },
  },
});

/** Rebuilds the fields of a MetricsReport the table functions read from a MetricsJSON. */
function asReport(metrics) {
  return { micro: metrics.micro, macro: metrics.macro, perClass: metrics.perClass, support: metrics.support };
}

/**
 * Identity of a run in --out (patience only when set, so rows written before the flag keep their keys; the entity
 * options only when on, read from the run's config).
 */
function runKey(schema, arch, init, preset, limit, epochs, modelSeed, patience, attentionForm, learningRate, config) {
  const base = [schema, arch, init, preset, limit ?? '', epochs ?? '', modelSeed ?? ''].join('|');
  const withPatience = patience === undefined ? base : `${base}|p${patience}`;
  const withForm = attentionForm === undefined ? withPatience : `${withPatience}|${attentionForm}`;
  const withLr = learningRate === undefined ? withForm : `${withForm}|lr${Number(learningRate)}`;
  const options = entityOptionsOf(config);
  return options ? `${withLr}|${options}` : withLr;
}

/** Mean over a variant's runs of the best dev macro-F1 (the early-stopping epoch's). */
function meanBestDev(runs) {
  return mean(runs.map(bestDev));
}

/**
 * Per schema and arch, the rows of the variant with the best mean dev macro-F1 over its seeds, the variant named
 * after the arch ("arch [variant]" when it is not the preset).
 */
function tunedOnDev(rows) {
  const out = [];
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.schema}|${r.arch}`;
    if (!groups.has(key)) groups.set(key, new Map());
    const variants = groups.get(key);
    const v = variantOf(r);
    if (!variants.has(v)) variants.set(v, []);
    variants.get(v).push(r);
  }
  for (const variants of groups.values()) {
    const [best] = [...variants.entries()].sort((a, b) => meanBestDev(b[1]) - meanBestDev(a[1]));
    const [v, runs] = best;
    const tried = [...variants.entries()].map(([name, rs]) => `${name || 'preset'} ${pct(meanBestDev(rs))}`).join('; ');
    process.stderr.write(`${runs[0].schema} ${runs[0].arch}: dev picks ${v || 'preset'} (${tried})\n`);
    out.push(...runs.map((r) => ({ ...r, arch: v ? `${r.arch} [${v}]` : r.arch })));
  }
  return out;
}

/** Mean ± sd over model seeds, per-seed ranks and paired differences to resgru-att (see the usage). */
function printSummary(files) {
  // One initialisation at a time (--init, default random), so that word2vec runs are not ranked with random ones.
  let rows = readResults(files).filter((r) => r.modelSeed !== undefined && r.init === (values.init ?? 'random'));
  rows = values.tuned
    ? tunedOnDev(rows)
    : rows.map((r) => (variantOf(r) ? { ...r, arch: `${r.arch} [${variantOf(r)}]` } : r));
  if (values.epochs) rows = rows.filter((r) => r.epochsFlag === Number(values.epochs));
  if (values.patience) rows = rows.filter((r) => r.patienceFlag === Number(values.patience));
  for (const schema of [...new Set(rows.map((r) => r.schema))]) {
    const group = rows.filter((r) => r.schema === schema);
    const archs = [...new Set(group.map((r) => r.arch))];
    const seeds = [...new Set(group.map((r) => r.modelSeed))].sort((a, b) => a - b);
    // Seeds every arch has finished, so that ranks and paired differences compare like with like.
    const complete = seeds.filter((s) => archs.every((a) => group.some((r) => r.arch === a && r.modelSeed === s)));
    const run = (a, s) => group.find((r) => r.arch === a && r.modelSeed === s);
    const rank = (a, s, metric) => {
      const f = (x) => run(x, s).metrics[metric].f1;
      return 1 + archs.filter((x) => f(x) > f(a)).length;
    };
    const seedsOf = (a) => seeds.filter((s) => run(a, s));
    // Paired differences are taken to resgru-att (its dev-picked variant under --tuned).
    const reference = archs.includes('resgru-att') ? 'resgru-att' : archs.find((a) => a.startsWith('resgru-att ['));
    process.stdout.write(
      `### Schema ${schema}: test F1 over model seeds (mean ± sd; ranks and paired differences over the seeds every ` +
        `arch finished: ${complete.join(', ') || 'none yet'})\n\n`,
    );
    process.stdout.write(
      '| Models | seeds | micro F1 | macro F1 | micro rank per seed | macro rank per seed | micro F1 − resgru-att (paired) | best epoch per seed | dev macro F1 (best epoch) | train min |\n',
    );
    process.stdout.write('|:--|:--|--:|--:|:--|:--|--:|:--|--:|--:|\n');
    const order = archs
      .map((a) => ({ a, m: mean(seedsOf(a).map((s) => run(a, s).metrics.micro.f1)) }))
      .sort((x, y) => y.m - x.m)
      .map((x) => x.a);
    for (const a of order) {
      const own = seedsOf(a);
      const micro = own.map((s) => run(a, s).metrics.micro.f1);
      const macro = own.map((s) => run(a, s).metrics.macro.f1);
      const diff =
        reference !== undefined && complete.length > 0
          ? meanSd(complete.map((s) => run(a, s).metrics.micro.f1 - run(reference, s).metrics.micro.f1))
          : '-';
      process.stdout.write(
        `| ${a} | ${own.join(', ')} | ${meanSd(micro)} | ${meanSd(macro)} | ${complete.map((s) => rank(a, s, 'micro')).join(', ')} | ` +
          `${complete.map((s) => rank(a, s, 'macro')).join(', ')} | ${diff} | ` +
          `${own.map((s) => `${run(a, s).fit.bestEpoch ?? '-'}/${run(a, s).fit.epochs}`).join(', ')} | ` +
          `${meanSd(own.map((s) => bestDev(run(a, s))))} | ` +
          `${(mean(own.map((s) => run(a, s).trainSeconds ?? run(a, s).wallSeconds)) / 60).toFixed(1)} |\n`,
      );
    }
    const attention = group.filter((r) => r.attention);
    if (attention.length > 0) {
      process.stdout.write(
        `\n### Schema ${schema}: what attention pooling learned (test candidates; mean over seeds)\n\n` +
          '| Model | layer | normalised entropy (1 = uniform) | largest weight | weight on entity spans | entity share of chars ' +
          '| score sd in sentence | ‖w‖ | mean abs(H) | tanh(H) saturated |\n' +
          '|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|\n',
      );
      for (const a of archs) {
        const runs = attention.filter((r) => r.arch === a);
        if (runs.length === 0) continue;
        for (const layer of Object.keys(runs[0].attention)) {
          const v = (k) => mean(runs.map((r) => r.attention[layer][k]));
          // The H and score statistics exist only in runs made after they were added to the probe.
          // Runs probed before the probe read the attention form scored 'tanh-score' layers as the default form.
          const probed = runs.filter(
            (r) =>
              r.attention[layer].scoreSdInSentence !== undefined &&
              (r.config.attentionForm !== 'tanh-score' || r.attention[layer].scoreForm === 'tanh-score'),
          );
          const w = (k, digits) =>
            probed.length === 0 ? '-' : mean(probed.map((r) => r.attention[layer][k])).toFixed(digits);
          process.stdout.write(
            `| ${a} | ${layer} | ${v('normalisedEntropy').toFixed(3)} | ${v('maxWeight').toFixed(3)} | ` +
              `${v('entityMass').toFixed(3)} | ${v('entityShareOfChars').toFixed(3)} | ${w('scoreSdInSentence', 3)} | ` +
              `${w('kernelNorm', 2)} | ${w('meanAbsH', 3)} | ${w('tanhSaturated', 3)} |\n`,
          );
        }
      }
    }
    process.stdout.write('\n');
  }
}

function printTables(files) {
  const { table5Models, table6PerClass } = pkg('metrics');
  let rows = readResults(files);
  if (values.init) rows = rows.filter((r) => r.init === values.init);
  const schemas = [...new Set(rows.map((r) => r.schema))];
  for (const schema of schemas) {
    const group = rows.filter((r) => r.schema === schema);
    if (group.length === 0) continue;
    const named = group.map((r) => ({
      model: r.init === 'random' || r.init === 'none' ? r.arch : `${r.arch} (${r.init})`,
      r,
    }));
    const t5rows = named.map(({ model, r }) => ({ model, report: asReport(r.metrics) }));
    process.stdout.write(`### Schema ${schema}: Table 5 (micro over relation classes)\n\n`);
    process.stdout.write(table5Models(t5rows) + '\n\n');
    process.stdout.write(
      '| Models | macro P | macro R | macro F1 | best epoch / run | dev macro-F1 per epoch | wall time |\n',
    );
    process.stdout.write('|:--|--:|--:|--:|--:|:--|--:|\n');
    for (const { model, r } of named) {
      const m = r.metrics.macro;
      const dev = (r.fit.devMacroF1 || []).map((x) => (x * 100).toFixed(1)).join(', ');
      process.stdout.write(
        `| ${model} | ${(m.precision * 100).toFixed(2)} | ${(m.recall * 100).toFixed(2)} | ${(m.f1 * 100).toFixed(2)} | ` +
          `${r.fit.bestEpoch ?? '-'} / ${r.fit.epochs} | ${dev} | ${(r.wallSeconds / 60).toFixed(1)} min |\n`,
      );
    }
    // Table 6: classes by test support, descending (so the frequent ones come first).
    const support = {};
    for (const r of group)
      for (const [l, c] of Object.entries(r.metrics.perClass)) support[l] = Math.max(support[l] || 0, c.support);
    const labels = Object.keys(support)
      .filter((l) => support[l] > 0)
      .sort((a, b) => support[b] - support[a])
      .slice(0, values.top ? Number(values.top) : undefined);
    process.stdout.write(`\n### Schema ${schema}: Table 6 (per-class F1; test support in the header)\n\n`);
    const head = labels.map((l) => `${l} (${support[l]})`);
    const table = table6PerClass(t5rows, labels);
    const lines = table.split('\n');
    lines[0] = '| Models | ' + head.join(' | ') + ' |';
    process.stdout.write(lines.join('\n') + '\n\n');
  }
}

/**
 * What each attention-pooling layer of a trained model does on `candidates`: the mean normalised entropy of its
 * weights (1 = uniform over the unpadded characters, 0 = all weight on one), the mean largest weight, the mean
 * share of weight on the two entity spans against the share those spans have of the characters (a uniform
 * pooling puts exactly that share there). Answers "does attention focus, and on what?" without retraining.
 */
async function attentionStats(ra, model, candidates) {
  const tf = require('@tensorflow/tfjs-core'); // hoisted: the instance the packages use
  const tfl = require('@tensorflow/tfjs-layers');
  const network = model.network;
  const layers = network.layers.filter((l) => l.getClassName() === 'EmrAttentionPooling');
  if (layers.length === 0) return undefined;
  const entityId = model.config.maxDistance + 1; // position id of distance 0 = inside the entity span
  const T = model.config.maxLength;
  // One probe for every attention layer: its outputs are each layer's inputs [H, mask], in layer order. It shares
  // the network's layers and weights and owns no tensors, so it is not disposed.
  const probe = tfl.model({ inputs: network.inputs, outputs: layers.flatMap((l) => l.input) });
  const sums = layers.map(() => ({ n: 0, entropy: 0, top: 0, entityMass: 0, entityShare: 0, scoreSd: 0 }));
  // Why a layer's weights are (not) spread: the pooled features H, tanh(H) saturation and the score spread.
  const inside = layers.map(() => ({ entries: 0, saturated: 0, absH: 0 }));
  for (let s = 0; s < candidates.length; s += 256) {
    const chunk = candidates.slice(s, s + 256);
    const features = ra.featureTensors(chunk, model.vocabulary, model.config, model.inputs, model.schema.entityTypes);
    const perLayer = tf.tidy(() => {
      const probed = probe.predict(features, { batchSize: chunk.length });
      return layers.map((layer, i) => {
        const [h, m] = probed.slice(2 * i, 2 * i + 2);
        const [batch, length, dim] = h.shape;
        const [kernel, bias] = layer.getWeights();
        const m3 = tf.expandDims(m, 2);
        const squashed = tf.tanh(h);
        // The scores the softmax sees: w·tanh(H) (+ b, the same at every step, so it does not change their
        // spread) in the default form, tanh(w·H + b) in the 'tanh-score' form.
        const scores =
          layer.form === 'tanh-score'
            ? tf.tanh(
                tf.add(tf.reshape(tf.matMul(tf.reshape(h, [batch * length, dim]), kernel), [batch, length]), bias),
              )
            : tf.reshape(tf.matMul(tf.reshape(squashed, [batch * length, dim]), kernel), [batch, length]);
        return {
          weights: layer.attentionWeights([h, m]),
          scores,
          saturated: tf.sum(tf.mul(tf.cast(tf.greater(tf.abs(squashed), 0.95), 'float32'), m3)),
          absH: tf.sum(tf.mul(tf.abs(h), m3)),
          entries: tf.mul(tf.sum(m), dim),
        };
      });
    });
    const head = features[model.inputs.indexOf('headPosition')].dataSync();
    const tail = features[model.inputs.indexOf('tailPosition')].dataSync();
    const mask = features[model.inputs.indexOf('mask')].dataSync();
    tf.dispose(features);
    perLayer.forEach((p, i) => {
      accumulateAttention(
        sums[i],
        p.weights.dataSync(),
        p.scores.dataSync(),
        head,
        tail,
        mask,
        chunk.length,
        T,
        entityId,
      );
      inside[i].entries += p.entries.dataSync()[0];
      inside[i].saturated += p.saturated.dataSync()[0];
      inside[i].absH += p.absH.dataSync()[0];
      tf.dispose(Object.values(p));
    });
  }
  const out = {};
  layers.forEach((layer, i) => {
    const { n, entropy, top, entityMass, entityShare, scoreSd } = sums[i];
    const kernel = layer.getWeights()[0].dataSync();
    out[layer.name] = {
      candidates: n,
      normalisedEntropy: entropy / n,
      maxWeight: top / n,
      entityMass: entityMass / n,
      entityShareOfChars: entityShare / n,
      scoreSdInSentence: scoreSd / n,
      scoreForm: layer.form,
      kernelNorm: Math.sqrt(kernel.reduce((a, x) => a + x * x, 0)),
      meanAbsH: inside[i].absH / inside[i].entries,
      tanhSaturated: inside[i].saturated / inside[i].entries,
    };
  });
  return out;
}

/**
 * Adds one chunk's rows of attention weights `a (rows, T)` and pre-softmax scores `z (rows, T)` to the running
 * sums of `attentionStats`.
 */
function accumulateAttention(sum, a, z, head, tail, mask, rows, T, entityId) {
  for (let r = 0; r < rows; r++) {
    let len = 0;
    let h = 0;
    let mx = 0;
    let em = 0;
    let ec = 0;
    let zSum = 0;
    let zSq = 0;
    for (let t = 0; t < T; t++) {
      if (mask[r * T + t] === 0) continue;
      const w = a[r * T + t];
      zSum += z[r * T + t];
      zSq += z[r * T + t] ** 2;
      len++;
      if (w > 0) h -= w * Math.log(w);
      if (w > mx) mx = w;
      if (head[r * T + t] === entityId || tail[r * T + t] === entityId) {
        em += w;
        ec++;
      }
    }
    if (len < 2) continue;
    sum.n++;
    sum.entropy += h / Math.log(len);
    sum.top += mx;
    sum.entityMass += em;
    sum.entityShare += ec / len;
    sum.scoreSd += Math.sqrt(Math.max(0, zSq / len - (zSum / len) ** 2));
  }
}

/**
 * Writes `dir/<key>.json`: the model's labels and, for dev and test, the candidates' gold labels and probability
 * rows (rounded to 1e-5), so that seeds can be averaged and a decision rule chosen on dev after training.
 */
async function saveProbabilities(dir, key, model, dev, testCandidates, schema, ra) {
  fs.mkdirSync(dir, { recursive: true });
  const part = async (candidates) => ({
    gold: candidates.map((c) => c.label),
    probs: (await model.predictProba(candidates)).map((row) => Array.from(row, (x) => Math.round(x * 1e5) / 1e5)),
  });
  const body = {
    key,
    labels: model.labels,
    dev: await part(ra.toCandidates(dev, schema, true)),
    test: await part(testCandidates),
  };
  const file = path.join(dir, key.replace(/[^0-9A-Za-z.,-]+/g, '_') + '.json');
  fs.writeFileSync(file + '.tmp', JSON.stringify(body));
  fs.renameSync(file + '.tmp', file);
}

async function trainEmbeddings(trainRecords, dim, seed) {
  const { trainWord2Vec } = pkg('embeddings');
  const texts = trainRecords.map((r) => r.text);
  for (const section of fs.readdirSync(CCKS)) {
    const dir = path.join(CCKS, section);
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.endsWith('.txtoriginal.txt')) texts.push(fs.readFileSync(path.join(dir, name), 'utf8'));
    }
  }
  const started = Date.now();
  const table = await trainWord2Vec(texts, { dim, epochs: 5, threads: 1, seed });
  return { table, seconds: (Date.now() - started) / 1000, texts: texts.length };
}

async function main() {
  if (values.tables) return printTables(values.tables.split(','));
  if (values.summary) return printSummary(values.summary.split(','));
  if (!values.out) throw new Error('--out FILE is required (or --tables FILE)');
  const tok = pkg('tokenize');
  const ra = pkg('resgru-att');
  const { scorePairs, metricsToJSON } = pkg('metrics');
  ra.selectBackend({ backend: values.backend });
  const archs = values.archs ? values.archs.split(',') : ra.ARCHITECTURES.slice();
  for (const a of archs) if (!ra.ARCHITECTURES.includes(a)) throw new Error(`unknown arch ${a}`);
  const init = values.embeddings ? 'word2vec' : 'random';
  const seed = Number(values.seed);
  const done = new Set(
    readResults([values.out]).map((r) =>
      runKey(
        r.schema,
        r.arch,
        r.init,
        r.preset,
        r.limit,
        r.epochsFlag,
        r.modelSeed,
        r.patienceFlag,
        r.config && r.config.attentionForm,
        r.learningRateFlag,
        r.config,
      ),
    ),
  );

  const schema = await tok.loadSchema(values.schema);
  const all = await tok.readAllRecords(tok.openCorpus(CMEIE, 'cmeie', { schema }));
  let records = shuffled(all, seed);
  if (values.limit) records = records.slice(0, Number(values.limit));
  const cut = Math.round(records.length * 0.8);
  const trainAll = records.slice(0, cut);
  const test = records.slice(cut);
  const devCut = Math.round(trainAll.length * 0.9);
  const trainPart = trainAll.slice(0, devCut);
  const dev = trainAll.slice(devCut);
  const command = 'node bench/models.js ' + process.argv.slice(2).join(' ');

  if (values.baseline) {
    // Reference, not a model: each (head type, tail type) pair gets its most frequent training label.
    const started = Date.now();
    const counts = new Map();
    for (const c of ra.toCandidates(trainAll, schema, true)) {
      const key = `${c.head.type}>${c.tail.type}`;
      const m = counts.get(key) ?? new Map();
      m.set(c.label, (m.get(c.label) ?? 0) + 1);
      counts.set(key, m);
    }
    const majority = (c) => {
      const m = counts.get(`${c.head.type}>${c.tail.type}`);
      if (!m) return 'unknown';
      return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    };
    const testCandidates = ra.toCandidates(test, schema, true);
    const report = scorePairs(testCandidates.map((c) => ({ gold: c.label, pred: majority(c) })));
    const row = {
      schema: values.schema,
      arch: 'type-pair majority',
      init: 'none',
      preset: '-',
      seed,
      records: { train: trainAll.length, test: test.length },
      candidates: { test: testCandidates.length },
      fit: { epochs: 0, loss: [] },
      wallSeconds: (Date.now() - started) / 1000,
      metrics: metricsToJSON(report),
      command,
      finishedAt: new Date().toISOString(),
    };
    fs.appendFileSync(values.out, JSON.stringify(row) + '\n');
    process.stderr.write(
      `type-pair majority: micro F1 ${(report.micro.f1 * 100).toFixed(2)} macro F1 ${(report.macro.f1 * 100).toFixed(2)}\n`,
    );
    return;
  }

  let embeddings;
  for (const arch of archs) {
    const overrides = { crossSentence: true };
    if (values.epochs) overrides.epochs = Number(values.epochs);
    if (values['model-seed']) overrides.seed = Number(values['model-seed']);
    if (values.patience) overrides.patience = Number(values.patience);
    if (values['attention-form']) overrides.attentionForm = values['attention-form'];
    if (values['learning-rate']) overrides.learningRate = Number(values['learning-rate']);
    if (values['entity-types']) overrides.entityTypes = true;
    if (values['entity-pooling']) overrides.entityPooling = values['entity-pooling'];
    if (values['entity-attention']) overrides.entityAttention = true;
    if (values['class-weights']) overrides.classWeights = values['class-weights'];
    if (values.override && !values.tag) throw new Error('--override needs --tag NAME (the variant in the run key)');
    const config = ra.configFor(arch, values.preset, {
      ...overrides,
      ...(values.override ? JSON.parse(values.override) : {}),
    });
    const key = runKey(
      values.schema,
      arch,
      init,
      values.preset,
      values.limit,
      values.epochs,
      values['model-seed'],
      values.patience,
      values['attention-form'],
      values['learning-rate'],
      values.tag ? { ...config, tag: values.tag } : config,
    );
    if (done.has(key)) {
      process.stderr.write(`skip ${key} (already in ${values.out})\n`);
      continue;
    }
    let embeddingInfo;
    if (values.embeddings && !embeddings) {
      embeddings = await trainEmbeddings(trainAll, config.charDim, seed);
      process.stderr.write(`word2vec: ${embeddings.table.tokens.length} chars, ${embeddings.seconds}s\n`);
    }
    if (embeddings)
      embeddingInfo = {
        dim: config.charDim,
        seconds: embeddings.seconds,
        texts: embeddings.texts,
        vocab: embeddings.table.tokens.length,
        source: 'CMeIE train part (80%) + CCKS 2017 *.txtoriginal.txt',
      };
    const testCandidates = ra.toCandidates(test, schema, true);
    const started = Date.now();
    const model = await ra.train(trainPart, config, {
      schema,
      dev,
      embeddings: embeddings ? embeddings.table : undefined,
      onProgress: (e) => {
        if (e.phase === 'epoch')
          process.stderr.write(
            `${arch} epoch ${e.done}/${e.total ?? '?'} ${JSON.stringify(e.values ?? {})} ${((Date.now() - started) / 1000).toFixed(0)}s\n`,
          );
      },
    });
    const trainSeconds = (Date.now() - started) / 1000;
    const predictions = await model.predict(testCandidates);
    const report = scorePairs(predictions.map((p) => ({ gold: p.candidate.label, pred: p.label })));
    const attention = await attentionStats(ra, model, testCandidates);
    if (values['save-probs'])
      await saveProbabilities(values['save-probs'], key, model, dev, testCandidates, schema, ra);
    const row = {
      schema: values.schema,
      arch,
      init,
      preset: values.preset,
      limit: values.limit ? Number(values.limit) : undefined,
      seed,
      epochsFlag: values.epochs ? Number(values.epochs) : undefined,
      modelSeed: values['model-seed'] ? Number(values['model-seed']) : undefined,
      patienceFlag: values.patience ? Number(values.patience) : undefined,
      learningRateFlag: values['learning-rate'] ? Number(values['learning-rate']) : undefined,
      backend: values.backend,
      records: { train: trainPart.length, dev: dev.length, test: test.length },
      candidates: { train: ra.toCandidates(trainPart, schema, true).length, test: testCandidates.length },
      config: values.tag ? { ...config, tag: values.tag } : config,
      fit: model.lastFitReport,
      trainSeconds,
      wallSeconds: (Date.now() - started) / 1000,
      embeddings: embeddingInfo,
      metrics: metricsToJSON(report),
      attention,
      command,
      finishedAt: new Date().toISOString(),
    };
    model.dispose();
    fs.appendFileSync(values.out, JSON.stringify(row) + '\n');
    process.stderr.write(
      `${arch} ${init}: micro F1 ${(report.micro.f1 * 100).toFixed(2)} macro F1 ${(report.macro.f1 * 100).toFixed(2)} in ${row.wallSeconds.toFixed(0)}s\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`bench/models.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
