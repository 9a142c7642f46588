/**
 * Provider webhooks, each in its provider's wire format and checked with its provider's signature.
 * They answer fast and never reveal why a request was refused beyond "signature".
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../auth/tokens.js';
import type { Deps } from '../deps.js';
import { problem, sendProblem } from '../http/errors.js';
import type { App } from '../http/types.js';
import { applyProviderStatus } from '../conversations/status.js';
import { acceptInbound } from '../delivery/queue.js';
import type { InboundMessage } from './types.js';
import { parseEmail } from './email/smtp.js';
import { receiveInbound, routeEmail } from './inbound.js';
import { parseTwilioInbound, parseTwilioStatus, verifyTwilioSignature } from './sms/twilio.js';
import { parseMetaWebhook, verifyMetaSignature } from './whatsapp/meta.js';

const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const hidden = { tags: ['webhooks'] };

function formFields(body: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
}

const refuseSignature = (reply: FastifyReply) => sendProblem(reply, problem(403, 'bad_signature', 'the webhook signature does not match'));

/** Handles one raw inbound email (the webhook and the SMTP listener both come here). */
export async function receiveEmail(deps: Deps, raw: Buffer, envelopeTo: string[] = []) {
  const mail = await parseEmail(raw, envelopeTo);
  if (!mail) return { kind: 'unroutable' as const, reason: 'no sender address' };
  const target = await routeEmail(deps, mail.recipients, mail.inReplyTo ?? []);
  if (!target) return { kind: 'unroutable' as const, reason: 'no clinic or conversation matches the recipient' };
  return receiveInbound(deps, 'email', mail, target);
}

export function webhookRoutes(app: App, deps: Deps): void {
  /** Webhooks only accept (one statement); the worker files the message into its conversation. */
  const accept = (channel: 'sms' | 'whatsapp', account: { address: string } | { externalId: string }, m: InboundMessage) =>
    acceptInbound(deps.db, { channel, account, providerMessageId: m.providerMessageId, payload: { from: m.from, to: m.to, body: m.body, name: m.name, at: m.at?.toISOString() } });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const sms = deps.config.sms;
  if (sms.provider === 'twilio') {
    const signed = (request: FastifyRequest) =>
      verifyTwilioSignature(sms.authToken, deps.config.publicUrl + request.url, formFields(request.body), request.headers['x-twilio-signature'] as string | undefined);

    app.post('/webhooks/twilio/sms', { schema: { ...hidden, summary: "Twilio's incoming-message webhook" } }, async (request, reply) => {
      if (!signed(request)) return refuseSignature(reply);
      const inbound = parseTwilioInbound(formFields(request.body));
      if (inbound && !(await accept('sms', { address: inbound.to }, inbound))) {
        request.log.info('SMS webhook not taken: a number no organization owns, or a repeat');
      }
      return reply.type('text/xml').send(emptyTwiml);
    });

    app.post('/webhooks/twilio/status', { schema: { ...hidden, summary: "Twilio's status callback" } }, async (request, reply) => {
      if (!signed(request)) return refuseSignature(reply);
      const update = parseTwilioStatus(formFields(request.body));
      if (update) await applyProviderStatus(deps.db, deps.clock, 'sms', update);
      return reply.code(204).send();
    });
  }

  const whatsapp = deps.config.whatsapp;
  app.get('/webhooks/whatsapp', { schema: { ...hidden, summary: "Meta's webhook verification handshake" } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const given = q['hub.verify_token'];
    if (q['hub.mode'] === 'subscribe' && whatsapp.verifyToken && typeof given === 'string' && safeEqual(given, whatsapp.verifyToken) && q['hub.challenge']) {
      return reply.type('text/plain').send(q['hub.challenge']);
    }
    return sendProblem(reply, problem(403, 'bad_verify_token', 'the verify token does not match'));
  });

  if (whatsapp.provider === 'meta') {
    app.register(async (scope) => {
      // The signature covers the exact bytes Meta sent, so this route keeps the raw body.
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
      scope.post('/webhooks/whatsapp', { schema: { ...hidden, summary: "Meta's WhatsApp event webhook" } }, async (request, reply) => {
        const raw = request.body as Buffer;
        if (!verifyMetaSignature(whatsapp.appSecret, raw, request.headers['x-hub-signature-256'] as string | undefined)) return refuseSignature(reply);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendProblem(reply, problem(400, 'invalid_input', 'the body is not JSON'));
        }
        for (const batch of parseMetaWebhook(body)) {
          for (const inbound of batch.inbound) await accept('whatsapp', { externalId: batch.phoneNumberId }, inbound);
          for (const status of batch.statuses) await applyProviderStatus(deps.db, deps.clock, 'whatsapp', status);
        }
        return reply.code(200).send({ ok: true });
      });
    });
  }

  const token = deps.config.email.webhookToken;
  if (token) {
    app.register(async (scope) => {
      for (const type of ['message/rfc822', 'text/plain', 'application/octet-stream']) {
        scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 30 * 1024 * 1024 }, (_req, body, done) => done(null, body));
      }
      scope.post('/webhooks/email', { schema: { ...hidden, summary: 'An inbound email as raw MIME' } }, async (request, reply) => {
        const given = request.headers['x-webhook-token'];
        if (typeof given !== 'string' || !safeEqual(given, token)) return refuseSignature(reply);
        if (!Buffer.isBuffer(request.body)) return sendProblem(reply, problem(415, 'unsupported_media_type', 'send the raw message as message/rfc822'));
        const result = await receiveEmail(deps, request.body);
        if (result.kind === 'unroutable') return sendProblem(reply, problem(422, 'unroutable', result.reason));
        return reply.code(202).send({ ok: true, duplicate: result.kind === 'duplicate' });
      });
    });
  }
}
