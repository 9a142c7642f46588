/**
 * The request id (x-request-id) of the HTTP request being handled, kept in AsyncLocalStorage so
 * the jobs it enqueues carry it deep inside services without every signature passing it along.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { App } from '../http/types.js';
import { acceptableRequestId } from './rules.js';

const store = new AsyncLocalStorage<{ requestId: string }>();
const scopes = new WeakMap<FastifyRequest, AsyncResource>();

export const currentRequestId = (): string | null => store.getStore()?.requestId ?? null;

/** Runs a job under the request id that enqueued it, so the jobs it enqueues in turn carry it too. */
export const withRequestId = <T>(requestId: string | null, fn: () => Promise<T>): Promise<T> => (requestId ? store.run({ requestId }, fn) : fn());

/** A job payload's `requestId` entry, for `json_build_object(…, ${requestIdEntry()})`. */
export const requestIdEntry = (): SQL => sql`'requestId', ${currentRequestId()}::text`;

export function genRequestId(raw: { headers: Record<string, string | string[] | undefined> }): string {
  const given = raw.headers['x-request-id'];
  return acceptableRequestId(given) ? given : randomUUID();
}

/**
 * Every answer names its request id; the request runs inside the id's context. The request body is
 * read from socket events outside that context, so validation and the handler re-enter it.
 */
export function registerRequestContext(app: App): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    store.run({ requestId: request.id }, () => {
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
