/** Staff authentication hardening (issue 8): breached passwords, lockout, throttling, TOTP, sign-out everywhere. */
import { Secret, TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, expectProblem, password, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp({ LOGIN_LIMIT_PER_IP: '12/900' });
  org = await signupOrg(ctx.app, 'Secure Clinic');
});

const login = (body: Record<string, unknown>, ip = '203.0.113.9') =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress: ip });

async function addStaff(email: string): Promise<string> {
  const res = await org.owner.post('/api/v1/users', { name: 'Sam Staff', email, password, role: 'receptionist', privileges: ['inbox', 'send_messages'], clinicIds: [org.clinicId] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function auditActions(userId: string) {
  const res = await org.owner.get(`/api/v1/audit?subjectId=${userId}&limit=50`);
  return (res.body.items as { action: string; outcome: string }[]).map((e) => `${e.action}:${e.outcome}`).reverse();
}

function codeAt(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at.getTime() });
}

const now = () => new Date(ctx.clock.now());

describe('passwords', () => {
  it.each(['password123', 'Password2024!', 'qwertyuiop'])('refuses %s, which is on the breached list', async (pw) => {
    const res = await org.owner.post('/api/v1/users', { name: 'Weak Pass', email: `weak-${pw.length}@example.com`, password: pw, role: 'nurse', clinicIds: [org.clinicId] });
    expectProblem(res, 400, 'invalid_input');
    expect(res.body.detail).toMatch(/breach/);
  });

  it('accepts a long passphrase that is not on it', async () => {
    await addStaff('passphrase@example.com');
  });
});

describe('lockout', () => {
  it('locks an account after five wrong passwords, even against the right one, and audits it', async () => {
    const id = await addStaff('locked@example.com');
    for (let i = 0; i < 5; i++) expectProblem(await reply(login({ email: 'locked@example.com', password: 'wrong-password-here' }, '198.51.100.1')), 401, 'invalid_credentials');
    const refused = await login({ email: 'locked@example.com', password }, '198.51.100.2');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('account_locked');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
    const actions = await auditActions(id);
    expect(actions.filter((a) => a === 'auth.login_failed:failure')).toHaveLength(5);
    expect(actions).toContain('auth.locked:denied');
    expect(actions).toContain('auth.login_locked:denied');

    ctx.clock.advance(16 * 60_000);
    org.owner = await signIn(ctx.app, org.me.user.email);
    // After the lockout the count starts again: one more slip is a plain 401, not a new lockout.
    expectProblem(await reply(login({ email: 'locked@example.com', password: 'one-more-slip' }, '198.51.100.3')), 401, 'invalid_credentials');
    expect((await login({ email: 'locked@example.com', password }, '198.51.100.3')).statusCode).toBe(200);
  });

  it('an admin can unlock sooner; a staff member cannot', async () => {
    const id = await addStaff('unlock-me@example.com');
    for (let i = 0; i < 5; i++) await login({ email: 'unlock-me@example.com', password: 'not-the-password' }, '198.51.100.4');
    expect((await login({ email: 'unlock-me@example.com', password }, '198.51.100.5')).statusCode).toBe(429);
    const staff = await signIn(ctx.app, 'passphrase@example.com');
    expectProblem(await staff.post(`/api/v1/users/${id}/unlock`), 403, 'admin_only');
    expect((await org.owner.post(`/api/v1/users/${id}/unlock`)).status).toBe(200);
    expect((await login({ email: 'unlock-me@example.com', password }, '198.51.100.6')).statusCode).toBe(200);
  });

  it('throttles one address trying many accounts', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 14; i++) answers.push((await login({ email: `nobody-${i}@example.com`, password: 'guessing-passwords' }, '192.0.2.77')).statusCode);
    expect(answers.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(answers.slice(12)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await login({ email: 'passphrase@example.com', password }, '192.0.2.78')).statusCode).toBe(200);
  });
});

