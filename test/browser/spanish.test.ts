/**
 * Issue 18 (staff side): a receptionist who chose Spanish works in Spanish — on an English browser,
 * so it is her choice that counts, not the browser's. The inbox, a thread, her reply and Settings
 * speak Spanish; dates are in Spanish format in the clinic's zone; nothing overflows with the longer
 * Spanish words at 390 and 1,440 px. Switching back in Settings is saved (and audited) on the server.
 * Screenshots: test-artifacts/spanish-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { overflow } from './layout-support.js';
import { seriousViolations, startBrowserApp } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;
let rita: { email: string; client: Org['owner'] };
let conversationId: string;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Clínica Dental Riverside');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  conversationId = (await inbound(org, '¿Mi corona está cubierta por el seguro?', '(415) 555-0134', { name: 'María González-Fernández de la Cruz' })).conversationId;
  await inbound(org, '¿Puedo llevar también a mi hijo?', '+14155550199', { name: 'James Carter' });
  const user = await org.addUser('receptionist', { privileges: ['send_messages', 'inbox', 'contacts'], clinicIds: [org.clinicId] });
  const me = (await user.client.get('/api/v1/me')).body;
  expect((await user.client.patch('/api/v1/me', { language: 'es' })).status).toBe(200);
  rita = { email: me.user.email, client: user.client };
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(width: number, height: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height }, locale: 'en-US', hasTouch: width < 1024, isMobile: width <= 480 })).newPage();
  await page.goto(base);
  // Before sign-in the browser's language: English.
  await page.getByLabel('Email').fill(rita.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversaciones' }).waitFor();
  return page;
}

async function fits(page: Page, what: string) {
  const { scrollWidth, width, offscreen } = await overflow(page);
  expect({ what, offscreen }).toEqual({ what, offscreen: [] });
  expect(scrollWidth, what).toBeLessThanOrEqual(width);
}

describe('the staff app in Spanish', () => {
  for (const size of [{ name: 'phone', width: 390, height: 844 }, { name: 'desktop', width: 1440, height: 900 }]) {
    it(`inbox, thread, reply and Settings at ${size.width} px`, async () => {
      const page = await signIn(size.width, size.height);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
      expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
      await page.getByRole('searchbox', { name: 'Buscar conversaciones por nombre, teléfono o texto' }).waitFor();
      await page.getByRole('tab', { name: 'Sin leer' }).waitFor();
      await fits(page, `${size.name} inbox`);
      await page.screenshot({ path: `${artifacts}/spanish-inbox-${size.name}.png` });

      await page.locator('.row-main', { hasText: 'María González' }).click();
      const box = page.getByRole('textbox', { name: 'Mensaje', exact: true });
      await box.waitFor();
      await page.getByRole('button', { name: 'Volver a las conversaciones' }).or(page.getByRole('button', { name: 'Cerrar', exact: true })).first().waitFor();
      // The patient's message time, as the clinic's wall clock shows it in Spanish.
      const thread = (await rita.client.get(`/api/v1/conversations/${conversationId}`)).body;
      const clinic = (await rita.client.get('/api/v1/me')).body.clinics[0];
      const expected = new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeStyle: 'short', timeZone: clinic.timezone }).format(new Date(thread.messages[0].createdAt));
      expect(await page.locator('.msg.inbound time').first().textContent()).toBe(expected);
      expect(expected).not.toMatch(/AM|PM/);

      await box.fill('A'.repeat(161));
      await page.getByText('161 caracteres · 2 segmentos · GSM-7').waitFor();
      await box.fill(`Sí, está cubierta (${size.name}).`);
      await box.press('Enter');
      const messages = page.getByRole('list', { name: 'Mensajes' });
      await messages.getByText(`Sí, está cubierta (${size.name}).`).waitFor();
      await expect.poll(() => messages.locator('.msg.outbound .tick').last().getAttribute('aria-label')).toMatch(/^(En cola|Enviado|Entregado)$/);
      expect(await seriousViolations(page)).toEqual([]);
      await fits(page, `${size.name} thread`);
      await page.screenshot({ path: `${artifacts}/spanish-thread-${size.name}.png` });

      await page.goto(`${base}/settings/language`);
      await page.getByRole('heading', { name: 'Idioma', level: 2 }).waitFor();
      await page.getByRole('button', { name: 'Notificaciones' }).waitFor();
      await fits(page, `${size.name} settings`);
      await page.screenshot({ path: `${artifacts}/spanish-settings-${size.name}.png` });
    });
  }

  it('switching to English in Settings is saved for the next sign-in, and audited', async () => {
    const page = await signIn(1440, 900);
    await page.goto(`${base}/settings/language`);
    await page.getByLabel('Idioma', { exact: true }).selectOption('en');
    await page.getByRole('link', { name: 'Settings' }).waitFor();
    await page.getByRole('heading', { name: 'Language', level: 2 }).waitFor();
    expect((await rita.client.get('/api/v1/me')).body.user.language).toBe('en');
    const audit = await org.owner.get('/api/v1/audit?action=user.language_update');
    expect(audit.body.items[0]).toMatchObject({ details: { language: 'en' } });
    await rita.client.patch('/api/v1/me', { language: 'es' });
  });
});
