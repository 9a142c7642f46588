/**
 * Provider webhooks, each in its provider's wire format and checked with its provider's signature.
 * They answer fast and never reveal why a request was refused beyond "signature".
 */
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { App } from '../http/types.js';
import { applyProviderStatus } from '../conversations/status.js';
import { acceptInbound } from '../delivery/queue.js';
import type { ProviderChannel } from './registry.js';
import type { AccountRef, HandshakeRoute, InboundMessage, MailRoute, ProviderWebhooks } from './types.js';
import { parseEmail } from './email/smtp.js';
import { receiveDeliveryReport } from './email/bounces.js';
import { receiveInbound, routeEmail } from './inbound.js';

const hidden = { tags: ['webhooks'] };

const badSignature = () => new AppError('bad_signature', 'the webhook signature does not match');

/**
 * Handles one raw inbound email (the webhook and the SMTP listener both come here). What the mail
 * system sends (a delivery report, mail from mailer-daemon or postmaster) is read for our
 * message it reports on and never filed.
 */
export async function receiveEmail(deps: Deps, raw: Buffer, envelopeTo: string[] = []) {
  const mail = await parseEmail(raw, envelopeTo);
  if (mail && (mail.report || mail.fromMailSystem)) return receiveDeliveryReport(deps, mail.report);
  if (!mail) return { kind: 'unroutable' as const, reason: 'no sender address' };
  const target = await routeEmail(deps, mail.recipients, mail.inReplyTo ?? []);
  if (!target) return { kind: 'unroutable' as const, reason: 'no clinic or conversation matches the recipient' };
  return receiveInbound(deps, 'email', mail, target);
}

/**
 * One adapter's webhooks: the signature is checked over the exact bytes, so these routes keep the
 * raw body. Webhooks only accept (one statement each); the worker files messages into conversations.
 */
function providerWebhookRoutes(app: App, deps: Deps, channel: ProviderChannel, webhooks: ProviderWebhooks): void {
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    }
    for (const route of webhooks.routes) {
      scope.post(route.path, { schema: { ...hidden, summary: route.summary } }, async (request, reply) => {
        const call = { url: deps.config.publicUrl + request.url, headers: request.headers, rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0) };
        if (!webhooks.verify(call)) throw badSignature();
        const events = webhooks.parse(route, call);
        if (!events) throw new AppError('invalid_input', 'the body is not in the provider\'s format');
        for (const { account, message } of events.inbound) {
          if (!(await accept(deps, channel, account, message))) request.log.info('webhook message not taken: an address no organization owns, or a repeat');
        }
        for (const status of events.statuses) await applyProviderStatus(deps.db, deps.clock, channel, status);
        reply.code(route.ack.status);
        if (route.ack.contentType) reply.type(route.ack.contentType);
        return reply.send(route.ack.body);
      });
    }
  });
}

const accept = (deps: Deps, channel: ProviderChannel, account: AccountRef, m: InboundMessage) =>
  acceptInbound(deps.db, { channel, account, providerMessageId: m.providerMessageId, payload: { from: m.from, to: m.to, body: m.body, name: m.name, at: m.at?.toISOString(), media: m.media?.length ? m.media : undefined, reaction: m.reaction, keyword: m.keyword } });

export function webhookRoutes(app: App, deps: Deps): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const all = deps.channels.webhooks;
  for (const { channel, events } of all) if (events) providerWebhookRoutes(app, deps, channel, events);
  for (const route of all.flatMap((w) => w.handshakes)) handshakeRoute(app, route);
  for (const { mail } of all) if (mail) mailRoute(app, deps, mail);
}

function handshakeRoute(app: App, route: HandshakeRoute): void {
  app.get(route.path, { schema: { ...hidden, summary: route.summary } }, async (request, reply) => {
    const answer = route.answer(request.query as Record<string, string | undefined>);
    if (answer === null) throw new AppError('bad_verify_token', 'the verify token does not match');
    return reply.type('text/plain').send(answer);
  });
}

/** Raw MIME in, filed at once (unlike the event webhooks): the caller learns whether it was routable. */
function mailRoute(app: App, deps: Deps, route: MailRoute): void {
  app.register(async (scope) => {
    for (const type of ['message/rfc822', 'text/plain', 'application/octet-stream']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 30 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    }
    scope.post(route.path, { schema: { ...hidden, summary: route.summary } }, async (request, reply) => {
      if (!route.verify(request.headers)) throw badSignature();
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type', 'send the raw message as message/rfc822');
      const result = await receiveEmail(deps, request.body);
      if (result.kind === 'unroutable') throw new AppError('unroutable', result.reason);
      return reply.code(202).send({ ok: true, duplicate: result.kind === 'duplicate', ...(result.kind === 'report' && { report: true }) });
    });
  });
}
