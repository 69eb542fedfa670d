import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { writeReport } from './write';
import { emptyReport, fullReport } from './__tests__/fixture';

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emr-re-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes report.md, report.html and report.json into a new nested folder, and nothing else', async () => {
    const out = join(dir, 'runs', 'r1');
    const data = fullReport();
    const files = await writeReport(out, data);
    expect(files).toEqual({
      markdown: join(out, 'report.md'),
      html: join(out, 'report.html'),
      json: join(out, 'report.json'),
    });
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(await readFile(files.markdown, 'utf8')).toBe(renderMarkdown(data));
    expect(await readFile(files.html, 'utf8')).toBe(renderHtml(data));
    // The JSON round-trips to the same data, and renders to the same report.
    const back = JSON.parse(await readFile(files.json, 'utf8'));
    expect(back).toEqual(data);
    expect(renderMarkdown(back)).toBe(renderMarkdown(data));
  });

  test('replaces an older report in place', async () => {
    await writeFile(join(dir, 'report.md'), 'old');
    await writeReport(dir, emptyReport());
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe(renderMarkdown(emptyReport()));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a failed write leaves no temporary file behind', async () => {
    // report.html is a folder, so renaming the temporary file onto it fails.
    await mkdir(join(dir, 'report.html'));
    await expect(writeReport(dir, emptyReport())).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
