/** One error handler: AppError and validation errors become RFC 9457 problem details; the rest a bare 500. */
import { pickLanguage } from '../i18n/index.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IntegrityError } from '../encryption/cipher.js';
import { integrityFailurePage, privateHeaders } from './html.js';
import { AppError, type ErrorCode } from '../errors.js';

const titles: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  402: 'Plan upgrade required',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Refused by a channel rule',
  429: 'Too many requests',
  502: 'The provider refused',
  500: 'Internal server error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extra: string]: unknown;
}

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `https://frontdesk.dev/problems/${code.replace(/_/g, '-')}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface ValidationIssue {
  keyword?: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** "body.email" from Ajv's "/email" + the part of the request it came from. */
function fieldOf(issue: ValidationIssue, context: string | undefined): string {
  const missing = issue.params?.missingProperty as string | undefined;
  const extra = issue.params?.additionalProperty as string | undefined;
  const pathParts = issue.instancePath.split('/').filter(Boolean);
  if (missing) pathParts.push(missing);
  if (extra) pathParts.push(extra);
  return [context ?? 'body', ...pathParts].join('.');
}

function validationProblem(error: FastifyError): Problem {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const errors = issues.map((issue) => {
    const extra = issue.params?.additionalProperty;
    return {
      field: fieldOf(issue, error.validationContext),
      message: extra ? 'is not a known field' : issue.keyword === 'minProperties' ? 'names nothing to change: send at least one field' : (issue.message ?? 'is invalid'),
    };
  });
  const first = errors[0];
  return problem(400, 'invalid_input', first ? `${first.field} ${first.message}` : error.message, { errors });
}

const statusCodes: Record<string, ErrorCode> = { '413': 'payload_too_large' };

const causeOf = (error: Error) => ((error as { cause?: unknown }).cause ?? error) as Error & { code?: string };

/** A query error message up to its parameters: "Failed query: insert … \nparams: <values>" keeps the SQL only. */
const withoutParams = (message: string) => message.split('\nparams:')[0];

/** PostgreSQL down, restarting or refusing connections (class 08 and 57P0x, or the socket closed): answered 503, not 500. */
export function databaseUnavailable(error: Error): boolean {
  const cause = causeOf(error);
  const code = cause.code ?? (error as { code?: string }).code ?? '';
  return (
    /^(08|57P0)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(cause.message ?? '')
  );
}

export function registerErrorHandling(
  app: FastifyInstance,
  pageFallback: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false,
  onIntegrityFailure: (request: FastifyRequest, error: IntegrityError) => Promise<void> = async () => {},
): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof IntegrityError) {
      // A stored value was altered, moved or written in clear around the product: refused, logged and audited.
      request.log.error({ err: { type: error.name, message: error.message } }, 'stored value failed its integrity check');
      await onIntegrityFailure(request, error).catch((e: Error) => request.log.error({ err: { type: e.name } }, 'auditing an integrity failure failed'));
      if (request.routeOptions.config?.page) return privateHeaders(reply).code(500).type('text/html; charset=utf-8').send(integrityFailurePage(pickLanguage(request.headers['accept-language'])));
      return sendProblem(reply, problem(500, 'integrity_failure', 'a stored value failed its integrity check; it has been logged and audited'));
    }
    if (error instanceof AppError) {
      if (error.status === 429 && typeof error.extra.retryAfterSeconds === 'number') {
        reply.header('Retry-After', String(error.extra.retryAfterSeconds));
      }
      return sendProblem(reply, problem(error.status, error.code, error.detail, error.extra));
    }
    if (error.validation) return sendProblem(reply, validationProblem(error));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, wrong content type, body too large…
      const code = statusCodes[String(status)] ?? (status === 415 ? 'unsupported_media_type' : 'invalid_input');
      return sendProblem(reply, problem(status, code, error.message.replace(/^FST_\w+: /, '')));
    }
    if (databaseUnavailable(error)) {
      request.log.warn({ err: { type: error.name, code: causeOf(error).code } }, 'database unavailable');
      reply.header('Retry-After', '5');
      return sendProblem(reply, problem(503, 'database_unavailable', 'the database cannot be reached just now; nothing was changed, try again in a few seconds'));
    }
    // Log the error's kind and stack, never the request body or a query's parameters: they may
    // hold health information (drizzle puts the parameters in its error message).
    request.log.error({ err: { type: error.name, message: withoutParams(error.message), cause: withoutParams(causeOf(error).message ?? ''), stack: error.stack?.split('\n').slice(1).join('\n') } }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal', 'something went wrong on our side; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) => {
    if (pageFallback(request, reply)) return reply;
    return sendProblem(reply, problem(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

