/**
 * The web app's types, taken from the server's schemas: api-types.ts is generated from /openapi.json
 * (`npm run api-types`), so a field a route stops sending fails the typecheck here, not in a browser.
 */
import type { components, operations } from './api-types';

type Schemas = components['schemas'];

/** What an operation answers with 200 (or 201), by its operationId in /openapi.json. */
export type Ok<Op extends keyof operations> = operations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } }
  ? T
  : operations[Op]['responses'] extends { 201: { content: { 'application/json': infer T } } }
    ? T
    : never;

/** An operation's JSON body, by its operationId. */
export type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

export type Channel = Schemas['Conversation']['channel'];
export type Me = Schemas['Me'];
export type ConversationItem = Schemas['Conversation'];
export type Message = Schemas['Message'];
export type Booking = Schemas['Booking'];
export type Thread = Ok<'getConversationsById'>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
