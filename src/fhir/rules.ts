/**
 * B3: conversations as FHIR R4 Communication resources — pure mapping. A conversation is a thread
 * header; each message and call is a Communication `partOf` it.
 * R4 references: https://hl7.org/fhir/R4/communication.html (EventStatus, v3 ParticipationMode).
 */

export interface Reference {
  reference?: string;
  display?: string;
}
export interface Coding {
  system: string;
  code: string;
  display: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Attachment {
  contentType: string;
  url: string;
  title: string;
  size: number;
  creation: string;
}
export type Payload = { contentString: string } | { contentAttachment: Attachment };

export interface Communication {
  resourceType: 'Communication';
  id: string;
  meta: { lastUpdated: string };
  status: EventStatus;
  statusReason?: CodeableConcept;
  partOf?: Reference[];
  medium?: CodeableConcept[];
  subject: Reference;
  topic?: CodeableConcept;
  sent?: string;
  received?: string;
  recipient?: Reference[];
  sender?: Reference;
  payload?: Payload[];
  note?: { text: string }[];
}

/** R4 EventStatus. */
export const eventStatuses = ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export const participationModeSystem = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';

/** How each channel reaches the patient, as v3 ParticipationMode (texting has no code of its own in R4). */
const modes: Record<string, Coding & { text: string }> = {
  sms: { system: participationModeSystem, code: 'ELECTRONIC', display: 'electronic data', text: 'SMS' },
  whatsapp: { system: participationModeSystem, code: 'ELECTRONIC', display: 'electronic data', text: 'WhatsApp' },
  email: { system: participationModeSystem, code: 'EMAILWRIT', display: 'email', text: 'Email' },
  portal: { system: participationModeSystem, code: 'ONLINEWRIT', display: 'online written', text: 'Patient portal chat' },
  web: { system: participationModeSystem, code: 'ONLINEWRIT', display: 'online written', text: 'Clinic web page' },
  call: { system: participationModeSystem, code: 'PHONE', display: 'telephone', text: 'Phone call' },
};

export function medium(channel: string): CodeableConcept[] {
  const { text, ...coding } = modes[channel] ?? modes.portal;
  return [{ coding: [coding], text }];
}

/** M3 statuses as R4 EventStatus: a message waiting for its provider is in progress; a failed one was not done. */
export function messageStatus(direction: 'inbound' | 'outbound', status: string): EventStatus {
  if (direction === 'inbound' || status === 'logged') return 'completed';
  if (status === 'queued') return 'in-progress';
  if (status === 'failed') return 'not-done';
  return 'completed';
}

export const patientRef = (contact: { id: string; name: string }): Reference => ({ reference: `Patient/${contact.id}`, display: contact.name });

export interface ThreadInput {
  id: string;
  contact: { id: string; name: string };
  clinicName: string;
  channel: string;
  status: 'open' | 'closed';
  createdAt: Date;
  lastActivityAt: Date;
}

export function threadResource(t: ThreadInput): Communication {
  return {
    resourceType: 'Communication',
    id: t.id,
    meta: { lastUpdated: t.lastActivityAt.toISOString() },
    status: t.status === 'open' ? 'in-progress' : 'completed',
    medium: medium(t.channel),
    subject: patientRef(t.contact),
    topic: { text: `Conversation with ${t.clinicName}` },
    sent: t.createdAt.toISOString(),
  };
}

export interface MessageInput {
  id: string;
  conversationId: string;
  contact: { id: string; name: string };
  clinic: { id: string; name: string };
  direction: 'inbound' | 'outbound';
  channel: string;
  body: string;
  status: string;
  failureReason: string | null;
  /** Integrity: taken back by the clinic, as R4's entered-in-error with the reason. */
  retraction?: { at: Date; reason: string } | null;
  sender: { kind: 'user'; id: string; name: string } | { kind: 'campaign'; name: string } | { kind: 'patient' };
  createdAt: Date;
  statusAt: Date;
  call: { startedAt: Date; durationSeconds: number } | null;
  attachments: { id: string; filename: string; contentType: string; size: number; createdAt: Date }[];
  attachmentUrl: (id: string) => string;
}

function senderRef(m: MessageInput): Reference {
  if (m.sender.kind === 'user') return { reference: `Practitioner/${m.sender.id}`, display: m.sender.name };
  if (m.sender.kind === 'campaign') return { display: `${m.sender.name} (automatic message)` };
  return patientRef(m.contact);
}

const clinicRef = (clinic: { id: string; name: string }): Reference => ({ reference: `Location/${clinic.id}`, display: clinic.name });

export function messageResource(m: MessageInput): Communication {
  const outbound = m.direction === 'outbound';
  const reached = outbound && (m.status === 'delivered' || m.status === 'read');
  const payload: Payload[] = [
    ...(m.body ? [{ contentString: m.body }] : []),
    ...m.attachments.map((a) => ({ contentAttachment: { contentType: a.contentType, url: m.attachmentUrl(a.id), title: a.filename, size: a.size, creation: a.createdAt.toISOString() } })),
  ];
  const status: EventStatus = m.retraction ? 'entered-in-error' : messageStatus(m.direction, m.status);
  return {
    resourceType: 'Communication',
    id: m.id,
    meta: { lastUpdated: m.statusAt.toISOString() },
    status,
    ...(status === 'not-done' ? { statusReason: { text: m.failureReason ?? 'not delivered' } } : {}),
    ...(m.retraction ? { statusReason: { text: `retracted ${m.retraction.at.toISOString()}: ${m.retraction.reason}` } } : {}),
    partOf: [{ reference: `Communication/${m.conversationId}` }],
    medium: medium(m.channel),
    subject: patientRef(m.contact),
    sent: (m.call?.startedAt ?? m.createdAt).toISOString(),
    ...(outbound ? (reached ? { received: m.statusAt.toISOString() } : {}) : { received: m.createdAt.toISOString() }),
    recipient: [outbound ? patientRef(m.contact) : clinicRef(m.clinic)],
    sender: outbound ? senderRef(m) : patientRef(m.contact),
    ...(payload.length ? { payload } : {}),
    ...(m.call ? { note: [{ text: `${outbound ? 'Outgoing' : 'Incoming'} call, ${Math.round(m.call.durationSeconds / 60)} min` }] } : {}),
  };
}

export function searchBundle(resources: Communication[], base: string, self: string) {
  return {
    resourceType: 'Bundle' as const,
    type: 'searchset' as const,
    total: resources.length,
    link: [{ relation: 'self', url: self }],
    entry: resources.map((resource) => ({ fullUrl: `${base}/fhir/R4/Communication/${resource.id}`, resource, search: { mode: 'match' as const } })),
  };
}
