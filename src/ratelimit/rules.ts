/** A fixed-window limit: at most `max` hits per `windowSeconds`. */
export interface Limit {
  max: number;
  windowSeconds: number;
}

export function windowOf(limit: Limit, now: Date): { start: Date; end: Date } {
  const ms = limit.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start), end: new Date(start + ms) };
}

/** Whole seconds until the window ends, at least 1: the Retry-After a refused client is told. */
export const retryAfterSeconds = (windowEnd: Date, now: Date) => Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000));
