/**
 * S5: every provider sits behind these few shapes. The rest of the product never names a provider;
 * the registry (registry.ts) picks one per channel from configuration.
 */
export type ProviderChannel = 'sms' | 'whatsapp' | 'email';

export interface OutboundAttachment {
  filename: string;
  contentType: string;
  /** Reads the stored bytes. */
  read(): Promise<Buffer>;
}

export interface OutboundEnvelope {
  messageId: string;
  orgId: string;
  /** The patient: E.164 for SMS and WhatsApp, an address for email. */
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
  readonly channel: ProviderChannel;
  readonly provider: string;
  /** True when a send is as good as delivered (no status callbacks will follow): the simulator. */
  readonly deliversInstantly?: boolean;
  send(envelope: OutboundEnvelope): Promise<SendOutcome>;
  /** Releases connections (SMTP pools). */
  close?(): void;
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
