/**
 * S5: every provider sits behind these few shapes. The rest of the product never names a provider;
 * the registry (registry.ts) picks one per channel from configuration.
 */
import type { SQL } from 'drizzle-orm';
import type { KeywordAction } from './rules.js';

/**
 * What an in-app adapter needs of the database (the web adapter queues the guest notification).
 * Not db/client's type: that one is built from every table's schema, and the schemas read the
 * channel lists from the registry, which builds the adapters.
 */
export interface SqlRunner {
  execute(query: SQL): Promise<unknown>;
}

export interface OutboundAttachment {
  filename: string;
  contentType: string;
  /** Reads the stored bytes. */
  read(): Promise<Buffer>;
}

export interface OutboundEnvelope {
  messageId: string;
  orgId: string;
  /** The patient: E.164 for SMS and WhatsApp, an address for email, the contact id for the portal, the guest link id for web. */
  to: string;
  /** The organization's sending address (its SMS number, WhatsApp phone number id, email From). */
  from: string | null;
  fromName: string;
  body: string;
  attachments: OutboundAttachment[];
  /** Email threading: our Message-ID for this message, and the patient's last one we answer. */
  email?: {
    messageIdHeader: string;
    inReplyTo: string | null;
    references: string[];
    replyTo: string;
    subject: string;
    /** The HTML part, sanitised, when staff formatted the message. */
    html?: string | null;
    /** RFC 3834's Auto-Submitted for mail no person wrote: an automatic answer (after hours), or other generated mail (reminders, notifications). */
    autoSubmitted?: 'auto-replied' | 'auto-generated';
  };
  /** WhatsApp: send as this approved template instead of free text (outside the 24-hour window). */
  template?: { name: string; language: string };
}

export type SendOutcome =
  | { kind: 'sent'; providerMessageId: string }
  | {
      kind: 'failed';
      /** Permanent: retrying cannot help (bad number, unsubscribed). Transient: retry with backoff. */
      permanent: boolean;
      code: string;
      reason: string;
      /** The provider says the recipient unsubscribed (Twilio 21610): mark them opted out. */
      optedOut?: boolean;
    };

/**
 * How a channel addresses a message, which delivery fills in: `to` the patient (their phone, email,
 * contact id, or the reply's guest link), `from` the organization (its number's address or the
 * provider's id for it, the configured email From, or nothing for in-app channels).
 */
export interface Addressing {
  to: 'phone' | 'email' | 'contact' | 'guestLink';
  from: 'accountAddress' | 'accountExternalId' | 'emailFrom' | 'none';
}

/**
 * Every channel a message goes out on has an adapter: the providers', and Frontdesk's own portal
 * chat and web replies. `channel` is the kind's name (registry.ts types it; the adapters' files sit
 * below the registry, so they do not import it).
 */
export interface ChannelAdapter {
  readonly channel: string;
  readonly provider: string;
  readonly addressing: Addressing;
  /**
   * The patient reads it inside Frontdesk (portal, guest page): nothing leaves for a carrier, so the
   * worker neither checks opt-outs again nor records a provider try.
   */
  readonly inApp?: boolean;
  /** True when a send is as good as delivered (no status callbacks will follow): the simulator. */
  readonly deliversInstantly?: boolean;
  /** The provider answers opt-out keywords itself (Twilio's opt-out handling): Frontdesk sends no confirmation of its own. */
  readonly answersKeywords?: boolean;
  send(envelope: OutboundEnvelope): Promise<SendOutcome>;
  /** The provider's webhooks: mounted by webhooks.ts for the adapter the registry picked. */
  readonly webhooks?: ProviderWebhooks;
  /**
   * Downloads one file of an inbound message from the provider, at most `maxBytes` of it (the worker
   * calls it before filing the message). Throws when the provider is out of reach for now: the job
   * is tried again later.
   */
  fetchMedia?(media: InboundMedia, maxBytes: number): Promise<FetchedMedia>;
  /** Releases connections (SMTP pools). */
  close?(): void;
}

/** A provider's webhook call as the route received it. */
export interface WebhookRequest {
  /** The address the provider called and signed: PUBLIC_URL with the path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes sent, which the signature covers. */
  rawBody: Buffer;
}

/** An organization's address a message came to: its number, or the provider's id for it. */
export type AccountRef = { address: string } | { externalId: string };

/** What one webhook call carried. */
export interface WebhookEvents {
  inbound: { account: AccountRef; message: InboundMessage }[];
  statuses: StatusUpdate[];
}

export interface WebhookRoute {
  path: string;
  summary: string;
  /** What the provider expects back once the call is taken. */
  ack: { status: number; contentType?: string; body?: string | Record<string, unknown> };
}

