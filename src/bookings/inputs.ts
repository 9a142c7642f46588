import { Type, type Static } from 'typebox';
import { Id, Timestamp } from '../http/schemas.js';

export const Notes = Type.Optional(Type.String({ maxLength: 2000 }));

/** POST /bookings: the booking as the practice-management system or staff record it; the service's input is derived from it. */
export const BookingBody = Type.Object({
  clinicId: Id,
  startsAt: Timestamp,
  contactId: Type.Optional(Id),
  contact: Type.Optional(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 200 }),
      phone: Type.Optional(Type.String({ maxLength: 40 })),
      email: Type.Optional(Type.String({ maxLength: 254 })),
      externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      dateOfBirth: Type.Optional(Type.String({ format: 'date' })),
    }),
  ),
  conversationId: Type.Optional(Id),
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the id in the practice-management system' })),
  notes: Notes,
});
export type BookingInput = Static<typeof BookingBody>;
/** The contact a booking names when it has no contact id: found by external id, phone or email, or created. */
export type NewContact = NonNullable<BookingInput['contact']>;
