import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Id, IdParams, Nullable, Page, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { BookingBody, Notes } from './inputs.js';
import { bookFromConversation, conversionReport, createBooking, listBookings } from './service.js';

const tags = ['bookings'];
/** Booking is part of working a thread, and of keeping patient records. */
const access = { privileges: ['send_messages' as const, 'contacts' as const] };

export const Booking = Type.Object({
  id: Type.String(),
  clinicId: Type.String(),
  contactId: Type.String(),
  conversationId: Nullable(Type.String({ description: 'the conversation that led to it (the conversion)' })),
  startsAt: Timestamp,
  source: Type.Union([Type.Literal('integration'), Type.Literal('staff')]),
  externalId: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  createdAt: Timestamp,
});

const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM' });
const Rate = Type.Number({ description: 'converted / conversations, 0 to 1' });
const Row = { conversations: Type.Integer(), converted: Type.Integer(), rate: Rate };

export function bookingRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/bookings',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Record a booking (the practice-management system, or staff); the contact is created when new and becomes a patient',
        description:
          'Without conversationId the booking is credited to the patient’s conversation in that clinic active in the 30 days before. The same externalId again answers 200 with the booking already stored.',
        body: BookingBody,
        response: responses({ 200: Booking, 201: Booking }, 404),
      },
    },
    async (request, reply) => {
      const { booking, created } = await createBooking(deps, actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(booking);
    },
  );

  app.post(
    '/api/v1/conversations/:id/bookings',
    {
      config: { access },
      schema: {
        tags,
        summary: "Record a booking from a thread: the thread's patient and clinic, credited to this conversation",
        params: IdParams,
        body: Type.Object({ startsAt: Timestamp, notes: Notes }),
        response: responses({ 201: Booking }, 404),
      },
    },
    async (request, reply) => reply.code(201).send((await bookFromConversation(deps, actorOf(request), request.params.id, request.body)).booking),
  );

  app.get(
    '/api/v1/bookings',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Bookings, newest first',
        querystring: Type.Intersect([Page, Type.Object({ contactId: Type.Optional(Id), conversationId: Type.Optional(Id), clinicId: Type.Optional(Id) })]),
        response: responses({ 200: pageOf(Booking) }),
      },
    },
    async (request) => listBookings(deps, actorOf(request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/v1/reports/conversions',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags,
        summary: 'Conversations that led to bookings: the conversion rate in total, by first channel and by month (P3)',
        querystring: Type.Object({ from: Type.Optional(Month), to: Type.Optional(Month), clinicId: Type.Optional(Id) }),
        response: responses({
          200: Type.Object({
            from: Month,
            to: Month,
            total: Type.Object(Row),
            byChannel: Type.Array(Type.Object({ channel: Type.String(), ...Row })),
            byMonth: Type.Array(Type.Object({ month: Month, ...Row })),
          }),
        }),
      },
    },
    async (request) => conversionReport(deps, actorOf(request), request.query),
  );
}
