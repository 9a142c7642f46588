/**
 * The send benchmark's ceiling: PostgreSQL alone running the statements the API runs for one send
 * (the session's lookup, the transaction, the answer's reads), recorded once from the real route and
 * replayed with each conversation's own ids, over as many connections as the HTTP clients.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { App } from '../src/http/types.js';
import { messages } from '../src/conversations/schema.js';
import { openFor, Sealed, sealFor } from '../src/encryption/columns.js';

export interface Recorded {
  text: string;
  values: unknown[];
  /** The prepared statement's name the app gave it (db/client.ts): the replay prepares it too. */
  name?: string;
}

/** Every statement any pg client of this process sends while `run` runs. */
export async function recordStatements(run: () => Promise<void>): Promise<Recorded[]> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const own = proto.query;
  const seen: Recorded[] = [];
  proto.query = function recorded(this: pg.Client, ...args: unknown[]) {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
    if (typeof first === 'string') seen.push({ text: first, values: Array.isArray(second) ? second : [] });
    // drizzle passes the values beside the query config, not in it.
    else if (first && typeof first === 'object' && 'text' in first) seen.push({ text: first.text, values: first.values ?? second ?? [], name: (first as { name?: string }).name });
    return own.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = own;
  }
  return seen;
}

/** One GET through the in-process app, recorded: the statements PostgreSQL alone replays as that read's ceiling. */
export async function recordRead(app: App, cookie: string, url: string): Promise<Recorded[]> {
  return recordStatements(async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`recording ${url}: ${res.statusCode} ${res.body}`);
  });
}

/** Runs recorded read statements as they were (a read names no id that changes between runs). */
export async function replayRead(client: pg.PoolClient, statements: Recorded[]): Promise<void> {
  for (const s of statements) await client.query({ text: s.text, values: s.values, name: s.name });
}

/** One send through the in-process app, recorded; with the ids its statements name, and where its sealed text is. */
export async function recordSend(app: App, auth: { cookie: string; csrf: string }, target: { conversationId: string; contactId: string; orgId: string }, body: string) {
  let messageId = '';
  const statements = await recordStatements(async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/conversations/${target.conversationId}/messages`, headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf }, payload: { body } });
    if (res.statusCode !== 202) throw new Error(`recording a send: ${res.statusCode} ${res.body}`);
    messageId = res.json().id;
  });
  const insert = statements.findIndex((s) => /^insert into "messages"/.test(s.text));
  const sealedAt = statements[insert]?.values.findIndex((v) => typeof v === 'string' && opensTo({ id: messageId, orgId: target.orgId }, v, body)) ?? -1;
  if (sealedAt < 0) throw new Error("recording a send: the message's sealed text is not among the insert's values");
  const { orgId: _org, ...ids } = target;
  return { statements, ids: { ...ids, messageId }, text: { orgId: target.orgId, body, statement: insert, value: sealedAt } };
}

function opensTo(row: { id: string; orgId: string }, stored: string, body: string): boolean {
  try {
    return openFor(row, new Sealed('messages', 'body', stored)) === body;
  } catch {
    return false;
  }
}

const swap = (values: unknown[], from: Record<string, string>, to: Record<string, string>): unknown[] => {
  let json = JSON.stringify(values);
  for (const key of Object.keys(from)) json = json.split(from[key]).join(to[key]);
  return JSON.parse(json);
};

/**
 * Runs the recorded statements for another conversation on `client`: its ids in place of the
 * recorded ones, and a new message id in place of the recorded message's (the app draws a message's
 * id before the insert, to bind its text to the row: issue 15). The text is sealed again for the new
 * row, here (as the app would), so the message is a real one: its thread opens, its delivery goes.
 */
export async function replaySend(client: pg.PoolClient, recorded: Awaited<ReturnType<typeof recordSend>>, target: { conversationId: string; contactId: string }): Promise<void> {
  const from = recorded.ids;
  const to = { ...target, messageId: randomUUID() };
  for (const [i, s] of recorded.statements.entries()) {
    const values = swap(s.values, from, to);
    // The text sealed for this message's own row, as the app seals it: readable, so the thread opens and the delivery goes.
    if (i === recorded.text.statement) values[recorded.text.value] = sealFor(messages.body, { id: to.messageId, orgId: recorded.text.orgId }, recorded.text.body).stored;
    const result = await client.query({ text: s.text, values, name: s.name });
    if (/^insert into "messages"/.test(s.text) && result.rows[0]?.id) to.messageId = result.rows[0].id;
  }
}
