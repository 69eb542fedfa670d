import { loadSchema, openCorpus, readAllRecords, generateCandidates, CharVocabulary } from '@emr-re/tokenize';
import { selectBackend } from './backend';
import { configFor } from './presets';
import { createRelationModel } from './model';

it('speed', async () => {
  await selectBackend({ backend: 'wasm' });
  const schema = await loadSchema('cmeie');
  const records = await readAllRecords(openCorpus('/tmp/jt/k1.jsonl', 'cmeie', { schema, skipInvalid: true }));
  const cands = records.flatMap((r) => generateCandidates(r, schema, { crossSentence: true })).slice(0, 128 * 6);
  const vocab = CharVocabulary.build(cands.map((c) => c.sentence.text));
  for (const arch of (process.env.ARCHS ?? 'resgru-att').split(',')) {
    const model = await createRelationModel({ config: configFor(arch as never, 'small', { epochs: 1, ...JSON.parse(process.env.OVR ?? '{}') }), schema, vocabulary: vocab });
    const times: number[] = [];
    let last = Date.now();
    await model.fit(cands, { onProgress: (e) => { if (e.phase === 'train') { const now = Date.now(); times.push(now - last); last = now; } } });
    const t = Date.now();
    await model.predictProba(cands);
    console.log(arch, 'train ms/step', times.join(','), 'infer ms/64', Math.round((Date.now() - t) / 12));
    model.dispose();
  }
}, 600000);
