import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A static file of the page: its URL path, content type and bytes. */
export interface PublicFile {
  url: string;
  type: string;
  body: Buffer;
}

/** The page's files by name under `public/`, and the content type each is served with. */
export const PAGE_FILES: ReadonlyArray<readonly [string, string]> = [
  ['index.html', 'text/html; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['arcs.js', 'text/javascript; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
];

/** Where the page is: `dist/public` in a built package (copied by the build), else the package's `public/`. */
export function publicDirectory(): string {
  const built = path.join(__dirname, 'public');
  if (existsSync(path.join(built, 'index.html'))) return built;
  return path.join(__dirname, '..', 'public');
}

/**
 * cytoscape's browser build: the copy in `dist/public/vendor` of a built package, else the installed package's own
 * file (resolved, not fetched: the page works offline).
 */
export function cytoscapeFile(): string {
  const copied = path.join(publicDirectory(), 'vendor', 'cytoscape.min.js');
  if (existsSync(copied)) return copied;
  return require.resolve('cytoscape/dist/cytoscape.min.js');
}

/** Reads the page's files (a few hundred kB, kept in memory for the server's life). */
export async function readPublicFiles(): Promise<PublicFile[]> {
  const dir = publicDirectory();
  const files = await Promise.all(
    PAGE_FILES.map(async ([name, type]) => ({ url: `/${name}`, type, body: await fs.readFile(path.join(dir, name)) })),
  );
  files.push({
    url: '/vendor/cytoscape.min.js',
    type: 'text/javascript; charset=utf-8',
    body: await fs.readFile(cytoscapeFile()),
  });
  return files;
}
