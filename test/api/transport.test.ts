/** Transmission and browser safeguards (issue 8): security headers on every kind of answer, cookie flags. */
import { beforeAll, describe, expect, it } from 'vitest';
import { setupApp, signupOrg, type TestContext } from '../helpers.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await setupApp({ PUBLIC_URL: 'https://clinic.example.com' });
});

function csp(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    String(headers['content-security-policy'])
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

describe('security headers', () => {
  it.each([
    ['the web app', '/'],
    ['an API answer', '/api/v1/me'],
    ['a problem document', '/api/v1/no-such-route'],
    ['the health check', '/health'],
  ])('%s carries HSTS, a strict CSP and no framing', async (_, url) => {
    const res = await ctx.app.inject({ method: 'GET', url });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
    const policy = csp(res.headers);
    expect(policy['script-src']).toBe("'self'");
    expect(policy['frame-ancestors']).toBe("'none'");
    expect(policy['object-src']).toBe("'none'");
    expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('a clinic public page keeps its own strict policy', async () => {
    const org = await signupOrg(ctx.app, 'Header Clinic');
    const res = await ctx.app.inject({ method: 'GET', url: `/c/${org.me.clinics[0].slug}` });
    expect(res.statusCode).toBe(200);
    expect(csp(res.headers)['script-src']).toBe("'self'");
    expect(csp(res.headers)['frame-ancestors']).toBe("'none'");
  });
});

describe('cookies', () => {
  it('the staff session cookie is Secure, HttpOnly and SameSite behind HTTPS', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { organizationName: 'Cookie Clinic', clinicName: 'Cookie Main', name: 'Cora Owner', email: 'cora@example.com', password: 'a long passphrase here' },
    });
    expect(res.statusCode).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^fd_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=(Lax|Strict)/);
  });
});
