import path from 'node:path';

/** Every setting Frontdesk reads from the environment, parsed and checked once at start. */
export interface Config {
  port: number;
  host: string;
  /** `postgres://…` of an external server, or null for the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
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
}

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

function databaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const country = (env.DEFAULT_COUNTRY ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new ConfigError('DEFAULT_COUNTRY must be a two-letter ISO country code');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    embeddedPgPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 15, 1, 24 * 60),
    defaultCountry: country,
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === 'true' : publicUrl.startsWith('https://'),
    publicUrl,
    logLevel: env.LOG_LEVEL ?? 'info',
    simulator: env.SIMULATOR !== 'off',
    trustProxy: env.TRUST_PROXY === 'true',
  };
}
