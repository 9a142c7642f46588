/** TypeBox schemas shared by every module's routes: they validate input and describe the API in /openapi.json. */
import { Type, type TSchema } from 'typebox';

export const Id = Type.String({ format: 'uuid', description: 'an identifier' });
export const IdParams = Type.Object({ id: Id });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** One of these strings, as a union of literals; typed as the string union, which TypeBox cannot infer from an array. */
export const literals = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'a stable machine-readable word' }),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** The problem responses a signed-in route can give, merged with its success responses. */
export function responses(success: Record<number, TSchema>, ...problems: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const status of [400, 401, 403, ...problems]) out[status] = Problem;
  return out;
}

export const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const pageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const Ok = Type.Object({ ok: Type.Boolean() });

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; additionalProperties?: unknown; items?: JsonSchema; [k: string]: unknown };

/**
 * A request body schema that refuses fields it does not name (400 "is not a known field"), all the
 * way down: TypeBox objects allow extra properties by default, and a service that spreads its input
 * into an UPDATE would otherwise write columns the route never offered (an admin moved a clinic into
 * another organization with {"orgId": …}). With `atLeastOne` (every PATCH) the body must name a field.
 * Copies; the shared schema objects stay as they are.
 */
export function strictBody<T extends JsonSchema>(schema: T, opts: { atLeastOne?: boolean } = {}): T {
  const copy: JsonSchema = { ...schema };
  // A PATCH that names nothing to change is a 400 at the door, not an empty UPDATE further in.
  if (opts.atLeastOne && copy.properties && copy.minProperties === undefined) copy.minProperties = 1;
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, strictBody(v)]));
    if (copy.additionalProperties === undefined) copy.additionalProperties = false;
  }
  if (copy.items && typeof copy.items === 'object') copy.items = strictBody(copy.items);
  return copy as T;
}
