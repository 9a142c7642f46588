/**
 * Issue 17: the inbox as a new receptionist walks it, click by click (seeds 001–004). Each case is
 * a defect the issue names; each failed on the code before its fix. Screenshots at desktop and
 * phone sizes go to test-artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { startBrowserApp, signInStaff } from './support.js';
import { clinicTime } from '../../src/orgs/rules.js';

const artifacts = 'test-artifacts';
const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Walkthrough Dental', { plan: 'accelerator' });
});
afterAll(async () => {
  await browser?.close();
});

function signedIn(viewport = desktop, email: string = org.me.user.email): Promise<Page> {
  return signInStaff(browser, base, email, password, viewport);
}

async function openThread(page: Page, conversationId: string, name: string) {
  await page.goto(`${base}/?c=${conversationId}`);
  await page.getByRole('heading', { name }).waitFor();
}

describe('defect 1: mark unread inside an open thread', () => {
  it('stays unread when the thread had already been read', async () => {
    const { conversationId } = await inbound(org, 'Is parking free?', '+14155550101', { name: 'Una Unread' });
    await org.owner.post(`/api/v1/conversations/${conversationId}/read`);
    const page = await signedIn();
    await openThread(page, conversationId, 'Una Unread');
    await page.getByRole('button', { name: 'Mark unread' }).click();
    await page.getByRole('button', { name: 'Mark read' }).waitFor();
    // Long enough for a refetch to have undone it.
    await page.waitForTimeout(1500);
    expect(await page.getByRole('button', { name: 'Mark read' }).count()).toBe(1);
    expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.unread).toBe(true);
  });
});

describe('defect 2: templates', () => {
  it('insert at the cursor, mark what is unfilled, and hold Send until it is filled or removed', async () => {
    const { conversationId } = await inbound(org, 'When is my cleaning?', '+14155550102', { name: 'Tara Template' });
    await org.owner.post('/api/v1/templates', { name: 'Reminder', body: 'see you on {{appointment.date}} at {{appointment.time}}.' });
    const page = await signedIn();
    await openThread(page, conversationId, 'Tara Template');
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('Hi Tara,  Thanks!');
    await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(9, 9));
    await page.getByLabel('Insert a template').selectOption({ label: 'Reminder' });
    expect(await box.inputValue()).toBe('Hi Tara, see you on {{appointment.date}} at {{appointment.time}}. Thanks!');
    const unfilled = page.getByRole('status').filter({ hasText: 'Fill in or remove' });
    await unfilled.getByText('appointment date').waitFor();
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${artifacts}/composer-template-unfilled.png` });
    await box.fill('Hi Tara, see you on Monday at 9. Thanks!');
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(false);
  });
});

describe('defect 3: the portal', () => {
  it('shows the text sent with a card, and Enter sends the patient’s reply', async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: 'Cora Card', email: 'cora.card@example.com' });
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    const patient = await (await browser.newContext({ viewport: phone })).newPage();
    await patient.goto(invite.body.inviteUrl.replace('http://localhost:3000', base));
    await patient.getByLabel('New password').fill('portal-pass-1234');
    await patient.getByLabel('The same password again').fill('portal-pass-1234');
    await patient.getByRole('button', { name: 'Save and sign in' }).click();
    await patient.getByLabel('Chat with the clinic in the portal').check();
    await patient.getByText('The clinic can message you here').waitFor();

    const appt = await org.owner.post('/api/v1/artifacts', { contactId: contact.body.id, kind: 'appointment', externalId: 'APPT-CORA', title: 'Cleaning', occurredAt: '2026-12-20T15:00:00Z' });
    expect(appt.status).toBeLessThan(300);
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Hello Cora' });
    const id = started.body.conversation.id;
    const staff = await signedIn();
    await openThread(staff, id, 'Cora Card');
    const box = staff.getByLabel('Message', { exact: true });
    await box.fill('/appt See you then!');
    await staff.getByText(/Appointment: Cleaning/).waitFor();
    await box.press('Enter');
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages).toHaveLength(2));

    await patient.reload();
    await patient.getByRole('link', { name: /Walkthrough Dental Main/ }).click();
    await patient.getByText('Cleaning').first().waitFor();
    await patient.getByText('See you then!').waitFor();

    const reply = patient.getByLabel('Reply', { exact: true });
    await reply.fill('Thanks');
    await reply.press('Shift+Enter');
    await reply.pressSequentially('see you');
    expect(await reply.inputValue()).toBe('Thanks\nsee you');
    await reply.press('Enter');
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages.at(-1)).toMatchObject({ direction: 'inbound', body: 'Thanks\nsee you' }));
    await patient.screenshot({ path: `${artifacts}/portal-card-text-phone.png` });
  });
});

describe('defect 5: a blocked or opted-out contact', () => {
  it('shows the state in the header and the composer before typing, with the action', async () => {
    const blocked = await inbound(org, 'Spam spam', '+14155550105', { name: 'Bo Blocked' });
    await org.owner.post(`/api/v1/contacts/${blocked.contactId}/block`);
    const page = await signedIn();
    await openThread(page, blocked.conversationId, 'Bo Blocked');
    await page.getByText('Bo Blocked is blocked').first().waitFor();
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: `${artifacts}/thread-blocked.png` });
    await page.getByRole('button', { name: 'Unblock Bo Blocked' }).click();
    await page.getByLabel('Message', { exact: true }).waitFor();

    const stopped = await inbound(org, 'Hello', '+14155550106', { name: 'Otto Optout' });
    await inbound(org, 'STOP', '+14155550106');
    await eventually(async () => expect((await org.owner.get(`/api/v1/contacts/${stopped.contactId}`)).body.optedOut.sms).toBe(true));
    await openThread(page, stopped.conversationId, 'Otto Optout');
    await page.getByText(/Otto Optout opted out of SMS/).first().waitFor();
    await page.getByText(/text START/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
  });
});

describe('defect 6: the New message dialog', () => {
  it('offers only the channels the contact has, says why not the others, closes on Escape and keeps focus inside', async () => {
    await org.owner.post('/api/v1/contacts', { name: 'Pia Phoneonly', phone: '+14155550107' });
    const page = await signedIn();
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel(/^To/).fill('Pia');
    await dialog.getByRole('button', { name: /Pia Phoneonly/ }).click();
    const options = await dialog.getByLabel('Channel').locator('option').allTextContents();
    expect(options).toEqual(['SMS', 'WhatsApp']);
    await dialog.getByText('Email: no email address on file.').waitFor();
    await page.screenshot({ path: `${artifacts}/new-message-channels.png` });

    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open], [role="dialog"]')))).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open], [role="dialog"]')))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New message');
  });
});

describe('defect 4: refusals in words', () => {
  it('says what is wrong with a number and what to do, not the API’s sentence', async () => {
    const page = await signedIn();
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel(/^To/).fill('55-12');
    await dialog.getByLabel('Message', { exact: true }).fill('Hello');
    await dialog.getByRole('button', { name: 'Send' }).click();
    const alert = dialog.getByRole('alert');
    await alert.getByText('That phone number is not valid. Check the digits (with the area code) and try again.').waitFor();
    expect(await alert.textContent()).not.toMatch(/cannot text or message/);
  });
});

describe('defect 7: refusals that lead somewhere', () => {
  it('sends a refused doctor to the patient’s open thread', async () => {
    const { conversationId } = await inbound(org, 'Can I talk to the doctor?', '+14155550108', { name: 'Dana Doctorwait' });
    const doctor = await org.addUser('doctor');
    const me = await doctor.client.get('/api/v1/me');
    const page = await signedIn(desktop, me.body.user.email);
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel(/^To/).fill('+1 415 555 0108');
    await dialog.getByLabel('Message', { exact: true }).fill('Hello, this is the doctor');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('alert').getByText(/already has an open conversation/).waitFor();
    await dialog.getByRole('button', { name: 'Open the existing conversation' }).click();
    await page.getByRole('heading', { name: 'Dana Doctorwait' }).waitFor();
    expect(new URL(page.url()).searchParams.get('c')).toBe(conversationId);
  });

  it('offers an approved template when WhatsApp’s 24-hour window is closed', async () => {
    const { conversationId } = await inbound(org, 'Text me on WhatsApp later', '+14155550109', { name: 'Wanda Window' });
    const page = await signedIn();
    await openThread(page, conversationId, 'Wanda Window');
    await page.locator('#composer-channel').selectOption('whatsapp');
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('Your crown is ready');
    await box.press('Enter');
    await page.getByRole('alert').getByText(/only an approved template can go/).waitFor();
    const form = page.getByRole('group', { name: 'Send as an approved WhatsApp template' });
    await form.getByLabel('Template name').fill('crown_ready');
    await form.getByRole('button', { name: 'Send template' }).click();
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.at(-1)).toMatchObject({ channel: 'whatsapp', direction: 'outbound' }));
    await page.screenshot({ path: `${artifacts}/whatsapp-template.png` });
  });
});

describe('defect 8: numbers and times one way', () => {
  it('shows numbers national at home and international abroad, and times in the clinic’s zone on the guest page too', async () => {
    await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { timezone: 'America/Los_Angeles', phone: '+14155550100' });
    const home = await inbound(org, 'Hi from home', '+14155550111', { name: 'Hank Home' });
    const abroad = await inbound(org, 'Hi from London', '+442079460958', { name: 'Lola London' });
    const page = await signedIn();
    await openThread(page, home.conversationId, 'Hank Home');
    await page.getByText('(415) 555-0111').first().waitFor();
    await openThread(page, abroad.conversationId, 'Lola London');
    await page.getByText('+44 20 7946 0958').first().waitFor();
    const stored = (await org.owner.get(`/api/v1/conversations/${abroad.conversationId}`)).body.messages[0].createdAt;
    await page.getByRole('list', { name: 'Messages' }).getByText(clinicTime(stored, 'America/Los_Angeles')).waitFor();
    expect(await page.getByText('+442079460958').count()).toBe(0);

    const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`, payload: { name: 'Gus Guest', email: 'gus@example.com', body: 'What time is it there?' }, remoteAddress: '203.0.113.10' });
    const guest = await (await browser.newContext({ viewport: phone, timezoneId: 'Europe/Berlin' })).newPage();
    await guest.goto(created.json().guestUrl.replace('http://localhost:3000', base));
    const shown = await guest.locator('#thread time').first().textContent();
    const at = await guest.locator('#thread time').first().getAttribute('datetime');
    expect(shown).toBe(clinicTime(at!, 'America/Los_Angeles'));
    await guest.getByText('(415) 555-0100').waitFor();
    await guest.screenshot({ path: `${artifacts}/guest-clinic-time-phone.png` });
  });
});

describe('defect 11: what a privilege hides is not offered, and is said', () => {
  it('a receptionist without the inbox privilege has no SMS filter and is told why; a nurse without send_messages has no switcher or search', async () => {
    const receptionist = await org.addUser('receptionist', { privileges: ['send_messages', 'contacts'] });
    const page = await signedIn(desktop, (await receptionist.client.get('/api/v1/me')).body.user.email);
    const channels = await page.getByLabel('Channel', { exact: true }).locator('option').allTextContents();
    expect(channels).not.toContain('SMS');
    await page.getByRole('note').getByText(/SMS conversations are not shown/).waitFor();

    const nurse = await org.addUser('nurse', { privileges: ['contacts'] });
    const nursePage = await (await browser.newContext({ viewport: phone })).newPage();
    await nursePage.goto(base);
    await nursePage.getByLabel('Email').fill((await nurse.client.get('/api/v1/me')).body.user.email);
    await nursePage.getByLabel('Password').fill(password);
    await nursePage.getByRole('button', { name: 'Sign in' }).click();
    await nursePage.getByText(/You need the “send messages” privilege/).waitFor();
    expect(await nursePage.getByLabel('Clinic', { exact: true }).count()).toBe(0);
    expect(await nursePage.getByRole('searchbox').count()).toBe(0);
    await nursePage.screenshot({ path: `${artifacts}/nurse-without-inbox-phone.png` });
  });
});

describe('defect 9: small things a new user trips on', () => {
  it('e closes with an Undo, and a muted thread says so in the list', async () => {
    const { conversationId } = await inbound(org, 'Thanks, all good', '+14155550112', { name: 'Ella Eclose' });
    const page = await signedIn();
    await openThread(page, conversationId, 'Ella Eclose');
    // Issue 16: mute is in the thread's ⋯ menu.
    await page.getByRole('button', { name: 'Conversation actions' }).click();
    await page.getByRole('menuitem', { name: 'Mute notifications' }).click();
    await page.getByText(/· muted/).waitFor();
    await page.getByRole('button', { name: 'Conversation actions' }).click();
    await page.getByRole('menuitem', { name: 'Unmute' }).waitFor();
    await page.keyboard.press('Escape');
    const row = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Ella Eclose' });
    await row.getByText('MUTED', { exact: true }).waitFor();
    await row.getByRole('button', { name: /Ella Eclose.*muted/ }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('e');
    const toast = page.getByRole('status').filter({ hasText: 'Conversation with Ella Eclose closed.' });
    await toast.waitFor();
    await page.screenshot({ path: `${artifacts}/close-undo.png` });
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.status).toBe('closed'));
    await toast.getByRole('button', { name: 'Undo' }).click();
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.status).toBe('open'));
  });

  it('settings sections are in the address, and Contacts on Free shows the lock without an empty table first', async () => {
    const page = await signedIn();
    await page.goto(`${base}/settings/security`);
    await page.getByRole('button', { name: 'Security', pressed: true }).waitFor();
    await page.getByRole('button', { name: 'Team' }).click();
    await page.waitForURL(/\/settings\/team$/);
    await page.goBack();
    await page.getByRole('button', { name: 'Security', pressed: true }).waitFor();

    const free = await signupOrg(ctx.app, 'Free Dental');
    const freePage = await (await browser.newContext({ viewport: phone })).newPage();
    // Records whether a table was ever drawn before the lock.
    await freePage.addInitScript(() => {
      new MutationObserver(() => {
        if (document.querySelector('table')) (window as unknown as { sawTable: boolean }).sawTable = true;
      }).observe(document, { childList: true, subtree: true });
    });
    await freePage.goto(base);
    await freePage.getByLabel('Email').fill(free.me.user.email);
    await freePage.getByLabel('Password').fill(password);
    await freePage.getByRole('button', { name: 'Sign in' }).click();
    await freePage.getByRole('list', { name: 'Conversations' }).waitFor();
    await freePage.getByRole('link', { name: 'Contacts' }).click();
    await freePage.getByText(/🔒|Pro plan/).first().waitFor({ timeout: 1500 });
    expect(await freePage.evaluate(() => (window as unknown as { sawTable?: boolean }).sawTable ?? false)).toBe(false);
    await freePage.screenshot({ path: `${artifacts}/contacts-free-lock-phone.png` });
  });
});

describe('the audit log on screen (M13)', () => {
  it('an admin filters it, reads who did what when and from where, follows an entry to the thread, and exports the selection', async () => {
    const { conversationId } = await inbound(org, 'Audit me', '+14155550113', { name: 'Andy Audit' });
    const page = await signedIn();
    await openThread(page, conversationId, 'Andy Audit');
    await page.goto(`${base}/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.goto(`${base}/settings/audit`);
    const form = page.getByRole('form', { name: 'Filter the audit log' });
    await form.getByLabel('User').selectOption({ label: 'Olive Owner' });
    await form.getByLabel('Action').fill('conversation.view');
    await form.getByLabel('Outcome').selectOption('success');
    await form.getByRole('button', { name: 'Show' }).click();
    const entries = page.getByRole('list', { name: 'Audit entries' });
    const entry = entries.getByRole('listitem').first();
    await entry.getByText('Olive Owner').waitFor();
    await entry.getByText('Read a conversation').waitFor();
    await entry.getByText(/from 127\.0\.0\.1/).waitFor();
    expect(await entries.getByText('Signed in').count()).toBe(0);
    await page.screenshot({ path: `${artifacts}/audit-desktop.png` });
    const csvHref = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    expect(csvHref).toContain('action=conversation.view');
    const csv = await page.request.get(`${base}${csvHref}`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes('conversation.view'))).toBe(true);
    expect((await page.request.get(`${base}${await page.getByRole('link', { name: 'JSON' }).getAttribute('href')}`)).status()).toBe(200);
    await entry.getByRole('link', { name: 'Open the conversation' }).click();
    await page.getByRole('heading', { name: /Andy Audit|Olive|.+/ }).first().waitFor();
    expect(page.url()).toMatch(/[?&]c=[0-9a-f-]{36}/);

    const small = await signedIn(phone);
    await small.goto(`${base}/settings/audit`);
    await small.getByRole('list', { name: 'Audit entries' }).waitFor();
    await small.screenshot({ path: `${artifacts}/audit-phone.png` });
  });
});

describe('two-way SMS set-up as seed 004 walks it', () => {
  it('from the lock to Finish Setup to Disable, the page following the plan without a reload', async () => {
    const clinic = await signupOrg(ctx.app, 'Seed Four Dental', { plan: 'pro' });
    const page = await (await browser.newContext({ viewport: desktop })).newPage();
    await page.goto(base);
    await page.getByLabel('Email').fill(clinic.me.user.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    const tab = page.getByRole('button', { name: /Two-way SMS inbox/ });
    await tab.getByText('🔒').waitFor();
    await tab.click();
    expect(await page.getByRole('switch', { name: 'Two-way SMS inbox' }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${artifacts}/sms-setup-locked.png` });
    await page.getByRole('link', { name: 'See the plans and upgrade' }).click();
    await page.waitForURL(/\/settings\/plan$/);
    await page.getByRole('button', { name: 'Switch to Accelerator' }).click();
    await page.getByText('Current plan').waitFor();
    // The lock goes at once, without a reload.
    await expect.poll(() => page.getByRole('button', { name: /Two-way SMS inbox/ }).getByText('🔒').count()).toBe(0);
    await page.getByRole('button', { name: /Two-way SMS inbox/ }).click();
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).check();

    const areaCode = page.getByLabel('Area code');
    await areaCode.fill('123');
    await page.getByRole('alert').getByText(/123 is not an area code/).waitFor();
    await areaCode.fill('212');
    const offered = page.getByRole('list', { name: 'Numbers you can choose' });
    await offered.getByRole('listitem').first().waitFor();
    const first = (await offered.getByRole('listitem').first().textContent())!;
    await offered.getByRole('button', { name: 'Select' }).first().click();
    await page.getByRole('button', { name: 'Continue' }).click();
    const review = page.getByRole('dialog', { name: 'Review your new number' });
    await review.getByText('$5 per month on your bill').waitFor();
    await review.getByText(/cannot be reinstated/).waitFor();
    expect(first).toContain((await review.getByRole('heading').textContent())!.replace('Your new number: ', ''));
    await page.screenshot({ path: `${artifacts}/sms-setup-review.png` });
    await review.getByRole('button', { name: 'Finish Setup' }).click();
    await page.getByText(/^On, with/).waitFor();
    const number = (await clinic.owner.get('/api/v1/sms-inbox')).body.phoneNumber as string;

    await page.getByRole('button', { name: 'Plan & billing' }).click();
    const charges = page.getByRole('region', { name: 'Charges on your bill' });
    await charges.getByText(`Two-way SMS inbox ${phoneText(number)}`).waitFor();
    await charges.getByText('$5.00 per month').waitFor();
    await page.screenshot({ path: `${artifacts}/sms-setup-billing.png` });
    await page.getByRole('link', { name: /Inbox/ }).click();
    await page.getByText('Clinic SMS number').getByText(phoneText(number)).waitFor();
    await page.screenshot({ path: `${artifacts}/inbox-clinic-number.png` });
    await page.getByRole('link', { name: 'Settings' }).click();

    await page.getByRole('button', { name: /Two-way SMS inbox/ }).click();
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm disabling' });
    await confirm.getByText(/You will not be able to reinstate it/).waitFor();
    await confirm.getByRole('button', { name: 'Disable and release the number' }).click();
    await page.getByText('Off. Switch it on to choose the clinic’s number.').waitFor();
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).check();
    await areaCode.fill('212');
    await offered.getByRole('listitem').first().waitFor();
    expect(await offered.textContent()).not.toContain(phoneText(number));
    await page.setViewportSize(phone);
    await page.screenshot({ path: `${artifacts}/sms-setup-after-disable-phone.png`, fullPage: true });
  });
});

/** "(212) 555-0201", as the list shows a home number. */
function phoneText(e164: string): string {
  return `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
}

describe('seed 002–004 list rows and filters', () => {
  it('a row’s three-dot menu marks unread and closes; right-click pins and mutes; Unread/Read tabs; select-all; replied filter', async () => {
    const clinic = await signupOrg(ctx.app, 'Rows Dental', { plan: 'pro' });
    const a = await inbound(clinic, 'Row one', '+14155550121', { name: 'Rhea Row' });
    const b = await inbound(clinic, 'Row two', '+14155550122', { name: 'Remy Row' });
    await clinic.owner.post(`/api/v1/conversations/${a.conversationId}/read`);
    await clinic.owner.post(`/api/v1/conversations/${b.conversationId}/messages`, { body: 'Answered' });
    const page = await signInStaff(browser, base, clinic.me.user.email, password, desktop);
    const list = page.getByRole('list', { name: 'Conversations' });
    const rhea = list.getByRole('listitem').filter({ hasText: 'Rhea Row' });

    await rhea.getByRole('button', { name: 'More actions for the conversation with Rhea Row' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for the conversation with Rhea Row' });
    await page.screenshot({ path: `${artifacts}/row-menu.png` });
    await menu.getByRole('menuitem', { name: 'Mark as unread' }).click();
    await eventually(async () => expect((await clinic.owner.get(`/api/v1/conversations/${a.conversationId}`)).body.unread).toBe(true));

    await rhea.click({ button: 'right' });
    const context = page.getByRole('menu', { name: 'Pin or mute the conversation with Rhea Row' });
    await context.getByRole('menuitem', { name: 'Pin' }).click();
    await rhea.getByText('PINNED').first().waitFor();
    await expect.poll(() => rhea.count()).toBe(1);
    await rhea.click({ button: 'right' });
    await context.getByRole('menuitem', { name: 'Mute' }).click();
    await rhea.getByText('MUTED', { exact: true }).waitFor();

    await page.getByRole('tab', { name: 'Unread', exact: true }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await list.getByText('Rhea Row').waitFor();
    await page.getByRole('tab', { name: 'Read', exact: true }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await list.getByText('Remy Row').waitFor();
    await page.getByRole('tab', { name: 'All' }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);

    await page.getByLabel('Patient messages').selectOption('replied');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await list.getByText('Remy Row').waitFor();
    await page.getByLabel('Patient messages').selectOption('');

    await page.getByLabel('Select all').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('toolbar', { name: 'Selected conversations' }).getByRole('button', { name: 'Close' }).click();
    await eventually(async () => expect((await clinic.owner.get(`/api/v1/conversations/${b.conversationId}`)).body.status).toBe('closed'));

    const phonePage = await signInStaff(browser, base, clinic.me.user.email, password, phone);
    await phonePage.getByRole('tab', { name: 'All' }).waitFor();
    await phonePage.screenshot({ path: `${artifacts}/list-tabs-phone.png` });
  });
});

describe('seed 003: "/" in the composer', () => {
  it('opens the shortcuts with the patient’s matching items, and the picked one goes as the card', async () => {
    // An SMS thread: the composer is a plain text box there (email's is rich text).
    const contact = await org.owner.post('/api/v1/contacts', { name: 'Sia Slash', phone: '+14155550131' });
    await org.owner.post('/api/v1/artifacts', { contactId: contact.body.id, kind: 'appointment', externalId: 'SIA-1', title: 'Cleaning', occurredAt: '2026-12-20T15:00:00Z' });
    await org.owner.post('/api/v1/artifacts', { contactId: contact.body.id, kind: 'appointment', externalId: 'SIA-2', title: 'Crown fitting', occurredAt: '2027-01-10T15:00:00Z' });
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'sms', clinicId: org.clinicId, body: 'Hello Sia' });
    const id = started.body.conversation.id;
    const page = await signedIn();
    await openThread(page, id, 'Sia Slash');
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('/');
    const menu = page.getByRole('menu', { name: 'Shortcuts' });
    for (const command of ['/appt', '/invoice', '/rx', '/plan', '/form', '/pay', '/review']) await menu.getByText(command, { exact: true }).waitFor();
    await menu.getByText('No invoice on file for this patient.').waitFor();
    await page.screenshot({ path: `${artifacts}/composer-slash-menu.png` });
    await box.pressSequentially('ap');
    expect(await menu.getByText('/invoice', { exact: true }).count()).toBe(0);
    await menu.getByRole('menuitem', { name: /Cleaning/ }).click();
    expect(await box.inputValue()).toBe('/appt ');
    await page.getByText(/Appointment: Cleaning/).waitFor();
    await box.pressSequentially('See you then');
    await box.press('Enter');
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages.at(-1).card).toMatchObject({ kind: 'appointment', title: 'Cleaning' }));
  });
});
