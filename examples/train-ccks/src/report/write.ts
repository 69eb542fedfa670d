import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@emr-re/tokenize';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import type { ReportData } from './types';

/** Paths of the three report files. */
export interface ReportFiles {
  markdown: string;
  html: string;
  json: string;
}

/**
 * Writes `report.md`, `report.html` and `report.json` into `dir` (created if absent). Each file is written with
 * `writeFileAtomic` (a temporary file in `dir` renamed over its name), so a reader never sees half a report.
 */
export async function writeReport(dir: string, data: ReportData): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files: ReportFiles = {
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
    json: join(dir, 'report.json'),
  };
  // Render everything before touching the disk: a rendering bug then leaves the old report intact.
  const contents: Array<[string, string]> = [
    [files.markdown, renderMarkdown(data)],
    [files.html, renderHtml(data)],
    [files.json, JSON.stringify(data, null, 2) + '\n'],
  ];
  for (const [path, text] of contents) await writeFileAtomic(path, text);
  return files;
}
