/**
 * The staff web app (web/, React + Vite), served from its production build in dist/web. `npm start`
 * builds it when the build is missing or older than its sources; `npm run dev` serves it with hot reload.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './http/types.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const webDist = path.join(root, 'dist', 'web');
const sources = [path.join(root, 'web'), path.join(root, 'src', 'channels', 'sms-segments.ts'), path.join(root, 'src', 'templates', 'rules.ts'), path.join(root, 'src', 'artifacts', 'rules.ts'), path.join(root, 'vite.config.ts')];

function newestSource(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file)
    .filter((name) => name !== 'node_modules' && !name.endsWith('.test.ts'))
    .reduce((newest, name) => Math.max(newest, newestSource(path.join(file, name))), 0);
}

export function webBuildIsStale(): boolean {
  const built = path.join(webDist, 'index.html');
  if (!existsSync(built)) return true;
  return Math.max(...sources.filter(existsSync).map(newestSource)) > statSync(built).mtimeMs;
}

/** Builds the web app if needed; without Vite (a production install without dev dependencies) it serves what is built. */
export async function ensureWebBuild(log: (message: string) => void): Promise<void> {
  if (!existsSync(path.join(root, 'web', 'index.html')) || !webBuildIsStale()) return;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('the web app is not built and Vite is not installed: run `npm install && npm run build`');
    return;
  }
  const started = Date.now();
  await vite.build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  log(`built the web app in ${Date.now() - started} ms`);
}

const apiPrefixes = ['/api/', '/webhooks/', '/fhir/', '/docs', '/openapi.json', '/health', '/livez', '/readyz', '/metrics'];

/** Serves the built files, and index.html for the app's own addresses (client-side routes, bookmarked views). */
export async function webRoutes(app: App): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const built = existsSync(path.join(webDist, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', index: ['index.html'], wildcard: true, cacheControl: false, setHeaders: (reply, file) => reply.header('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache') });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><title>Frontdesk</title><p>The web app is not built yet: run <code>npm run build</code>. The API is at <a href="/docs">/docs</a>.</p>'),
    );
  }
  return (request, reply) => {
    const url = request.url.split('?')[0];
    if (!built || request.method !== 'GET' || apiPrefixes.some((p) => url.startsWith(p)) || !request.headers.accept?.includes('text/html')) return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
}
