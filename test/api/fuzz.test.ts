/**
 * Issue 8, bad input: property-based tests (fast-check) throw random and hostile payloads at every
 * JSON route and every provider webhook — wrong types, huge strings, unicode edge cases,
 * prototype-pollution keys, SQL and HTML injections — signed correctly where a signature is needed,
 * so they reach the parsing code. The answer must always be a success or a 4xx problem document:
 * never a 5xx, never a crash, never a changed prototype.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { fillRoute, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
const ids: Record<string, string> = {};
const env = {
  TWILIO_ACCOUNT_SID: 'ACfuzz',
  TWILIO_AUTH_TOKEN: 'fuzz-auth-token',
  TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
  WHATSAPP_TOKEN: 'fuzz-token',
  WHATSAPP_APP_SECRET: 'fuzz-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'fuzz-verify',
  WHATSAPP_GRAPH_BASE_URL: 'http://127.0.0.1:9',
  EMAIL_WEBHOOK_TOKEN: 'fuzz-email-token',
  PUBLIC_URL: 'https://fuzz.frontdesk.test',
  GUEST_LIMIT_PER_IP: '100000/3600',
  GUEST_LIMIT_PER_EMAIL: '100000/3600',
  GUEST_LIMIT_PER_THREAD: '100000/3600',
};

beforeAll(async () => {
  ctx = await setupApp(env);
  org = await signupOrg(ctx.app, 'Fuzz Clinic', { plan: 'accelerator' });
  const msg = await inbound(org, 'Fuzz question', 'fuzz@example.com', { channel: 'email', name: 'Fay Fuzz' });
  Object.assign(ids, { conversation: msg.conversationId, message: msg.messageId, contact: msg.contactId });
});

const hostileStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    "'; drop table messages; --",
    "' or '1'='1",
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '{{constructor.constructor("return process")()}}',
    '\u0000',
    '\uD800',
    '\u202E',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🦷'.repeat(50),
    'x'.repeat(70_000),
    '../../etc/passwd',
    '%00',
    '1e309',
    '-0',
    '2026-13-45T99:99:99Z',
  ),
);
const hostileKeys = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'body', 'phone', 'email', 'clinicId', 'status', 'role', 'privileges', 'channel'));
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileStrings,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(hostileKeys, tie('value'), { maxKeys: 6 }),
  ),
})).value;
/** A JSON body: mostly objects (what the routes expect), sometimes anything else. */
const hostileBody = fc.oneof({ weight: 4, arbitrary: fc.dictionary(hostileKeys, hostileValue, { maxKeys: 8 }) }, { weight: 1, arbitrary: hostileValue });

function urlFor(path: string): string {
  return fillRoute(path, { ...ids, conversation: ids.conversation, inbox: org.inboxId, clinic: org.clinicId, clinicSlug: org.me.clinics[0].slug });
}

/** The JSON routes a signed-in owner or a visitor can reach (signing out would end the run early). */
function jsonRoutes() {
  return ctx.app.routeTable.filter(
    (r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && r.url.startsWith('/api/') && !r.url.includes('logout') && !r.url.includes(':token') && r.url !== '/api/v1/attachments',
  );
}

const runs = Number(process.env.FUZZ_RUNS ?? 25);
/** A fixed seed keeps CI repeatable; FUZZ_SEED=random (or a number) explores further. */
const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261124);
const webhookFailures: string[] = [];
const noted = (what: string, status: number, input: unknown) => {
  if (status >= 500) webhookFailures.push(`${what} → ${status} for ${JSON.stringify(input)?.slice(0, 300)}`);
  return status < 500;
};

describe('fuzzing (issue 8)', () => {
  it('every JSON route answers hostile bodies with success or a 4xx problem, never a 5xx', { timeout: 300_000 }, async () => {
    let cases = 0;
    const failures: string[] = [];
    for (const route of jsonRoutes()) {
      await fc.assert(
        fc.asyncProperty(hostileBody, async (body) => {
          cases++;
          const res = await ctx.app.inject({
            method: route.method as 'POST',
            url: urlFor(route.url),
            headers: { cookie: org.owner.auth.cookie!, 'x-csrf-token': org.owner.auth.csrf!, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
          if (res.statusCode >= 500) failures.push(`${route.method} ${route.url} → ${res.statusCode} for ${JSON.stringify(body).slice(0, 200)}`);
          if (res.statusCode >= 400 && !/problem\+json/.test(String(res.headers['content-type']))) failures.push(`${route.method} ${route.url} → ${res.statusCode} without a problem document`);
          return res.statusCode < 500;
        }),
        { numRuns: runs, endOnFailure: true, seed },
      ).catch(() => {}); // each failure is in `failures`, with its route
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('isAdmin');
    console.log(`fuzz: ${jsonRoutes().length} JSON routes, ${cases} hostile bodies`);
  });

  it('the provider webhooks, correctly signed, take hostile payloads without a 5xx', { timeout: 120_000 }, async () => {
    let cases = 0;
    const twilioFields = fc.dictionary(fc.oneof(fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaContentType0', 'MessageStatus', 'ErrorCode', 'AccountSid'), fc.string({ maxLength: 10 })), hostileStrings, { maxKeys: 8 });
    for (const path of ['/webhooks/twilio/sms', '/webhooks/twilio/status']) {
      await fc.assert(
        fc.asyncProperty(twilioFields, async (form) => {
          cases++;
          const fields = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)]));
          const res = await ctx.app.inject({
            method: 'POST',
            url: path,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(env.TWILIO_AUTH_TOKEN, env.PUBLIC_URL + path, fields) },
            payload: new URLSearchParams(fields).toString(),
          });
          return noted(path, res.statusCode, fields);
        }),
        { numRuns: runs * 4, seed },
      ).catch(() => {});
    }
    await fc.assert(
      fc.asyncProperty(hostileValue, async (payload) => {
        cases++;
        const raw = Buffer.from(JSON.stringify(payload) ?? 'null');
        const signature = `sha256=${createHmac('sha256', env.WHATSAPP_APP_SECRET).update(raw).digest('hex')}`;
        const res = await ctx.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, payload: raw });
        return noted('/webhooks/whatsapp', res.statusCode, payload);
      }),
      { numRuns: runs * 4, seed },
    ).catch(() => {});
    await fc.assert(
      fc.asyncProperty(hostileStrings, hostileStrings, async (subject, text) => {
        cases++;
        const mime = `From: ${text.slice(0, 40)} <x@example.com>\r\nTo: clinic@fuzz.frontdesk.test\r\nSubject: ${subject.slice(0, 200)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`;
        const res = await ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': env.EMAIL_WEBHOOK_TOKEN }, payload: mime });
        return noted('/webhooks/email', res.statusCode, { subject, text });
      }),
      { numRuns: runs * 2, seed },
    ).catch(() => {});
    expect(webhookFailures).toEqual([]);
    console.log(`fuzz: ${cases} signed webhook payloads`);
  });

  it('the public form and guest thread take hostile input without a 5xx', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.ipV4(), async (body, ip) => {
        const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' }, remoteAddress: ip });
        const page = await ctx.app.inject({ method: 'POST', url: `/c/${org.me.clinics[0].slug}`, payload: new URLSearchParams(Object.entries(typeof body === 'object' && body ? body : {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: ip });
        return res.statusCode < 500 && page.statusCode < 500;
      }),
      { numRuns: runs * 4, seed },
    );
  });
});
