import { execFileSync } from 'node:child_process';
import { webBuildIsStale } from '../../src/web.js';

/** Browser tests run against the production build, made here when it is missing or stale. */
export default function setup() {
  if (webBuildIsStale()) execFileSync('node_modules/.bin/vite', ['build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