describe('one clinic behind one address', () => {
  const clinicAddress = '203.0.113.50';
  const signInFrom = (email: string, pass: string, device?: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: pass }, remoteAddress: clinicAddress, ...(device ? { cookies: { fd_device: device } } : {}) });
  const deviceOf = (res: Awaited<ReturnType<typeof signInFrom>>) => res.cookies.find((c) => c.name === 'fd_device')?.value;
  /** To the start of the next window of the per-address count, so one run stays inside one window; the owner signs in again. */
  const toNextWindow = async () => {
    const windowMs = 900_000;
    ctx.clock.advance(windowMs - (ctx.clock.now().getTime() % windowMs) + 1000);
    org.owner = await signIn(ctx.app, org.me.user.email);
  };

  it('counts only failures: 60 staff sign in from one address while a guessing run from it is refused', async () => {
    const staff = Array.from({ length: 60 }, (_, i) => `front-${i}@example.com`);
    for (const email of staff) await addStaff(email);
    await toNextWindow();
    // The morning: everyone signs in from the clinic's one public address, five times the limit of 12.
    const devices = new Map<string, string>();
    for (const email of staff) {
      const res = await signInFrom(email, password);
      expect(res.statusCode, res.body).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'fd_device');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/login' });
      devices.set(email, cookie!.value);
    }

    await toNextWindow();
    // Someone on the same address guesses: 12 failures, then refused, whichever account they try.
    const guesses: number[] = [];
    for (let i = 0; i < 12; i++) guesses.push((await signInFrom(`nobody-${i}@example.com`, 'guessing-passwords')).statusCode);
    expect(guesses).toEqual(Array(12).fill(401));
    // Within five minutes every colleague signs in again from their browser; each try of the guesser
    // in between is refused, on an unknown account or a colleague's, with a right password or not.
    for (const [i, email] of staff.entries()) {
      ctx.clock.advance(5000);
      const res = await signInFrom(email, password, devices.get(email));
      expect(res.statusCode, res.body).toBe(200);
      const guess = await signInFrom(i % 2 ? `nobody-x${i}@example.com` : email, i % 3 ? 'guessing-passwords' : password);
      expect(guess.statusCode).toBe(429);
      expect(guess.json().code).toBe('rate_limited');
    }
    org.owner = await signIn(ctx.app, org.me.user.email);
  }, 180_000); // 60 accounts, 120 sign-ins: argon2 hashing and checking is the time, on a busy machine too

  it('trusts a browser only for the accounts that signed in on it, and not a forged cookie', async () => {
    await addStaff('shared-pc-a@example.com');
    await addStaff('shared-pc-b@example.com');
    await toNextWindow();
    const a = deviceOf(await signInFrom('shared-pc-a@example.com', password));
    const both = deviceOf(await signInFrom('shared-pc-b@example.com', password, a));
    for (let i = 0; i < 12; i++) await signInFrom(`nobody-y${i}@example.com`, 'guessing-passwords', both);
    // The shared reception computer still signs in both of them…
    expect((await signInFrom('shared-pc-a@example.com', password, both)).statusCode).toBe(200);
    expect((await signInFrom('shared-pc-b@example.com', password, both)).statusCode).toBe(200);
    // …but its cookie opens no other account, and an altered one nothing.
    expect((await signInFrom('passphrase@example.com', password, both)).statusCode).toBe(429);
    const [b] = both!.split('~');
    const forged = b.slice(0, -10) + (b.at(-10) === 'A' ? 'B' : 'A') + b.slice(-9);
    expect((await signInFrom('shared-pc-b@example.com', password, forged)).statusCode).toBe(429);
  });

  it('keeps the account lockout for a trusted browser', async () => {
    await addStaff('trusted-but-wrong@example.com');
    await toNextWindow();
    const device = deviceOf(await signInFrom('trusted-but-wrong@example.com', password));
    for (let i = 0; i < 5; i++) expect((await signInFrom('trusted-but-wrong@example.com', 'not-my-password', device)).statusCode).toBe(401);
    const locked = await signInFrom('trusted-but-wrong@example.com', password, device);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('account_locked');
  });
});

/** A light wrapper so a raw inject answer can go through expectProblem. */
async function reply(res: ReturnType<typeof login>) {
  const r = await res;
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}

