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

/** A clinic receives and sends as an Organization: R4 allows Location in neither Communication.recipient nor sender. */
const clinicRef = (clinic: { id: string; name: string }): Reference => ({ reference: `Organization/${clinic.id}`, display: clinic.name });

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

export interface Page {
  count: number;
  offset: number;
}

/** A searchset page of `all`, with self, first, previous and next links that keep the search's own parameters. */
export function searchBundle(all: { resourceType: string; id: string }[], base: string, search: URLSearchParams, page: Page) {
  const slice = all.slice(page.offset, page.offset + page.count);
  const link = (relation: string, offset: number) => {
    const params = new URLSearchParams(search);
    params.set('_count', String(page.count));
    params.set('_offset', String(offset));
    return { relation, url: `${base}/fhir/R4/Communication?${params.toString()}` };
  };
  return {
    resourceType: 'Bundle' as const,
    type: 'searchset' as const,
    total: all.length,
    link: [
      link('self', page.offset),
      link('first', 0),
      ...(page.offset > 0 ? [link('previous', Math.max(0, page.offset - page.count))] : []),
      ...(page.offset + page.count < all.length ? [link('next', page.offset + page.count)] : []),
    ],
    entry: slice.map((resource) => ({ fullUrl: `${base}/fhir/R4/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } })),
  };
}

/** `subject=Patient/{id}` or `patient={id}` (or `patient=Patient/{id}`): the one search the server supports. */
export function searchedPatient(query: { subject?: string; patient?: string }): string | null {
  if (query.subject !== undefined && query.patient !== undefined) return null;
  const value = query.subject ?? (query.patient === undefined ? undefined : query.patient.startsWith('Patient/') ? query.patient : `Patient/${query.patient}`);
  const match = value ? /^Patient\/([0-9a-fA-F-]{36})$/.exec(value) : null;
  return match ? match[1].toLowerCase() : null;
}

export const patientResource = (c: { id: string; name: string; phone: string | null; email: string | null; updatedAt: Date }) => ({
  resourceType: 'Patient' as const,
  id: c.id,
  meta: { lastUpdated: c.updatedAt.toISOString() },
  name: [{ text: c.name }],
  telecom: [...(c.phone ? [{ system: 'phone' as const, value: c.phone }] : []), ...(c.email ? [{ system: 'email' as const, value: c.email }] : [])],
});

export const practitionerResource = (u: { id: string; name: string; active: boolean }) => ({ resourceType: 'Practitioner' as const, id: u.id, active: u.active, name: [{ text: u.name }] });

/** A clinic, part of its organization when it is one of several. */
export const organizationResource = (c: { id: string; name: string; phone?: string | null }) => ({
  resourceType: 'Organization' as const,
  id: c.id,
  active: true,
  name: c.name,
  ...(c.phone ? { telecom: [{ system: 'phone' as const, value: c.phone }] } : {}),
});

export const problemCodeSystem = 'https://frontdesk.dev/problems';

/**
 * R4 OperationOutcome for an error: the issue type FHIR servers use for the HTTP status, and the
 * API's stable problem code in details, so FHIR clients can tell one refusal from another too.
 */
export function operationOutcome(status: number, problemCode: string, detail: string) {
  const code = status === 400 ? 'invalid' : status === 401 ? 'login' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : status === 429 ? 'throttled' : status >= 500 ? 'exception' : 'processing';
  return {
    resourceType: 'OperationOutcome' as const,
    issue: [{ severity: status >= 500 ? ('fatal' as const) : ('error' as const), code, details: { coding: [{ system: problemCodeSystem, code: problemCode }], text: detail }, diagnostics: detail }],
  };
}

/** What this server supports, for GET /fhir/R4/metadata. */
export function capabilityStatement(base: string, date: Date) {
  const read = [{ code: 'read' as const }];
  return {
    resourceType: 'CapabilityStatement' as const,
    status: 'active' as const,
    date: date.toISOString(),
    publisher: 'Frontdesk',
    kind: 'instance' as const,
    implementation: { description: 'Frontdesk patient communication hub', url: `${base}/fhir/R4` },
    fhirVersion: '4.0.1' as const,
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server' as const,
        security: { description: 'A staff session cookie or Authorization: Bearer <API token>; every read is scoped to the caller\'s organization and audited.' },
        resource: [
          {
            type: 'Communication',
            interaction: [...read, { code: 'search-type' as const }],
            searchParam: [
              { name: 'subject', type: 'reference' as const, documentation: 'Patient/{id}' },
              { name: 'patient', type: 'reference' as const, documentation: '{id} or Patient/{id}' },
              { name: '_count', type: 'number' as const, documentation: '1-100, default 50' },
              { name: '_offset', type: 'number' as const, documentation: 'paging, as the next/previous links give it' },
            ],
          },
          { type: 'Patient', interaction: read },
          { type: 'Practitioner', interaction: read },
          { type: 'Organization', interaction: read },
        ],
      },
    ],
  };
}
