/*
 * The page in a real browser: Debian's Chromium driven by playwright-core against the real server (tiny models
 * trained here) on a free loopback port. Paste records, extract with the keyboard, and check the highlighted
 * entities, the arcs, the triples table and the filters against the API's own answer; long lines wrap; the graph
 * view opens from an entity and its edges open their evidence; a screenshot is saved.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { openGraph } from '@emr-re/kg';
import type { EmbeddedGraphStore } from '@emr-re/kg';
import type { EmrRecord } from '@emr-re/tokenize';
import { createServer } from './server';
import type { ServedModels } from './options';
import { tinyModels, toyRecords } from './__tests__/tiny-models';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const suite = available ? describe : describe.skip;

// CI installs Chromium, so there a missing browser is a failure, not a skip.
if (!available && process.env.CI === 'true') {
  it('finds Chromium (CI must install it: apt-get install chromium)', () => {
    throw new Error(`${CHROMIUM} not found under CI=true: .ci/run must install chromium`);
  });
} else if (!available) {
  console.warn(`Skipping the page test: ${CHROMIUM} not found (apt-get install chromium).`);
}

/** Flags that keep Chromium from reaching outside hosts (STYLE.md item 15); the profile dir is playwright's. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

suite('the page in headless Chromium', () => {
  let tmp: string;
  let models: ServedModels;
  let app: FastifyInstance;
  let store: EmbeddedGraphStore;
  let base: string;
  let browser: BrowserContext;
  let page: Page;
  const records = toyRecords(3, 7).map((r) => r.text);

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'emr-re-page-'));
    ({ models } = await tinyModels(tmp));
    store = await openGraph(path.join(tmp, 'kg'));
    app = await createServer({ models, store, writable: true });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 900, height: 1400 },
    });
    page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]');
  }, 600000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    models?.ner.dispose();
    models?.relations.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** What the API answers for the lines as the page sends them. */
  async function apiAnswer(lines: string[]): Promise<EmrRecord[]> {
    const response = await fetch(`${base}/v1/extract`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: lines.map((text, i) => ({ id: `line-${i + 1}`, text })) }),
    });
    return ((await response.json()) as { records: EmrRecord[] }).records;
  }

  it('shows the models, and after pasted text and Ctrl+Enter the entities, arcs and triples the API gives', async () => {
    expect(await page.textContent('#models-line')).toMatch(/NER ner \(bigru-crf, sha256:[0-9a-f]{16}\)/);
    await page.fill('#input', records.join('\n'));
    await page.focus('#input');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() =>
      /relations shown/.test((globalThis as any).document.getElementById('status')!.textContent ?? ''),
    );
    const answer = await apiAnswer(records);
    const entities = answer.flatMap((r) => r.entities);
    const relations = answer.flatMap((r) => r.relations);
    expect(relations.length).toBeGreaterThan(0);

    const marks = await page.$$eval('mark.entity', (ms) =>
      ms.map((m) => [m.closest('article')!.getAttribute('data-record-id'), m.textContent, m.getAttribute('data-type')]),
    );
    // In reading order: by record, then by offset.
    expect(marks).toEqual(
      answer.flatMap((r) => [...r.entities].sort((a, b) => a.start - b.start).map((e) => [r.id, e.text, e.type])),
    );
    expect(marks).toHaveLength(entities.length);
    const arcs = await page.$$eval('path.arc', (ps) => ps.map((p) => p.getAttribute('data-label')));
    expect(arcs).toEqual(relations.map((r) => r.label));
    const labels = await page.$$eval('text.arc-label', (ts) => ts.map((t) => t.textContent));
    expect(labels).toEqual(relations.map((r) => r.label));
    // Each arc starts above its head entity and ends above its tail entity.
    const ends = await page.$$eval('article.record', (articles) =>
      articles.flatMap((a) => {
        const origin = a.querySelector('.text-layer')!.getBoundingClientRect();
        return [...a.querySelectorAll('path.arc')].map((p) => {
          const head = a
            .querySelector(`mark[data-entity-id="${p.getAttribute('data-head')}"]`)!
            .getBoundingClientRect();
          const tail = a
            .querySelector(`mark[data-entity-id="${p.getAttribute('data-tail')}"]`)!
            .getBoundingClientRect();
          const nums = (p.getAttribute('d') ?? '').match(/-?[\d.]+/g)!.map(Number);
          return {
            start: Math.abs(nums[0] - ((head.left + head.right) / 2 - origin.left)),
            end: Math.abs(nums[nums.length - 2] - ((tail.left + tail.right) / 2 - origin.left)),
          };
        });
      }),
    );
    for (const e of ends) expect(Math.max(e.start, e.end)).toBeLessThan(1);
    const rows = await page.$$eval('#triples tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows).toEqual(
      answer.flatMap((r) =>
        r.relations.map((rel) => {
          const h = r.entities.find((e) => e.id === rel.head)!;
          const t = r.entities.find((e) => e.id === rel.tail)!;
          return [r.id, h.type + h.text, rel.label, t.type + t.text, rel.score!.toFixed(3)];
        }),
      ),
    );
  });

  it('filters arcs and triples by relation and by minimum score', async () => {
    const relations = (await apiAnswer(records)).flatMap((r) => r.relations);
    const label = relations[0].label;
    await page.selectOption('#relation-filter', label);
    expect(await page.$$eval('path.arc', (ps) => ps.length)).toBe(relations.filter((r) => r.label === label).length);
    expect(await page.$$eval('#triples tbody tr', (rs) => rs.length)).toBe(
      relations.filter((r) => r.label === label).length,
    );
    await page.selectOption('#relation-filter', '');
    const scores = relations.map((r) => r.score!).sort((a, b) => a - b);
    const cut = scores[Math.floor(scores.length / 2)];
    await page.fill('#min-score', String(cut));
    expect(await page.$$eval('path.arc', (ps) => ps.length)).toBe(scores.filter((s) => s >= cut).length);
    await page.fill('#min-score', '0');
    expect(await page.$$eval('path.arc', (ps) => ps.length)).toBe(relations.length);
  });

  it("opens the store's neighbourhood of an entity from the keyboard; an edge opens its evidence; screenshot", async () => {
    const answer = await apiAnswer(records);
    // A client adds what was extracted to the server's graph; the page then reads the graph from the server.
    const added = await fetch(`${base}/v1/graph/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: answer }),
    });
    expect(added.status).toBe(200);
    const withEdge = answer.find((r) => r.relations.length > 0)!;
    const head = withEdge.entities.find((e) => e.id === withEdge.relations[0].head)!;
    const found = (await (
      await fetch(`${base}/v1/graph/entities?q=${encodeURIComponent(head.text)}&limit=50`)
    ).json()) as {
      entities: Array<{ iri: string; name: string; type: string }>;
    };
    const entity = found.entities.find((e) => e.name === head.text && e.type === head.type)!;
    const nb = (await (await fetch(`${base}/v1/graph/entity/${encodeURIComponent(entity.iri)}`)).json()) as {
      edges: Array<{ label: string; evidence: Array<{ recordId: string }> }>;
    };
    expect(nb.edges.length).toBeGreaterThan(0);
    await page.focus(`article[data-record-id="${withEdge.id}"] mark[data-entity-id="${head.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#graph canvas');
    expect(await page.getAttribute('#graph', 'data-edges')).toBe(String(nb.edges.length));
    expect(await page.$$eval('#graph-edges button', (bs) => bs.length)).toBe(nb.edges.length);
    expect(await page.textContent('#graph-title')).toContain(head.text);
    await page.focus('#graph-edges button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#evidence blockquote');
    const evidence = await page.textContent('#evidence');
    for (const ev of nb.edges[0].evidence) expect(evidence).toContain(ev.recordId);
    expect(await page.$$eval('#evidence blockquote mark', (ms) => ms.map((m) => m.textContent))).toContain(head.text);
    expect(await page.textContent('#graph-source')).toMatch(/server/);
    const shot = path.join(tmp, 'page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await fs.stat(shot)).size).toBeGreaterThan(10_000);
  });

  it('opens a JSONL file of predictions and draws what it holds, without asking the models', async () => {
    const gold = toyRecords(4, 11);
    await page.setInputFiles('#file-input', {
      name: 'predictions.jsonl',
      mimeType: 'application/jsonl',
      buffer: Buffer.from(gold.map((r) => JSON.stringify(r)).join('\n') + '\n'),
    });
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('article.record').length === 4);
    expect(await page.$$eval('article.record', (as) => as.map((a) => a.getAttribute('data-record-id')))).toEqual(
      gold.map((r) => r.id),
    );
    expect(await page.$$eval('mark.entity', (ms) => ms.map((m) => m.textContent))).toEqual(
      gold.flatMap((r) => [...r.entities].sort((a, b) => a.start - b.start).map((e) => e.text)),
    );
    expect(await page.$$eval('text.arc-label', (ts) => ts.map((t) => t.textContent))).toEqual(
      gold.flatMap((r) => r.relations.map((x) => x.label)),
    );
  });

  it('wraps a long Chinese line inside the page width', async () => {
    const long = records[0].repeat(40);
    await page.fill('#input', long);
    await page.click('#extract-button');
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('article.record .text-layer')?.textContent?.length === n,
      long.length,
    );
    const box = await page.$eval('article.record .text-layer', (el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
      height: el.getBoundingClientRect().height,
      line: parseFloat((globalThis as any).getComputedStyle(el).lineHeight),
    }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.height).toBeGreaterThan(3 * box.line);
  });
});
