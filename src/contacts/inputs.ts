import { Type, type Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { languages } from '../i18n/index.js';
import { contactTypes } from './rules.js';

/** The contact's fields as the routes take them; the service's input types are derived from these. */
export const ContactType = Type.Union(contactTypes.map((t) => Type.Literal(t)));
export const LanguageSchema = Type.Union(languages.map((l) => Type.Literal(l)), { description: 'the language the clinic writes to this patient in; null: not known yet (the browser\'s on the public page, guest thread and portal, else each template\'s own)' });

export const ContactFields = {
  type: Type.Optional(ContactType),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'any format a person types; stored as E.164' }))),
  email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  dateOfBirth: Type.Optional(Nullable(Type.String({ format: 'date' }))),
  externalId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  portalAccount: Type.Optional(Type.Boolean()),
  chatOptIn: Type.Optional(Type.Boolean()),
  preferredLanguage: Type.Optional(Nullable(LanguageSchema)),
};

/** A change to a contact (PATCH /contacts/:id), and what createContact takes beside a name. */
export const ContactChanges = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...ContactFields });
export type ContactInput = Static<typeof ContactChanges>;
