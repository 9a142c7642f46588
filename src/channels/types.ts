/**
 * S5: every provider sits behind these few shapes. The rest of the product never names a provider;
 * the registry (registry.ts) picks one per channel from configuration.
 */
import type { SendChannel } from '../conversations/rules.js';

export type ProviderChannel = 'sms' | 'whatsapp' | 'email';
/** Every channel a message goes out on has an adapter: the providers', and Frontdesk's own portal chat and web replies. */
export type AdapterChannel = SendChannel;

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
  email?: { messageIdHeader: string; inReplyTo: string | null; references: string[]; replyTo: string; subject: string };
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

export interface ChannelAdapter {
  readonly channel: AdapterChannel;
  readonly provider: string;
  /**
   * The patient reads it inside Frontdesk (portal, guest page): nothing leaves for a carrier, so the
   * worker neither checks opt-outs again nor records a provider try.
   */
  readonly inApp?: boolean;
  /** True when a send is as good as delivered (no status callbacks will follow): the simulator. */
  readonly deliversInstantly?: boolean;
  send(envelope: OutboundEnvelope): Promise<SendOutcome>;
  /** The provider's webhooks: mounted by webhooks.ts for the adapter the registry picked. */
  readonly webhooks?: ProviderWebhooks;
  /** Fetches an inbound message's media from the provider (not used yet: the channels issue fills it in). */
  fetchMedia?(reference: string): Promise<{ content: Buffer; contentType: string }>;
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

/** Status as a provider reports it, mapped onto ours; `failed` carries the provider's reason. */
export type ProviderStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  providerMessageId: string;
  status: ProviderStatus;
  errorCode?: string;
  reason?: string;
  /** The provider's way of saying the recipient unsubscribed (Twilio's error 21610): opt them out. */
  optedOut?: boolean;
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
  attachments?: { filename: string; content: Buffer }[];
}

/** Buying and releasing the two-way inbox's number (S1). */
export interface NumberProvider {
  readonly provider: string;
  available(areaCode: string): Promise<{ phoneNumber: string; locality: string }[]>;
  buy(phoneNumber: string, webhookUrls: { sms: string; status: string }): Promise<{ externalId: string; phoneNumber: string }>;
  release(externalId: string): Promise<void>;
}
