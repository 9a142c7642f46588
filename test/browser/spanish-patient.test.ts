/**
 * Issue 18 (patients' side): a Spanish-speaking patient reads the clinic in Spanish — the public
 * page and the private thread from her browser's language, the portal from the language the clinic
 * has for her — with Spanish dates, <html lang="es">, and nothing overflowing at 390 and 1,440 px.
 * Screenshots: test-artifacts/spanish-patient-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { overflow } from './layout-support.js';
import { seriousViolations, signInStaff, startBrowserApp } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Clínica Dental Riverside', { plan: 'pro' });
  expect((await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { phone: '+14155550100', address: 'Calle Mayor 12, San Francisco' })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

async function fits(page: Page, what: string) {
  const { scrollWidth, width, offscreen } = await overflow(page);
  expect({ what, offscreen }).toEqual({ what, offscreen: [] });
  expect(scrollWidth, what).toBeLessThanOrEqual(width);
}

const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
];

describe.each(sizes)('a Spanish-speaking patient on a $name', (size) => {
  const spanishBrowser = () => browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'es-MX', hasTouch: size.width < 1024, isMobile: size.width <= 480 });

  it('writes from the public page and reads her private thread in Spanish', async () => {
    const page = await (await spanishBrowser()).newPage();
    await page.goto(`${base}/c/${org.me.clinics[0].slug}`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await page.getByRole('heading', { name: 'Envíenos un mensaje' }).waitFor();
    await page.getByText('lun–vie 8:00–17:00').waitFor();
    await fits(page, 'public page');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/spanish-patient-public-${size.name}.png`, fullPage: true });

    await page.getByRole('button', { name: 'Enviar mensaje' }).click();
    await page.getByRole('alert').filter({ hasText: 'Revise los campos marcados abajo.' }).waitFor();
    await page.getByLabel('Su nombre', { exact: true }).fill(`María José ${size.name}`);
    await page.getByLabel('Correo electrónico', { exact: true }).fill(`maria.${size.name}@example.com`);
    await page.getByLabel('Mensaje', { exact: true }).fill('¿Puedo cambiar mi cita del jueves a la tarde?');
    await page.getByRole('button', { name: 'Enviar mensaje' }).click();
    await page.getByRole('heading', { name: 'Su conversación con Clínica Dental Riverside Main' }).waitFor();

    const conversation = (await org.owner.get(`/api/v1/conversations?q=maria.${size.name}`)).body.items[0];
    expect(conversation.contact.preferredLanguage ?? (await org.owner.get(`/api/v1/contacts/${conversation.contact.id}`)).body.preferredLanguage).toBe('es');
    expect((await org.owner.post(`/api/v1/conversations/${conversation.id}/messages`, { body: 'Sí, claro: el jueves a las 16:00 tenemos hueco.' })).status).toBe(202);
    await page.reload();
    await page.getByText('Sí, claro: el jueves a las 16:00 tenemos hueco.').waitFor();
    expect(await page.locator('.msg.mine .from').first().textContent()).toBe('Usted');
    await page.getByText('Visto por la clínica').or(page.getByText('Entregado')).first().waitFor();
    await page.getByRole('heading', { name: 'Responder' }).waitFor();
    await page.getByText('¿Es urgente? Llame a Clínica Dental Riverside Main al').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await fits(page, 'guest thread');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/spanish-patient-guest-${size.name}.png`, fullPage: true });
  });

  it('uses the portal in Spanish, the clinic’s record of her language winning over an English browser', async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: `Lucía Fernández ${size.name}`, email: `lucia.${size.name}@example.com`, preferredLanguage: 'es' });
    expect(contact.status).toBe(201);
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    const page = await (await spanishBrowser()).newPage();
    await page.goto(invite.body.inviteUrl.replace('http://localhost:3000', base));
    await page.getByRole('heading', { name: 'Elija la contraseña del portal' }).waitFor();
    await page.getByLabel('Contraseña nueva').fill('portal-pass-1234');
    await page.getByLabel('Repita la contraseña').fill('portal-pass-1234');
    await page.getByRole('button', { name: 'Guardar e iniciar sesión' }).click();
    await page.getByLabel('Chatear con la clínica en el portal').check();
    await page.getByText('La clínica puede escribirle aquí').waitFor();
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Su limpieza está reservada para el lunes.' });
    expect(started.status).toBe(201);

    // Signed in again on an English browser: her language is the clinic's record of it.
    const english = await (await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-US', hasTouch: size.width < 1024, isMobile: size.width <= 480 })).newPage();
    await english.goto(`${base}/portal?clinic=${org.me.clinics[0].slug}`);
    await english.getByLabel('Email').fill(`lucia.${size.name}@example.com`);
    await english.getByLabel('Password').fill('portal-pass-1234');
    await english.getByRole('button', { name: 'Sign in' }).click();
    await english.getByRole('heading', { name: 'Mensajes' }).waitFor();
    expect(await english.evaluate(() => document.documentElement.lang)).toBe('es');
    await english.getByRole('list', { name: 'Conversaciones' }).waitFor();
    await english.getByRole('heading', { name: 'Preferencias de comunicación' }).waitFor();
    await fits(english, 'portal inbox');
    await english.screenshot({ path: `${artifacts}/spanish-patient-portal-inbox-${size.name}.png`, fullPage: true });

    await english.getByRole('link', { name: /Clínica Dental Riverside Main/ }).click();
    await english.getByText('Su limpieza está reservada para el lunes.').waitFor();
    await english.getByRole('form', { name: 'Responder' }).getByLabel('Respuesta').fill('¡Gracias! Allí estaré.');
    await english.keyboard.press('Enter');
    await english.getByText('¡Gracias! Allí estaré.').waitFor();
    expect(await english.locator('.portal-messages .msg.outbound .label').last().textContent()).toMatch(/^Usted · 2 mar 2026, 4:00/);
    // A card comes in her language, the note written with it apart from the card (issue 18).
    const plan = await org.owner.post('/api/v1/artifacts', { contactId: contact.body.id, kind: 'treatment_plan', externalId: `TP-${size.name}`, title: 'Dos coronas' });
    await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { channel: 'portal', body: 'Aquí tiene su plan:', card: { kind: 'treatment_plan', artifactId: plan.body.id } });
    const card = english.locator('.card-preview').last();
    await card.getByText('Dos coronas').waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toBe('Plan de tratamiento: Dos coronas — Abrir');
    expect(await english.locator('.portal-messages .body').last().textContent()).toBe('Aquí tiene su plan:');
    await english.getByText('Intro envía; Mayús+Intro añade una línea.').waitFor();
    await english.getByText('Adjuntar una foto o un PDF').waitFor();
    await fits(english, 'portal thread');
    expect(await seriousViolations(english)).toEqual([]);
    await english.screenshot({ path: `${artifacts}/spanish-patient-portal-thread-${size.name}.png`, fullPage: true });
  });
});

describe('staff write the Spanish versions in Settings', () => {
  it('a template’s Spanish version and the Spanish after-hours reply are typed and saved (what each patient then gets: test/api/languages.test.ts)', async () => {
    const template = await org.owner.post('/api/v1/templates', { name: 'Check-in', body: 'Hi {{patient.firstName}}, how is the tooth?' });
    const page = await signInStaff(browser, base, org.me.user.email, password);
    await page.goto(`${base}/settings/templates`);
    const versions = page.getByRole('form', { name: 'Versions of Check-in' });
    await versions.getByLabel('Español version (optional)').fill('Hola, {{patient.firstName}}: ¿qué tal el diente?');
    await versions.getByRole('button', { name: 'Save versions' }).click();
    await expect.poll(async () => (await org.owner.get('/api/v1/templates')).body.items.find((x: any) => x.id === template.body.id).translations.es).toBe('Hola, {{patient.firstName}}: ¿qué tal el diente?');

    await page.goto(`${base}/settings/public`);
    const clinicForm = page.getByRole('form').filter({ has: page.getByLabel('After-hours reply in Español (blank: the reply above)') }).first();
    await clinicForm.getByLabel('After-hours reply (blank is off)').fill('We are closed; we will answer at 8.');
    await clinicForm.getByLabel('After-hours reply in Español (blank: the reply above)').fill('Estamos cerrados; le responderemos a las 8.');
    await clinicForm.getByRole('button').last().click();
    await expect.poll(async () => (await org.owner.get('/api/v1/clinics')).body.items[0].afterHoursReplyTranslations.es).toBe('Estamos cerrados; le responderemos a las 8.');
    await page.screenshot({ path: `${artifacts}/spanish-patient-settings-versions.png`, fullPage: true });
  });
});
