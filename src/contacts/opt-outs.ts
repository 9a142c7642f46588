/**
 * S2: a contact's opt-outs are the list of provider channels they left (contacts.opted_out). These
 * build the changes to it and its API shape, one flag per provider channel.
 */
import { Type, type TBoolean } from 'typebox';
import { sql, type SQL } from 'drizzle-orm';
import { providerChannels, type ProviderChannel } from '../channels/registry.js';
import { contacts } from './schema.js';

export type OptOuts = Record<ProviderChannel, boolean>;

export const isOptedOut = (contact: { optedOut: readonly string[] }, channel: string): boolean => contact.optedOut.includes(channel);

/** `{ sms: true, email: false, whatsapp: false }`: what the API and the web app read. */
export const optOutsOf = (contact: { optedOut: readonly string[] }): OptOuts =>
  Object.fromEntries(providerChannels.map((channel) => [channel, isOptedOut(contact, channel)])) as OptOuts;

/** The opted_out column with the channel added (once) or taken out, for an UPDATE's SET. */
export const withOptOut = (channel: ProviderChannel, optedOut = true): SQL<ProviderChannel[]> =>
  optedOut
    ? sql`array_append(array_remove(${contacts.optedOut}, ${channel}::text), ${channel}::text)`
    : sql`array_remove(${contacts.optedOut}, ${channel}::text)`;

/** The list for an insert: the channels whose flag is set. */
export const optOutList = (flags: Partial<Record<ProviderChannel, boolean>>): ProviderChannel[] => providerChannels.filter((channel) => flags[channel]);

/** The API's schema of `optedOut`: a flag per provider channel. */
export const OptOutsSchema = (options: { description?: string } = {}) =>
  Type.Object(Object.fromEntries(providerChannels.map((channel) => [channel, Type.Boolean()])) as Record<ProviderChannel, TBoolean>, options);
