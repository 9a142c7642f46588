/** One error handler: AppError and validation errors become RFC 9457 problem details; the rest a bare 500. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';

const titles: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  402: 'Plan upgrade required',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
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
      message: extra ? 'is not a known field' : (issue.message ?? 'is invalid'),
    };
  });
  const first = errors[0];
  return problem(400, 'invalid_input', first ? `${first.field} ${first.message}` : error.message, { errors });
}

const statusCodes: Record<string, ErrorCode> = { '413': 'payload_too_large' };

export function registerErrorHandling(app: FastifyInstance, pageFallback: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
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
    // Log the error's kind and stack, never the request body: it may hold health information.
    request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal', 'something went wrong on our side; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) => {
    if (pageFallback(request, reply)) return reply;
    return sendProblem(reply, problem(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

