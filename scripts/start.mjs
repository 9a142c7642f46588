/** `npm start`: builds the server into dist/ when that build is missing or stale, then runs it (dist/main.js). */
import { pathToFileURL } from 'node:url';
import { buildServer, serverBuildIsStale, serverEntry } from './build.mjs';

if (process.env.SERVER_BUILD !== 'off' && serverBuildIsStale()) {
  const started = Date.now();
  buildServer();
  console.log(`[frontdesk] built the server into dist/ in ${Date.now() - started} ms`);
}
await import(pathToFileURL(serverEntry).href);
