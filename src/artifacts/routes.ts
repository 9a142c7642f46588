import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { escapeHtml, layout, notFoundPage, privateHeaders } from '../http/html.js';
import { IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App, clientOrigin } from '../http/types.js';
import { appointmentParts } from '../templates/rules.js';
import { ArtifactBody, ArtifactKind } from './inputs.js';
import { cardLabels, formatAmount } from './rules.js';
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

function cardPage(opening: Extract<CardOpening, { kind: 'open' }>): string {
  const { card, clinic, artifact } = opening;
  const rows = [
    artifact?.occurredAt ? `<dt>${card.kind === 'appointment' ? 'When' : 'Date'}</dt><dd>${escapeHtml(Object.values(appointmentParts(artifact.occurredAt)).join(', '))}</dd>` : '',
    card.amountCents ? `<dt>Amount</dt><dd>${escapeHtml(formatAmount(card.amountCents, card.currency ?? 'USD'))}</dd>` : '',
    artifact?.details ? `<dt>Details</dt><dd>${escapeHtml(artifact.details)}</dd>` : '',
  ].join('');
  const action = card.url
    ? `<p><a class="button" href="${escapeHtml(card.url)}" rel="noreferrer">${card.kind === 'review_request' ? 'Leave a review' : card.kind === 'payment_request' || card.kind === 'invoice' ? 'Pay now' : card.kind === 'form' ? 'Fill in the form' : 'Open'}</a></p>`
    : '';
  return layout(
    `${cardLabels[card.kind]} from ${clinic.name}`,
    `<h1>${escapeHtml(cardLabels[card.kind])} from ${escapeHtml(clinic.name)}</h1>
<section class="card" aria-label="${escapeHtml(cardLabels[card.kind])}">
<h2>${escapeHtml(card.title)}</h2>
${rows ? `<dl>${rows}</dl>` : ''}
${action}
</section>
${clinic.phone ? `<p>Questions? Call ${escapeHtml(clinic.name)} at <a href="tel:${escapeHtml(clinic.phone)}">${escapeHtml(clinic.phone)}</a>.</p>` : ''}`,
  );
}

const expiredPage = (clinic: { name: string; phone: string | null }) =>
  layout('Link expired', `<h1>This link has expired</h1><p>For your privacy, links from ${escapeHtml(clinic.name)} work for a limited time. Please ask the clinic to send it again${clinic.phone ? ` — call <a href="tel:${escapeHtml(clinic.phone)}">${escapeHtml(clinic.phone)}</a>` : ''}.</p>`);


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
        return opening.kind === 'expired' ? html(410, expiredPage(opening.clinic)) : html(200, cardPage(opening));
      } catch (e) {
        if (e instanceof AppError && e.status === 404) return html(404, notFoundPage());
        throw e;
      }
    },
  );
}
