/** Probes and metrics for the people who run Frontdesk: /health, /livez, /readyz, /metrics. */
import { AsyncResource } from 'node:async_hooks';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Problem } from '../http/schemas.js';
import type { FastifyRequest } from 'fastify';
import type { App } from '../http/types.js';
import { withRequestId } from './context.js';
import { acceptableRequestId, metricsAuthorized, readiness } from './rules.js';
import { observeReadiness } from './service.js';

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
const Checks = Type.Object({ database: Check, migrations: Check, worker: Check, queue: Check });
const publicRoute = { access: { public: true } } as const;

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function opsRoutes(app: App, deps: Deps): void {
  app.get(
    '/health',
    { config: publicRoute, schema: { tags: ['system'], summary: 'Answers once the database does', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => {
      await deps.db.execute(sql`select 1`);
      return { status: 'ok' as const };
    },
  );
  app.get(
    '/livez',
    { config: publicRoute, schema: { tags: ['system'], summary: 'The process is alive (touches nothing else)', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: publicRoute,
      schema: {
        tags: ['system'],
        summary: 'Ready for traffic: the database answers, migrations are applied, a worker beat recently, no due job waits too long',
        response: { 200: Type.Object({ status: Type.Literal('ready'), checks: Checks }), 503: Problem },
      },
    },
    async () => {
      const { ready, checks } = readiness(await observeReadiness(deps), { heartbeatStaleSeconds: deps.config.worker.staleSeconds, queueStuckSeconds: deps.config.queueStuckSeconds });
      if (!ready) throw new AppError('not_ready', `not ready: ${Object.keys(checks).filter((name) => !checks[name as keyof typeof checks].ok).join(', ')}`, { checks });
      return { status: 'ready' as const, checks };
    },
  );
  app.get(
    '/metrics',
    {
      config: publicRoute,
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (text format); with METRICS_TOKEN set, send Authorization: Bearer <token>',
        security: [{ metricsToken: [] }, {}],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }), 401: Problem },
      },
    },
    async (request, reply) => {
      if (!metricsAuthorized(deps.config.metricsToken, request.headers.authorization, sameToken)) throw new AppError('not_signed_in', 'the metrics need Authorization: Bearer <METRICS_TOKEN>');
      const registry = deps.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}

/** Request durations by route pattern (never the path itself: it can hold ids and tokens). */
export function registerRequestMetrics(app: App, deps: Deps): void {
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

export function genRequestId(raw: { headers: Record<string, string | string[] | undefined> }): string {
  const given = raw.headers['x-request-id'];
  return acceptableRequestId(given) ? given : randomUUID();
}

const scopes = new WeakMap<FastifyRequest, AsyncResource>();

/**
 * Every answer names its request id; the request runs inside the id's context. The request body is
 * read from socket events outside that context, so validation and the handler re-enter it.
 */
export function registerRequestContext(app: App): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    withRequestId(request.id, () => {
      scopes.set(request, new AsyncResource('frontdesk-request'));
      done();
    });
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.runInAsyncScope(done, request.raw);
    else done();
  });
}
