import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { placeholders, unknownPlaceholders } from './rules.js';
import { templates } from './schema.js';
import { campaigns } from '../campaigns/schema.js';
import { defaultLanguage, type Language } from '../i18n/index.js';
import { versionFor } from '../i18n/patient-language.js';

type TemplateRow = typeof templates.$inferSelect;
const templateJson = (t: TemplateRow) => ({ id: t.id, name: t.name, body: t.body, language: t.language as Language, translations: t.translations as Translations, createdAt: t.createdAt.toISOString() });

export type Translations = Partial<Record<Language, string>>;
export interface TemplateInput {
  name: string;
  body: string;
  language?: Language;
  translations?: Translations;
}

/** Issue 18: the version of a template a recipient gets (their language's, else the body as written). */
export const templateFor = (t: TemplateRow, language: string | null | undefined) => versionFor({ language: t.language, text: t.body, translations: t.translations }, language);

/** Every version is checked like the body; an empty one is dropped (the body goes out instead). */
function checkTranslations(translations: Translations | undefined): Translations | undefined {
  if (!translations) return undefined;
  const kept = Object.fromEntries(Object.entries(translations).filter(([, text]) => text?.trim())) as Translations;
  for (const [language, text] of Object.entries(kept)) {
    try {
      checkTemplateBody(text!);
    } catch (e) {
      if (e instanceof AppError) throw new AppError('invalid_input', `${language}: ${e.detail}`, { errors: [{ field: `body.translations.${language}`, message: e.detail }] });
      throw e;
    }
  }
  return kept;
}

export async function listTemplates(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(templates).where(eq(templates.orgId, actor.orgId)).orderBy(asc(templates.name));
  return rows.map(templateJson);
}

/** K2: a template is checked when saved: every placeholder must be one we can fill in (400 naming it). */
export function checkTemplateBody(body: string): void {
  const unknown = unknownPlaceholders(body);
  if (unknown.length) {
    throw new AppError('invalid_input', `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; known: ${placeholders.map((p) => `{{${p}}}`).join(', ')}`, {
      errors: [{ field: 'body.body', message: `unknown placeholder {{${unknown[0]}}}` }],
    });
  }
}

const nameTaken = (e: unknown, name: string) => (isUniqueViolation(e, 'templates_org_name_key') ? new AppError('name_taken', `a template named "${name}" already exists`) : e);

export async function updateTemplate(deps: Deps, actor: Actor, id: string, input: Partial<TemplateInput>) {
  if (input.body !== undefined) checkTemplateBody(input.body);
  const translations = checkTranslations(input.translations);
  await templateInOrg(deps.db, actor.orgId, id);
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(templates)
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.body !== undefined ? { body: input.body } : {}),
          ...(input.language !== undefined ? { language: input.language } : {}),
          ...(translations !== undefined ? { translations } : {}),
        })
        .where(eq(templates.id, id))
        .returning();
      await recordAudit(tx, { ...auditActor(actor), action: 'template.update', subject: { type: 'template', id } });
      return templateJson(row);
    });
  } catch (e) {
    throw nameTaken(e, input.name ?? '');
  }
}

/** Deletes a template no campaign sends; one in use answers 409 naming the campaigns (pause or change them first). */
export async function deleteTemplate(deps: Deps, actor: Actor, id: string) {
  await templateInOrg(deps.db, actor.orgId, id);
  const users = await deps.db.select({ name: campaigns.name }).from(campaigns).where(eq(campaigns.templateId, id));
  if (users.length) {
    throw new AppError('conflict', `campaign ${users.map((u) => `"${u.name}"`).join(', ')} sends this template; give it another template first`);
  }
  await deps.db.transaction(async (tx) => {
    await tx.delete(templates).where(eq(templates.id, id));
    await recordAudit(tx, { ...auditActor(actor), action: 'template.delete', subject: { type: 'template', id } });
  });
}

export async function createTemplate(deps: Deps, actor: Actor, input: TemplateInput) {
  checkTemplateBody(input.body);
  const translations = checkTranslations(input.translations) ?? {};
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx.insert(templates).values({ orgId: actor.orgId, name: input.name.trim(), body: input.body, language: input.language ?? defaultLanguage, translations, createdBy: actor.userId }).returning();
      await recordAudit(tx, { ...auditActor(actor), action: 'template.create', subject: { type: 'template', id: row.id } });
      return templateJson(row);
    });
  } catch (e) {
    throw nameTaken(e, input.name);
  }
}

export async function templateInOrg(db: DbOrTx, orgId: string, id: string) {
  const [row] = await db.select().from(templates).where(and(eq(templates.id, id), eq(templates.orgId, orgId)));
  if (!row) throw notFound('template');
  return row;
}
