import type { FastifyPluginAsync } from 'fastify';
import { documented } from '../openapi';
import { readPublicFiles } from '../public-files';

/** The web page at `/` and its scripts and styles, from the package itself (no CDN). */
export const pageRoutes: FastifyPluginAsync = async (app) => {
  const files = await readPublicFiles();
  for (const file of files) {
    const urls = file.url === '/index.html' ? ['/', '/index.html'] : [file.url];
    for (const url of urls)
      app.get(url, { schema: documented({ hide: true, summary: `the page: ${file.url}` }) }, async (_request, reply) =>
        reply
          .type(file.type)
          .header('cache-control', 'no-cache')
          .header(
            'content-security-policy',
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'",
          )
          .send(file.body),
      );
  }
};
