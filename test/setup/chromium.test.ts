/** I19: the browser tests find a Chromium, or stop with one sentence saying how to get one. */
import { describe, expect, it } from 'vitest';
import { findChromium, noChromium, type ChromiumSearch } from './chromium.js';

const playwrights = '/home/me/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';
function machine(files: string[], env: NodeJS.ProcessEnv = {}, downloads = false) {
  const present = new Set(files);
  const seen = { installs: 0, log: [] as string[] };
  const search: ChromiumSearch = {
    env,
    exists: (file) => present.has(file),
    playwrightPath: () => playwrights,
    install: () => {
      seen.installs++;
      if (!downloads) throw new Error('getaddrinfo ENOTFOUND cdn.playwright.dev');
      present.add(playwrights);
    },
    log: (line) => seen.log.push(line),
  };
  return { search, seen };
}

describe('finding a Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, then the system\'s, then playwright\'s', () => {
    expect(findChromium(machine(['/opt/chrome', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/chrome' }).search)).toBe('/opt/chrome');
    expect(findChromium(machine(['/usr/bin/chromium', playwrights]).search)).toBe('/usr/bin/chromium');
    expect(findChromium(machine([playwrights]).search)).toBe(playwrights);
  });

  it('says so when CHROMIUM_PATH names nothing, rather than testing with another browser', () => {
    expect(() => findChromium(machine(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nowhere/chrome' }).search)).toThrow(/CHROMIUM_PATH is \/nowhere\/chrome, which does not exist/);
  });

  it('downloads playwright\'s where it can', () => {
    const { search, seen } = machine([], {}, true);
    expect(findChromium(search)).toBe(playwrights);
    expect(seen.installs).toBe(1);
  });

  it('otherwise stops with one sentence saying how to get one', () => {
    const offline = machine([]);
    expect(() => findChromium(offline.search)).toThrow(noChromium);
    expect(offline.seen.installs).toBe(1);
    const skipped = machine([], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
    expect(() => findChromium(skipped.search)).toThrow(noChromium);
    expect(skipped.seen.installs).toBe(0);
    expect(noChromium.split('. ').length).toBe(1);
  });
});
