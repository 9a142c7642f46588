/**
 * The request id (x-request-id) of the HTTP request or job being handled, kept in
 * AsyncLocalStorage so the jobs it enqueues carry it deep inside services without every signature
 * passing it along. (No imports of the app here: channel adapters and services use this file.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type SQL } from 'drizzle-orm';

const store = new AsyncLocalStorage<{ requestId: string }>();

export const currentRequestId = (): string | null => store.getStore()?.requestId ?? null;

/** Runs `fn` under a request id (a request's, or the one a job was enqueued with); null runs it as is. */
export const withRequestId = <T>(requestId: string | null, fn: () => T): T => (requestId ? store.run({ requestId }, fn) : fn());

/** A job payload's `requestId` entry, for `json_build_object(…, ${requestIdEntry()})`. */
export const requestIdEntry = (): SQL => sql`'requestId', ${currentRequestId()}::text`;
