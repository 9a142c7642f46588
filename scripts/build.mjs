/**
 * The production build: the server compiled by tsc into dist/ (type checking is `npm run
 * typecheck`'s job, so the build needs no @types and works after `npm ci --omit=dev`), its SQL
 * migrations beside it, and the web app built by Vite into dist/web.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const serverEntry = path.join(root, 'dist', 'main.js');

function newest(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(max, newest(file));
    return entry.name.endsWith('.test.ts') ? max : Math.max(max, statSync(file).mtimeMs);
  }, 0);
}

/** Missing, or older than a source file, a migration or the build's own settings. */
export function serverBuildIsStale() {
  if (!existsSync(serverEntry)) return true;
  const inputs = Math.max(newest(path.join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(path.join(root, f)).mtimeMs));
  return inputs > statSync(serverEntry).mtimeMs;
}

export function buildServer() {
  for (const entry of existsSync(path.join(root, 'dist')) ? readdirSync(path.join(root, 'dist')) : []) {
    if (entry !== 'web') rmSync(path.join(root, 'dist', entry), { recursive: true, force: true });
  }
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  cpSync(path.join(root, 'src', 'db', 'migrations'), path.join(root, 'dist', 'db', 'migrations'), { recursive: true });
}

export async function buildWeb() {
  const vite = await import('vite');
  await vite.build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  buildServer();
  await buildWeb();
  console.log(`[frontdesk] built the server into dist/ and the web app into dist/web in ${Date.now() - started} ms`);
}
