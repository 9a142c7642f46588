/**
 * The registry: the one list of channel kinds (each described in its own folder, `<kind>/kind.ts`),
 * what is derived from it — the channel lists the database enums, the API's schemas and the rules
 * read — and the adapters and webhook routes configuration picks (S5). Adding a channel kind is its
 * folder and its line in `channelKinds` (docs/architecture.md, "Adding a channel").
 */
import type { Config } from '../config.js';
import { call } from './call/kind.js';
import { email } from './email/kind.js';
import type { AddressRefusal, ChannelKind, ChannelLimit, ContactReach, OutboundDraft, ReachGap, ReachOptions, Sending } from './kind.js';
import { portal } from './portal/kind.js';
import { simulatorNumbers } from './simulator/adapters.js';
import { sms } from './sms/kind.js';
import { twilioNumbers, twilioWebhookPaths } from './sms/twilio.js';
import type { ChannelAdapter, ChannelWebhooks, NumberProvider, SqlRunner } from './types.js';
import { web } from './web/kind.js';
import { whatsapp } from './whatsapp/kind.js';

/** Every channel kind, in the order lists show them. */
export const channelKinds = [sms, email, whatsapp, portal, web, call] as const satisfies readonly ChannelKind[];

type Kind = (typeof channelKinds)[number];
type SendKind = Exclude<Kind, { sending: null }>;
type ProviderKind = Extract<SendKind, { provider: true }>;

export type Channel = Kind['name'];
/** The channels a message goes out on (every kind but the logged ones). */
export type SendChannel = SendKind['name'];
/** The channels an outside provider carries: numbers or addresses of their own (channel_accounts), webhooks, opt-outs. */
export type ProviderChannel = ProviderKind['name'];

const sendKinds = channelKinds.filter((k): k is SendKind => k.sending !== null);
const providerKinds = sendKinds.filter((k): k is ProviderKind => k.provider);
const namesOf = <K extends Kind>(kinds: readonly K[]) => kinds.map((k) => k.name) as unknown as readonly [K['name'], ...K['name'][]];

export const channels = namesOf(channelKinds);
export const sendChannels = namesOf(sendKinds);
export const providerChannels = namesOf(providerKinds);

const byName = new Map<string, Kind>(channelKinds.map((k) => [k.name, k]));
const sendingOf = (channel: SendChannel): Sending => (byName.get(channel) as SendKind).sending;

export const isProviderChannel = (channel: string): channel is ProviderChannel => (providerChannels as readonly string[]).includes(channel);
export const channelLabel = (channel: Channel): string => byName.get(channel)!.label;

/** M1: why a channel cannot reach this contact (what is missing, in a receptionist's words), or null when it can. */
export const reachGap = (contact: ContactReach, channel: SendChannel, opts: ReachOptions = {}): ReachGap | null => sendingOf(channel).reach(contact, opts);

/** The channels a message to this contact can go out on. */
export const sendableChannels = (contact: ContactReach, opts: ReachOptions = {}): SendChannel[] =>
  sendChannels.filter((channel) => reachGap(contact, channel, opts) === null);

/** What a channel itself cannot carry: an SMS over the segment cap or with files, WhatsApp text outside the 24-hour window. */
export const channelLimit = (draft: OutboundDraft<SendChannel>): ChannelLimit | null => sendingOf(draft.channel).limit(draft);

/** Channels whose free-form messages need a recent message from the patient on the same channel. */
export const hasReplyWindow = (channel: SendChannel): boolean => sendingOf(channel).replyWindow === true;

/** Whether the contact's address can take the channel at all (a landline cannot take texts). */
export const addressRefusal = (contact: ContactReach, channel: SendChannel): AddressRefusal | null => sendingOf(channel).addressRefusal?.(contact) ?? null;

export interface Channels {
  adapter(channel: SendChannel): ChannelAdapter;
  numbers: NumberProvider;
  /** The routes providers call us on, per channel; webhooks.ts mounts exactly these. */
  webhooks: ChannelWebhooks<ProviderChannel>[];
  close(): void;
}

/** `replace` puts other adapters in the configured ones' place (a test's stand-in, a provider trial). */
export function buildChannels(config: Config, db: SqlRunner, replace: Partial<Record<SendChannel, ChannelAdapter>> = {}): Channels {
  const adapters = new Map<string, ChannelAdapter>(sendKinds.map((k) => [k.name, replace[k.name] ?? sendingOf(k.name).adapter(config, db)]));
  const adapter = (channel: SendChannel) => adapters.get(channel)!;
  return {
    adapter,
    numbers: config.sms.provider === 'twilio' ? twilioNumbers({ ...config.sms, statusCallbackUrl: config.publicUrl + twilioWebhookPaths.status }) : simulatorNumbers,
    webhooks: providerKinds.map((k) => ({ channel: k.name, events: adapter(k.name).webhooks, handshakes: [], ...sendingOf(k.name).webhooks?.(config) })),
    close: () => adapters.forEach((a) => a.close?.()),
  };
}