describe('two-factor sign-in (TOTP)', () => {
  let secret: string;
  let recovery: string[];

  it('enrols, confirms with a code, and hands out ten recovery codes once', async () => {
    await addStaff('totp@example.com');
    const user = await signIn(ctx.app, 'totp@example.com');
    const enrol = await user.post('/api/v1/auth/two-factor/enrol');
    expect(enrol.status).toBe(200);
    expect(enrol.body.uri).toMatch(/^otpauth:\/\/totp\/Frontdesk:totp%40example\.com\?/);
    secret = enrol.body.secret;
    expectProblem(await user.post('/api/v1/auth/two-factor/confirm', { code: '000000' }), 401, 'invalid_code');
    const confirm = await user.post('/api/v1/auth/two-factor/confirm', { code: codeAt(secret, now()) });
    expect(confirm.status).toBe(200);
    recovery = confirm.body.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect((await user.get('/api/v1/me')).body.security.twoFactorEnabled).toBe(true);
  });

  it('then asks for a code at sign-in and refuses a wrong one', async () => {
    expectProblem(await reply(login({ email: 'totp@example.com', password }, '198.51.100.20')), 401, 'two_factor_required');
    expectProblem(await reply(login({ email: 'totp@example.com', password, code: '123456' }, '198.51.100.20')), 401, 'invalid_code');
    // The code that confirmed enrolment is spent; the next one signs in.
    expectProblem(await reply(login({ email: 'totp@example.com', password, code: codeAt(secret, now()) }, '198.51.100.20')), 401, 'invalid_code');
    ctx.clock.advance(30_000);
    expect((await login({ email: 'totp@example.com', password, code: codeAt(secret, now()) }, '198.51.100.20')).statusCode).toBe(200);
  });

  it('a code signs in once, even when replayed at the same moment', async () => {
    ctx.clock.advance(30_000);
    const code = codeAt(secret, now());
    const answers = await Promise.all([1, 2, 3].map(() => login({ email: 'totp@example.com', password, code }, '198.51.100.23')));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401]);
    const replay = await reply(login({ email: 'totp@example.com', password, code }, '198.51.100.23'));
    expectProblem(replay, 401, 'invalid_code');
    expect(replay.body.detail).toMatch(/used already/);
    // Nor does the previous step's code, though it is still inside the drift window.
    expectProblem(await reply(login({ email: 'totp@example.com', password, code: codeAt(secret, new Date(now().getTime() - 30_000)) }, '198.51.100.23')), 401, 'invalid_code');
  });

  it('a recovery code works once', async () => {
    expect((await login({ email: 'totp@example.com', password, code: recovery[0].toUpperCase() }, '198.51.100.21')).statusCode).toBe(200);
    expectProblem(await reply(login({ email: 'totp@example.com', password, code: recovery[0] }, '198.51.100.21')), 401, 'invalid_code');
  });

  it('turning it off asks for the password again', async () => {
    ctx.clock.advance(30_000);
    const res = await login({ email: 'totp@example.com', password, code: codeAt(secret, now()) }, '198.51.100.22');
    const user = new Client(ctx.app, { cookie: String(res.headers['set-cookie']).split(';')[0], csrf: res.json().csrfToken });
    expectProblem(await user.post('/api/v1/auth/two-factor/disable', { password: 'not-my-password' }), 401, 'invalid_credentials');
    expect((await user.post('/api/v1/auth/two-factor/disable', { password })).status).toBe(200);
    expect((await login({ email: 'totp@example.com', password }, '198.51.100.22')).statusCode).toBe(200);
  });

  it('an organization that requires it lets staff without it do nothing but enrol', async () => {
    await addStaff('must-enrol@example.com');
    const staff = await signIn(ctx.app, 'must-enrol@example.com');
    const plain = await signIn(ctx.app, 'passphrase@example.com');
    expectProblem(await plain.request('PUT', '/api/v1/organization/two-factor', { required: true }), 403, 'admin_only');
    expectProblem(await org.owner.request('PUT', '/api/v1/organization/two-factor', { required: true }), 409, 'conflict');
    const ownerSecret = (await org.owner.post('/api/v1/auth/two-factor/enrol')).body.secret;
    expect((await org.owner.post('/api/v1/auth/two-factor/confirm', { code: codeAt(ownerSecret, now()) })).status).toBe(200);
    expect((await org.owner.request('PUT', '/api/v1/organization/two-factor', { required: true })).body).toEqual({ required: true });
    expectProblem(await staff.get('/api/v1/conversations'), 403, 'two_factor_enrolment_required');
    expect((await staff.get('/api/v1/me')).body.security.mustEnrolTwoFactor).toBe(true);
    const enrol = await staff.post('/api/v1/auth/two-factor/enrol');
    expect((await staff.post('/api/v1/auth/two-factor/confirm', { code: codeAt(enrol.body.secret, now()) })).status).toBe(200);
    const after = await staff.get('/api/v1/conversations');
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    // Integrations keep working: the requirement is about people signing in.
    await org.owner.request('PUT', '/api/v1/organization/two-factor', { required: false });
  });
});

describe('sessions', () => {
  it('signing out everywhere ends every session of the user and only theirs', async () => {
    await addStaff('everywhere@example.com');
    const laptop = await signIn(ctx.app, 'everywhere@example.com');
    const phone = await signIn(ctx.app, 'everywhere@example.com');
    const other = await signIn(ctx.app, 'passphrase@example.com');
    expect((await phone.post('/api/v1/auth/logout-everywhere')).body).toEqual({ ended: 2 });
    expectProblem(await laptop.get('/api/v1/me'), 401, 'not_signed_in');
    expectProblem(await phone.get('/api/v1/me'), 401, 'not_signed_in');
    expect((await other.get('/api/v1/me')).status).toBe(200);
  });
});
