import path from 'node:path';
import type { Limit } from './ratelimit/rules.js';
import { KeyError, parseKey } from './encryption/keys.js';

/** Every setting Frontdesk reads from the environment, parsed and checked once at start. */
export interface Config {
  port: number;
  host: string;
  /** `postgres://…` of an external server, or null for the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /** `postgres://…` of a read replica for inbox lists, searches and counts; null reads the primary. */
  readDatabaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  /** Sign-in sessions end after this long without a request. */
  sessionIdleMinutes: number;
  /** Country assumed for phone numbers typed without an international prefix. */
  defaultCountry: string;
  /** Secure cookies need HTTPS; on by default when PUBLIC_URL is https. */
  secureCookies: boolean;
  publicUrl: string;
  logLevel: string;
  /** The built-in simulator provider (S5): on unless SIMULATOR=off. */
  simulator: boolean;
  /** Trust X-Forwarded-For from a reverse proxy (for audit addresses). */
  trustProxy: boolean;
  /** What this process runs: the HTTP server, the delivery worker, or both (the default). */
  role: 'web' | 'worker' | 'all';
  sms: SmsConfig;
  whatsapp: WhatsAppConfig;
  email: EmailConfig;
  worker: { concurrency: number; staleSeconds: number };
  /** Where uploaded attachments are kept (a folder under DATA_DIR by default). */
  attachmentsDir: string;
  /** P1: how often the public message form may be used. */
  guestLimits: { perIp: Limit; perEmail: Limit; perThread: Limit };
  /** Failed staff sign-ins one address may make from untrusted browsers (LOGIN_LIMIT_PER_IP, "max/seconds"). */
  loginLimitPerIp: Limit;
  /** B3: the first wait before an outgoing webhook is tried again (it doubles each time). */
  webhookRetryBaseMs: number;
  /**
   * ENCRYPTION_KEY and ENCRYPTION_PREVIOUS_KEYS (comma-separated, still readable during a rotation).
   * Null only on the embedded database, whose key is kept in DATA_DIR/encryption.key.
   */
  encryption: { key: Buffer; previous: Buffer[] } | null;
  /** How long a signed attachment link in an export works (ATTACHMENT_LINK_HOURS). */
  attachmentLinkHours: number;
  /** METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** READY_QUEUE_STUCK_SECONDS: /readyz fails when a due job has waited longer than this. */
  queueStuckSeconds: number;
}

export type SmsConfig =
  | { provider: 'simulator' }
  | {
      provider: 'twilio';
      accountSid: string;
      authToken: string;
      apiBaseUrl: string;
      defaultFrom: string | null;
      /** TWILIO_ANSWERS_OPT_OUT: the account's own opt-out handling answers STOP/START/HELP, so Frontdesk sends no confirmation of its own. */
      answersOptOut: boolean;
    };

export type WhatsAppConfig =
  | { provider: 'simulator'; verifyToken: string | null }
  | { provider: 'meta'; token: string; appSecret: string; graphBaseUrl: string; graphVersion: string; verifyToken: string | null };

export type EmailConfig = {
  /** Domain of Message-IDs and of the reply addresses patients write back to. */
  domain: string;
  /** The From address of outbound mail (shown with the clinic's name). */
  from: string;
  inboundSmtpPort: number | null;
  /** Shared secret of POST /webhooks/email (sent as X-Webhook-Token); the route is off without it. */
  webhookToken: string | null;
} & ({ provider: 'simulator' } | { provider: 'smtp'; smtpUrl: string });

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function databaseUrl(env: Env, name = 'DATABASE_URL'): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(`${name} must start with postgres:// or postgresql://`);
  }
  return raw;
}

