/**
 * The browser tests' Chromium: CHROMIUM_PATH when set, else the system's, else the one playwright
 * keeps in its cache — downloaded now (`playwright-core install chromium`) where downloads are
 * possible, unless PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set. Without one the run stops with one
 * sentence saying how to get one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';

export const systemChromiums = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

export const noChromium =
  'The browser tests need Chromium and none was found: install it (Debian/Ubuntu: `apt-get install chromium`; with internet: `npx playwright-core install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome executable.';

export interface ChromiumSearch {
  env: NodeJS.ProcessEnv;
  exists(file: string): boolean;
  /** Playwright's own Chromium, where it would be installed. */
  playwrightPath(): string;
  /** Downloads playwright's Chromium; throws when it cannot. */
  install(): void;
  log(line: string): void;
}

/** An error that reads as its one sentence, with no stack trace under it. */
function stop(sentence: string): Error {
  const error = new Error(sentence);
  error.stack = sentence;
  return error;
}

/** The Chromium to test with, or throws `noChromium` (or, for a CHROMIUM_PATH that is not there, says so). */
export function findChromium(search: ChromiumSearch): string {
  const { env, exists } = search;
  if (env.CHROMIUM_PATH) {
    if (exists(env.CHROMIUM_PATH)) return env.CHROMIUM_PATH;
    throw stop(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist. ${noChromium}`);
  }
  const found = systemChromiums.find(exists) ?? [search.playwrightPath()].find(exists);
  if (found) return found;
  if (!env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD) {
    search.log('No Chromium on this machine: trying to download playwright\'s (npx playwright-core install chromium)…');
    try {
      search.install();
      if (exists(search.playwrightPath())) return search.playwrightPath();
    } catch {
      // offline, or the download was refused: the sentence below says what to do
    }
  }
  throw stop(noChromium);
}

const cli = () => createRequire(import.meta.url).resolve('playwright-core/cli.js');

export default function setup(project: TestProject) {
  const path = findChromium({
    env: process.env,
    exists: existsSync,
    playwrightPath: () => chromium.executablePath(),
    install: () => execFileSync(process.execPath, [cli(), 'install', 'chromium'], { stdio: 'inherit', timeout: 5 * 60_000 }),
    log: console.log,
  });
  project.provide('chromiumPath', path);
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}
