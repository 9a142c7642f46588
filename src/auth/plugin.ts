/**
 * Authentication and authorization for every route, before its input is validated: an anonymous
 * caller gets 401 (not a 400 about their input), a cookie write without the CSRF header 403, a
 * missing privilege or role 403 naming what is missing.
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { requireFeature } from '../billing/service.js';
import { clientOrigin, type App } from '../http/types.js';
import { isAdmin } from '../orgs/rules.js';
import type { Access, Actor } from './actor.js';
import { actorFromApiToken, actorFromSession, csrfMatches, sessionCookie } from './service.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticate(deps: Deps, request: FastifyRequest): Promise<Actor | null> {
  const origin = clientOrigin(request);
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new AppError('not_signed_in', 'the Authorization header must be "Bearer <token>"');
    const actor = await actorFromApiToken(deps, match[1], origin);
    if (!actor) throw new AppError('not_signed_in', 'that API token is unknown or revoked');
    return actor;
  }
  const token = request.cookies[sessionCookie];
  return token ? actorFromSession(deps, token, origin) : null;
}

export function authorize(actor: Actor, access: Access | undefined): void {
  if (access?.role === 'main_admin' && actor.role !== 'main_admin') {
    throw new AppError('main_admin_only', 'only the main admin of the organization may do this');
  }
  if (access?.role === 'admin' && !isAdmin(actor.role)) {
    throw new AppError('admin_only', 'only an admin may do this');
  }
  const wanted = access?.privileges;
  if (wanted?.length && !wanted.some((p) => actor.privileges.includes(p))) {
    throw new AppError('missing_privilege', `this needs the ${wanted.map((p) => `"${p}"`).join(' or ')} privilege; an admin can grant it`, {
      privilege: wanted[0],
    });
  }
}

/** The staff API and the FHIR API need a signed-in actor; pages, docs and webhooks carry their own checks. */
const isProtectedPath = (url: string | undefined) => !!url && (url.startsWith('/api/') || url.startsWith('/fhir/'));

export function registerAuth(app: App, deps: Deps): void {
  app.decorateRequest('actor', null);
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (access?.public || access?.portal || !isProtectedPath(request.routeOptions.url)) return;
    request.actor = await authenticate(deps, request);
    if (!request.actor) throw new AppError('not_signed_in', 'sign in first, or send an API token');
    if (!safeMethods.has(request.method) && !csrfMatches(request.actor, request.headers['x-csrf-token'] as string | undefined)) {
      throw new AppError('csrf', 'this write needs the X-CSRF-Token header from sign-in or GET /api/v1/me');
    }
    if (request.actor.mustEnrolTwoFactor && !access?.duringTwoFactorEnrolment) {
      throw new AppError('two_factor_enrolment_required', 'your organization requires two-factor sign-in: enrol an authenticator app first (POST /api/v1/auth/two-factor/enrol)');
    }
    authorize(request.actor, access);
    if (access?.feature) await requireFeature(deps.db, request.actor.orgId, access.feature.name, access.feature.what);
  });
  // Before the answer leaves, so the writer's very next request already reads where their write is.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.actor && !safeMethods.has(request.method) && reply.statusCode < 400) await deps.reads.wrote(request.actor);
    return payload;
  });
}