export interface ProviderWebhooks {
  routes: WebhookRoute[];
  /** Checks the provider's signature over the exact request. */
  verify(request: WebhookRequest): boolean;
  /** The messages and statuses in a verified call, or null when the body is not the provider's format. */
  parse(route: WebhookRoute, request: WebhookRequest): WebhookEvents | null;
}

/** A GET the provider makes to set its webhook up: the text to answer, or null to refuse (Meta's hub.challenge). */
export interface HandshakeRoute {
  path: string;
  summary: string;
  answer(query: Record<string, string | undefined>): string | null;
}

/** A route whose body is one raw inbound email (RFC 5322), filed as it arrives: a mail service's webhook. */
export interface MailRoute {
  path: string;
  summary: string;
  /** Checks the caller's shared secret. */
  verify(headers: WebhookRequest['headers']): boolean;
}

/** Every route a channel's providers call us on, as the registry chose them from configuration. */
export interface ChannelWebhooks<Channel extends string = string> {
  channel: Channel;
  /** Signed event calls: messages and statuses (the adapter's webhooks). */
  events?: ProviderWebhooks;
  handshakes: HandshakeRoute[];
  mail?: MailRoute;
}

/** Status as a provider reports it, mapped onto ours; `failed` carries the provider's reason. */
export type ProviderStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  providerMessageId: string;
  status: ProviderStatus;
  errorCode?: string;
  reason?: string;
  /** The provider's way of saying the recipient unsubscribed (Twilio's error 21610): opt them out. */
  optedOut?: boolean;
  /** A mail system's delivery report: the address cannot receive mail; the contact's address is flagged as bouncing. */
  bounced?: boolean;
}

export interface InboundMessage {
  providerMessageId: string;
  /** The patient's address (E.164 or email). */
  from: string;
  /** Our address it was sent to: the organization's number, or a reply address. */
  to: string;
  body: string;
  name?: string;
  at?: Date;
  /** Email: the headers that thread it. */
  inReplyTo?: string[];
  /** Email: its HTML part, sanitised. */
  html?: string | null;
  /** Email: the Subject line as it came. */
  subject?: string;
  /** Email: the whole text, quoted history included, when body is only the new reply. */
  fullText?: string | null;
  /** Written by a machine (RFC 3834: an out-of-office, a vacation notice): stored as automatic and never answered automatically. */
  automatic?: boolean;
  attachments?: { filename: string; content: Buffer }[];
  /** Files the provider holds for the message (MMS, WhatsApp media), fetched by the worker with fetchMedia. */
  media?: InboundMedia[];
  /** What the staff should know about the message besides its text: a file that was not kept, and why. */
  notes?: string[];
  /** Not a message but the patient's reaction to one (WhatsApp): its emoji, or null when taken back. */
  reaction?: InboundReaction;
  /** The provider read the message as an opt-out keyword (Twilio's OptOutType), and answered the patient itself. */
  keyword?: KeywordAction;
}

export interface InboundReaction {
  /** The provider's id of the message reacted to. */
  providerMessageId: string;
  emoji: string | null;
}

/** A file a provider keeps for an inbound message until we fetch it. */
export interface InboundMedia {
  /** The provider's handle for it: Twilio's MediaUrl, Meta's media id. */
  reference: string;
  /** What the provider says it is; the bytes decide what is stored. */
  contentType?: string;
  /** The name the patient's phone gave it (WhatsApp documents). */
  filename?: string;
}

export type FetchedMedia =
  | { kind: 'fetched'; content: Buffer }
  /** Bigger than the limit: not downloaded (or not past the limit). */
  | { kind: 'too_large'; bytes: number }
  /** The provider no longer has it, or will never hand it over: trying again cannot help. */
  | { kind: 'gone'; reason: string };

/** A number already in the clinic's provider account (issue 22: keep the number patients know). */
export interface OwnedNumber {
  externalId: string;
  phoneNumber: string;
  friendlyName: string;
  /** Where its incoming texts go now (another vendor, or none). */
  smsUrl: string | null;
  smsCapable: boolean;
}

/** Buying and releasing the two-way inbox's number (S1), or pointing one the clinic owns at us and back. */
export interface NumberSearch {
  country: string;
  areaCode?: string;
}

export interface NumberProvider {
  readonly provider: string;
  /** Numbers that can text, in a country (ISO 3166 alpha-2) and, where the country has them, an area code. */
  available(search: NumberSearch): Promise<{ phoneNumber: string; locality: string }[]>;
  buy(phoneNumber: string, webhookUrls: { sms: string; status: string }): Promise<{ externalId: string; phoneNumber: string }>;
  release(externalId: string): Promise<void>;
  owned(): Promise<OwnedNumber[]>;
  /** Sends the number's incoming texts to `smsUrl`. */
  point(externalId: string, smsUrl: string): Promise<void>;
  /** Takes our webhook off the number, if it is still ours; the number stays the clinic's. */
  detach(externalId: string, ourSmsUrl: string): Promise<void>;
}
