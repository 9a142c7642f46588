import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { escapeHtml, layout, notFoundPage, privateHeaders } from '../http/html.js';
import { IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App, clientOrigin } from '../http/types.js';
import { appointmentParts } from '../templates/rules.js';
import { ArtifactBody, ArtifactKind } from './inputs.js';
import { cardLabel, formatAmount, type CardKind } from './rules.js';
import type { TFunction } from 'i18next';
import { pickLanguage, translator, type Language } from '../i18n/index.js';
import { patientLanguage } from '../i18n/patient-language.js';
import { listArtifacts, openCard, upsertArtifact, type CardOpening } from './service.js';

const tags = ['artifacts and cards'];
const access = { privileges: ['send_messages' as const, 'contacts' as const] };

/** A card as the patient sees it beside a message, in the portal and on the guest page. */
export const PatientCard = Type.Object({ kind: Type.String(), label: Type.String(), title: Type.String(), amount: Nullable(Type.String()), link: Type.String({ description: 'the secure link; opening it is recorded' }) });

export const Artifact = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  kind: ArtifactKind,
  externalId: Type.String(),
  title: Type.String(),
  occurredAt: Nullable(Timestamp),
  amountCents: Nullable(Type.Integer()),
  currency: Nullable(Type.String()),
  url: Nullable(Type.String()),
  details: Nullable(Type.String()),
  updatedAt: Timestamp,
});

type Clinic = CardOpening['clinic'];

/** A card's button: what the patient does at the card's address. */
function actionLabel(t: TFunction, kind: CardKind): string {
  if (kind === 'review_request') return t('patient:card.review');
  if (kind === 'payment_request' || kind === 'invoice') return t('patient:card.pay');
  return kind === 'form' ? t('patient:card.fillIn') : t('patient:card.open');
}

function cardPage(opening: Extract<CardOpening, { kind: 'open' }>, language: Language): string {
  const { card, clinic, artifact } = opening;
  const t = translator(language);
  const row = (term: string, value: string) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`;
  const rows = [
    artifact?.occurredAt ? row(t(card.kind === 'appointment' ? 'patient:card.when' : 'patient:card.date'), Object.values(appointmentParts(artifact.occurredAt, undefined, language)).join(', ')) : '',
    card.amountCents ? row(t('patient:card.amount'), formatAmount(card.amountCents, card.currency ?? 'USD', language)) : '',
    artifact?.details ? row(t('patient:card.details'), artifact.details) : '',
  ].join('');
  const action = card.url ? `<p><a class="button" href="${escapeHtml(card.url)}" rel="noreferrer">${escapeHtml(actionLabel(t, card.kind))}</a></p>` : '';
  const label = cardLabel(card.kind, language);
  const heading = t('patient:card.from', { label, clinic: clinic.name });
  return layout(
    heading,
    `<h1>${escapeHtml(heading)}</h1>
<section class="card" aria-label="${escapeHtml(label)}">
<h2>${escapeHtml(card.title)}</h2>
${rows ? `<dl>${rows}</dl>` : ''}
${action}
</section>
${clinic.phone ? `<p>${t('patient:card.questions', phoneParams(clinic.name, clinic.phone))}</p>` : ''}`,
    { language },
  );
}

/** The clinic and its phone for a sentence that links the number (the catalogue's text carries the <a>, so the values come escaped). */
const phoneParams = (name: string, phone: string) => ({ clinic: escapeHtml(name), tel: escapeHtml(phone), phone: escapeHtml(phone) });

function expiredPage(clinic: Clinic, language: Language): string {
  const t = translator(language);
  const body = clinic.phone ? t('patient:card.expiredCall', phoneParams(clinic.name, clinic.phone)) : t('patient:card.expiredBody', { clinic: escapeHtml(clinic.name) });
  return layout(t('patient:card.expiredTitle'), `<h1>${escapeHtml(t('patient:card.expiredHeading'))}</h1><p>${body}</p>`, { language });
}

export function artifactRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/artifacts',
    {
      config: { access },
      schema: {
        tags,
        summary: "The practice system pushes a patient's appointment, invoice, prescription, treatment plan or form; the same kind and externalId again updates it",
        body: ArtifactBody,
        response: responses({ 200: Artifact, 201: Artifact }, 404),
      },
    },
    async (request, reply) => {
      const { artifact, created } = await upsertArtifact(deps, actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(artifact);
    },
  );

  app.get(
    '/api/v1/contacts/:id/artifacts',
    {
      config: { access },
      schema: {
        tags,
        summary: "A patient's artifacts, latest first (the composer's /appt, /invoice, /rx take the first of a kind)",
        params: IdParams,
        querystring: Type.Object({ kind: Type.Optional(ArtifactKind), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }),
        response: responses({ 200: Type.Object({ items: Type.Array(Artifact) }) }, 404),
      },
    },
    async (request) => ({ items: await listArtifacts(deps, actorOf(request), request.params.id, { kind: request.query.kind, limit: request.query.limit ?? 20 }) }),
  );

  app.get(
    '/l/:token',
    {
      config: { access: { public: true } },
      schema: { tags, summary: "A card's secure link (HTML): opening it is recorded and shown in the thread; an expired one says so (410)", params: Type.Object({ token: Type.String({ maxLength: 100 }) }) },
    },
    async (request, reply) => {
      const html = (status: number, body: string) => privateHeaders(reply).code(status).type('text/html; charset=utf-8').send(body);
      try {
        const opening = await openCard(deps, request.params.token, clientOrigin(request));
        const language = patientLanguage(opening.preferredLanguage, request.headers['accept-language']);
        return opening.kind === 'expired' ? html(410, expiredPage(opening.clinic, language)) : html(200, cardPage(opening, language));
      } catch (e) {
        if (e instanceof AppError && e.status === 404) return html(404, notFoundPage(pickLanguage(request.headers['accept-language'])));
        throw e;
      }
    },
  );
}
