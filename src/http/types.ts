import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Access, Actor } from '../auth/actor.js';
import type { Origin } from '../audit/service.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; absent means any signed-in staff member. */
    access?: Access;
    /** A server-rendered page for patients: its refusals are answered as an HTML page, not JSON. */
    page?: boolean;
  }
  interface FastifyInstance {
    routeTable: { method: string; url: string; hidden: boolean }[];
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The signed-in actor of a route that required one (the auth hook has already answered 401 otherwise). */
export function actorOf(request: { actor: Actor | null }): Actor {
  if (!request.actor) throw new Error('route reached without an actor: its access config is wrong');
  return request.actor;
}

/** The caller's address (behind a trusted proxy, X-Forwarded-For's) and browser, for the audit log and rate limits. */
export const clientOrigin = (request: { ip: string; headers: Record<string, string | string[] | undefined> }): Origin => ({
  ip: request.ip,
  userAgent: (request.headers['user-agent'] as string | undefined)?.slice(0, 300) ?? null,
});
