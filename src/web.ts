/** Serves the minimal staff web page from web/ (the full React app replaces it in the web-app issue). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from './http/types.js';

const webDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');

const files = [
  { route: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { route: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { route: '/app.css', file: 'app.css', type: 'text/css; charset=utf-8' },
];

export function webRoutes(app: App): void {
  for (const { route, file, type } of files) {
    const content = readFileSync(path.join(webDir, file));
    app.get(route, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(type).header('Cache-Control', 'no-cache').send(content),
    );
  }
}