function required(env: Env, name: string, because: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required ${because}`);
  return value;
}

function smsConfig(env: Env): SmsConfig {
  const provider = env.SMS_PROVIDER ?? (env.TWILIO_ACCOUNT_SID ? 'twilio' : 'simulator');
  if (provider === 'simulator') return { provider };
  if (provider !== 'twilio') throw new ConfigError(`SMS_PROVIDER must be simulator or twilio, got "${provider}"`);
  const because = 'when SMS_PROVIDER=twilio';
  return {
    provider,
    accountSid: required(env, 'TWILIO_ACCOUNT_SID', because),
    authToken: required(env, 'TWILIO_AUTH_TOKEN', because),
    apiBaseUrl: (env.TWILIO_API_BASE_URL ?? 'https://api.twilio.com').replace(/\/$/, ''),
    defaultFrom: env.TWILIO_DEFAULT_FROM?.trim() || null,
    answersOptOut: env.TWILIO_ANSWERS_OPT_OUT === 'true',
  };
}

function whatsAppConfig(env: Env): WhatsAppConfig {
  const verifyToken = env.WHATSAPP_VERIFY_TOKEN?.trim() || null;
  if (!env.WHATSAPP_TOKEN) return { provider: 'simulator', verifyToken };
  return {
    provider: 'meta',
    token: env.WHATSAPP_TOKEN,
    appSecret: required(env, 'WHATSAPP_APP_SECRET', 'with WHATSAPP_TOKEN (webhooks are signed with it)'),
    graphBaseUrl: (env.WHATSAPP_GRAPH_BASE_URL ?? 'https://graph.facebook.com').replace(/\/$/, ''),
    graphVersion: env.WHATSAPP_GRAPH_VERSION ?? 'v21.0',
    verifyToken,
  };
}

function emailConfig(env: Env, publicUrl: string): EmailConfig {
  const domain = env.EMAIL_DOMAIN ?? new URL(publicUrl).hostname;
  const inboundSmtpPort = env.INBOUND_SMTP_PORT ? integer(env, 'INBOUND_SMTP_PORT', 0, 0, 65535) : null;
  const base = { domain, from: env.EMAIL_FROM ?? `inbox@${domain}`, inboundSmtpPort, webhookToken: env.EMAIL_WEBHOOK_TOKEN?.trim() || null };
  const smtpUrl = env.SMTP_URL?.trim();
  if (!smtpUrl) return { ...base, provider: 'simulator' };
  if (!/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('SMTP_URL must start with smtp:// or smtps://');
  return { ...base, provider: 'smtp', smtpUrl };
}

/** "10/3600": ten per hour. */
function limit(env: Env, name: string, fallback: Limit): Limit {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new ConfigError(`${name} must be "<count>/<seconds>", e.g. "10/3600", got "${raw}"`);
  return { max: Number(match[1]), windowSeconds: Number(match[2]) };
}

function role(argv: readonly string[]): Config['role'] {
  const i = argv.indexOf('--role');
  const value = i >= 0 ? argv[i + 1] : 'all';
  if (value !== 'web' && value !== 'worker' && value !== 'all') throw new ConfigError('--role must be web, worker or all');
  return value;
}

function encryption(env: Env, external: boolean): Config['encryption'] {
  const raw = env.ENCRYPTION_KEY?.trim();
  try {
    if (!raw) {
      if (external) throw new ConfigError('ENCRYPTION_KEY is required with DATABASE_URL: every process of an install must share it (make one with: openssl rand -base64 32)');
      if (env.ENCRYPTION_PREVIOUS_KEYS?.trim()) throw new ConfigError('ENCRYPTION_PREVIOUS_KEYS needs ENCRYPTION_KEY, the key that replaces them');
      return null;
    }
    const previous = (env.ENCRYPTION_PREVIOUS_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    return { key: parseKey(raw, 'ENCRYPTION_KEY'), previous: previous.map((k) => parseKey(k, 'each of ENCRYPTION_PREVIOUS_KEYS')) };
  } catch (e) {
    throw e instanceof KeyError ? new ConfigError(e.message) : e;
  }
}

export function loadConfig(env: Env = process.env, argv: readonly string[] = []): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const country = (env.DEFAULT_COUNTRY ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new ConfigError('DEFAULT_COUNTRY must be a two-letter ISO country code');
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: databaseUrl(env),
    readDatabaseUrl: databaseUrl(env, 'DATABASE_READ_URL'),
    dataDir,
    embeddedPgPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 15, 1, 24 * 60),
    defaultCountry: country,
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === 'true' : publicUrl.startsWith('https://'),
    publicUrl,
    logLevel: env.LOG_LEVEL ?? 'info',
    simulator: env.SIMULATOR !== 'off',
    trustProxy: env.TRUST_PROXY === 'true',
    role: role(argv),
    sms: smsConfig(env),
    whatsapp: whatsAppConfig(env),
    email: emailConfig(env, publicUrl),
    worker: {
      concurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 100),
      staleSeconds: integer(env, 'WORKER_STALE_SECONDS', 60, 2, 3600),
    },
    attachmentsDir: path.resolve(env.ATTACHMENTS_DIR ?? path.join(dataDir, 'attachments')),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 50, 3_600_000),
    encryption: encryption(env, databaseUrl(env) !== null),
    attachmentLinkHours: integer(env, 'ATTACHMENT_LINK_HOURS', 24, 1, 24 * 30),
    metricsToken: env.METRICS_TOKEN || null,
    queueStuckSeconds: integer(env, 'READY_QUEUE_STUCK_SECONDS', 300, 5, 86_400),
    loginLimitPerIp: limit(env, 'LOGIN_LIMIT_PER_IP', { max: 30, windowSeconds: 900 }),
    guestLimits: {
      perIp: limit(env, 'GUEST_LIMIT_PER_IP', { max: 10, windowSeconds: 3600 }),
      perEmail: limit(env, 'GUEST_LIMIT_PER_EMAIL', { max: 5, windowSeconds: 3600 }),
      perThread: limit(env, 'GUEST_LIMIT_PER_THREAD', { max: 30, windowSeconds: 3600 }),
    },
  };
}
