/** The API client: JSON in and out, the CSRF header on writes, problem details as errors. */
import { i18next } from './i18n';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The problem's other members (a refused doctor's conversationId, a limit's retry time). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (reason: string) => void = () => {};

export function setSession(token: string | null, signedOut?: (reason: string) => void): void {
  csrfToken = token;
  if (signedOut) onSignedOut = signedOut;
}

export async function api<T = any>(path: string, options: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  const method = options.method ?? (options.body !== undefined || options.form ? 'POST' : 'GET');
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: options.form ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/v1/auth/')) onSignedOut(i18next.t('staff:app.sessionEnded'));
    throw new ApiError(res.status, data?.code ?? 'error', data?.detail ?? `The request failed (${res.status}).`, data ?? {});
  }
  return data as T;
}

export const post = <T = any>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body });

/**
 * A multipart upload that reports how much of the file has gone (0…1): fetch cannot tell. The
 * server reads an import { i18next } from './i18n';
import as it arrives, so what has been sent is close to what has been imported.
 */
export function uploadWithProgress<T = any>(path: string, form: FormData, onProgress?: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: any = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the status says what happened.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      if (xhr.status === 401) onSignedOut(i18next.t('staff:app.sessionEnded'));
      reject(new ApiError(xhr.status, data?.code ?? 'error', data?.detail ?? `The request failed (${xhr.status}).`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', i18next.t('staff:errors.codes.network')));
    xhr.send(form);
  });
}
