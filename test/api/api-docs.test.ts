import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestContext } from '../helpers.js';

/** docs/api.md lists every route of /openapi.json, and nothing else: the page keeps in step with the server. */
let ctx: TestContext;
beforeAll(async () => {
  // Every provider configured, so their webhooks are mounted and documented too.
  ctx = await setupApp({ TWILIO_ACCOUNT_SID: 'AC0', TWILIO_AUTH_TOKEN: 'docs', WHATSAPP_TOKEN: 'docs', WHATSAPP_APP_SECRET: 'docs', EMAIL_WEBHOOK_TOKEN: 'docs' });
});

describe('docs/api.md', () => {
  it('lists exactly the routes /openapi.json describes', async () => {
    const spec = JSON.parse((await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).body) as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    const page = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const documented = [...page.matchAll(/^\| `([A-Z]+ \/[^`]*)` \|/gm)].map((m) => m[1]);
    expect(served.length).toBeGreaterThan(100);
    expect(documented.filter((r) => !served.includes(r))).toEqual([]);
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });
});

describe('the docs', () => {
  it('point at nothing outside the repository', async () => {
    const docs = (await readdir(new URL('../../docs/', import.meta.url))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
    const files = ['README.md', ...docs];
    expect(files).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/api.md']));
    for (const file of files) {
      const text = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
      expect({ file, outside: text.match(/\.\.\/[\w./-]+/g) ?? [] }).toEqual({ file, outside: [] });
    }
  });
});
