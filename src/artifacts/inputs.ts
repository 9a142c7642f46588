import { Type, type Static } from 'typebox';
import type { SendInput } from '../conversations/inputs.js';
import { Id, literals, Timestamp } from '../http/schemas.js';
import { artifactKinds } from './rules.js';

/** An artifact as the practice system pushes it (POST /artifacts); upsertArtifact takes the type derived from it. */
export const ArtifactKind = literals(artifactKinds);

export const ArtifactBody = Type.Object({
  contactId: Type.Optional(Id),
  contactExternalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  kind: ArtifactKind,
  externalId: Type.String({ minLength: 1, maxLength: 200 }),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  occurredAt: Type.Optional(Timestamp),
  amountCents: Type.Optional(Type.Integer({ minimum: 0 })),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  url: Type.Optional(Type.String({ pattern: '^https://', maxLength: 2000, description: 'where the patient completes it (https)' })),
  details: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type ArtifactInput = Static<typeof ArtifactBody>;

/** A card sent with a message: the reply's `card` (conversations/inputs.ts, SendBody). */
export type CardInput = NonNullable<SendInput['card']>;
