import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, Ok, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App, clientOrigin } from '../http/types.js';
import { me, setMyLanguage, signup } from '../orgs/service.js';
import { LanguageSchema, Me } from '../orgs/routes.js';
import { sessionLifetimeMs, passwordMaxLength } from './rules.js';
import { actorFromSession, createApiToken, listApiTokens, login, logout, logoutEverywhere, revokeApiToken, sessionCookie, unlockUser } from './service.js';
import { deviceCookie, deviceCookieDays } from './devices.js';
import { confirmTwoFactor, disableTwoFactor, enrolTwoFactor } from './two-factor.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: passwordMaxLength });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  userId: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});


function setSessionCookie(deps: Deps, reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookie, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.secureCookies,
    path: '/',
    maxAge: sessionLifetimeMs / 1000,
  });
}

/** Open to staff who must still set up two-factor sign-in (their organization requires it). */
const enrolment = { duringTwoFactorEnrolment: true as const };

export function authRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/signup',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Create an organization, its first clinic and its main admin, signed in',
        body: Type.Object({
          organizationName: Name,
          clinicName: Name,
          name: Name,
          email: Email,
          password: Password,
        }),
        response: responses({ 201: Me }, 409),
      },
    },
    async (request, reply) => {
      const { session } = await signup(deps, request.body, clientOrigin(request));
      setSessionCookie(deps, reply, session.token);
      const actor = await actorFromSession(deps, session.token, clientOrigin(request));
      return reply.code(201).send(await me(deps, actor!));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets an HttpOnly session cookie and answers with the CSRF token',
        description:
          'With two-factor sign-in on, the first attempt without `code` answers 401 `two_factor_required`. Five wrong passwords or codes in a row lock the account for 15 minutes (429 `account_locked`, Retry-After). One address may fail 30 times in 15 minutes (`LOGIN_LIMIT_PER_IP`; correct sign-ins do not count); a browser where the account signed in before (an HttpOnly `fd_device` cookie) is not held to that count.',
        body: Type.Object({
          email: Email,
          password: Password,
          code: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'the authenticator app\'s 6-digit code, or a recovery code' })),
        }),
        response: responses({ 200: Me }, 429),
      },
    },
    async (request, reply) => {
      const { session, actor, deviceCookie: device } = await login(deps, request.body, clientOrigin(request), request.cookies[deviceCookie]);
      setSessionCookie(deps, reply, session.token);
      reply.setCookie(deviceCookie, device, { httpOnly: true, sameSite: 'strict', secure: deps.config.secureCookies, path: '/api/v1/auth/login', maxAge: deviceCookieDays * 86_400 });
      return me(deps, actor);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: enrolment }, schema: { tags: ['auth'], summary: 'Sign out this session', response: responses({ 200: Ok }) } },
    async (request, reply) => {
      await logout(deps, actorOf(request));
      reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/auth/logout-everywhere',
    { config: { access: enrolment }, schema: { tags: ['auth'], summary: 'Sign out every session of this user, on every device (this one too)', response: responses({ 200: Type.Object({ ended: Type.Integer() }) }) } },
    async (request, reply) => {
      const ended = await logoutEverywhere(deps, actorOf(request));
      reply.clearCookie(sessionCookie, { path: '/' });
      return { ended };
    },
  );

  app.post(
    '/api/v1/auth/two-factor/enrol',
    {
      config: { access: enrolment },
      schema: {
        tags: ['auth'],
        summary: 'Start two-factor sign-in: a new TOTP secret and its otpauth:// URI for an authenticator app (off until confirmed)',
        response: responses({ 200: Type.Object({ secret: Type.String(), uri: Type.String() }) }, 409),
      },
    },
    async (request) => enrolTwoFactor(deps, actorOf(request)),
  );

  app.post(
    '/api/v1/auth/two-factor/confirm',
    {
      config: { access: enrolment },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in on with a first code; answers ten one-time recovery codes, shown this once',
        body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 8, pattern: '^[0-9 ]+$' }) }),
        response: responses({ 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) }, 409),
      },
    },
    async (request) => confirmTwoFactor(deps, actorOf(request), request.body.code),
  );

  app.post(
    '/api/v1/auth/two-factor/disable',
    {
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in off (asks for the password again)',
        body: Type.Object({ password: Password }),
        response: responses({ 200: Ok }),
      },
    },
    async (request) => {
      await disableTwoFactor(deps, actorOf(request), request.body.password);
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/users/:id/unlock',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['auth'], summary: 'Lift a sign-in lockout before its 15 minutes are over (admin)', params: IdParams, response: responses({ 200: Ok }) },
    },
    async (request) => {
      await unlockUser(deps, actorOf(request), request.params.id);
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/me',
    { config: { access: enrolment }, schema: { tags: ['auth'], summary: 'The signed-in user: role, privileges, organization, clinics, plan, CSRF token', response: responses({ 200: Me }) } },
    async (request) => me(deps, actorOf(request)),
  );

  app.patch(
    '/api/v1/me',
    {
      config: { access: enrolment },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user’s own settings: the language of the app and of their emails (null follows the browser)',
        body: Type.Object({ language: Nullable(LanguageSchema) }, { additionalProperties: false }),
        response: responses({ 200: Me }),
      },
    },
    async (request) => {
      await setMyLanguage(deps, actorOf(request), request.body.language);
      return me(deps, actorOf(request));
    },
  );

  app.post(
    '/api/v1/api-tokens',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['auth'],
        summary: 'Create a bearer token for an integration; the token is shown only in this answer',
        body: Type.Object({ name: Name }),
        response: responses({ 201: Type.Object({ id: Type.String(), name: Type.String(), token: Type.String(), createdAt: Timestamp }) }),
      },
    },
    async (request, reply) => reply.code(201).send(await createApiToken(deps, actorOf(request), request.body)),
  );

  app.get(
    '/api/v1/api-tokens',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['auth'], summary: "The organization's API tokens (never their secrets)", response: responses({ 200: Type.Object({ items: Type.Array(ApiToken) }) }) },
    },
    async (request) => ({ items: await listApiTokens(deps, actorOf(request)) }),
  );

  app.post(
    '/api/v1/api-tokens/:id/revoke',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['auth'], summary: 'Revoke an API token', params: IdParams, response: responses({ 200: Ok }, 404) },
    },
    async (request) => {
      await revokeApiToken(deps, actorOf(request), request.params.id);
      return { ok: true };
    },
  );
}
