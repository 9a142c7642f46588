import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, Ok, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App, clientOrigin } from '../http/types.js';
import { me, signup } from '../orgs/service.js';
import { Me } from '../orgs/routes.js';
import { sessionLifetimeMs, passwordMaxLength } from './rules.js';
import { actorFromSession, createApiToken, listApiTokens, login, logout, revokeApiToken, sessionCookie } from './service.js';

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
        body: Type.Object({ email: Email, password: Password }),
        response: responses({ 200: Me }),
      },
    },
    async (request, reply) => {
      const { session, actor } = await login(deps, request.body, clientOrigin(request));
      setSessionCookie(deps, reply, session.token);
      return me(deps, actor);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out this session', response: responses({ 200: Ok }) } },
    async (request, reply) => {
      await logout(deps, actorOf(request));
      reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user: role, privileges, organization, clinics, plan, CSRF token', response: responses({ 200: Me }) } },
    async (request) => me(deps, actorOf(request)),
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
