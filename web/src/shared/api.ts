/**
 * The API client, one for the staff app and the patient portal: JSON in and out (or a FormData the
 * browser sends as multipart), the CSRF header on writes, problem details as errors, and a 401 on
 * a signed-in route reported once to whoever owns the session. Each app has its own instance (its
 * own session cookie and CSRF token); the session is set from event handlers and effects, never
 * while rendering.
 */
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

export interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
}

export class ApiClient {
  private csrfToken: string | null = null;
  private onSignedOut: (reason: string) => void = () => {};

  /** `signInRoute`: a path whose 401 is a wrong password, not an ended session. */
  constructor(private readonly signInRoute: (path: string) => boolean) {}

  setSession(token: string | null, signedOut?: (reason: string) => void): void {
    this.csrfToken = token;
    if (signedOut) this.onSignedOut = signedOut;
  }

  /** What the session owner is told when the server says the session is gone. */
  setSignedOut(signedOut: (reason: string) => void): void {
    this.onSignedOut = signedOut;
  }

  async request<T = any>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = options.method ?? (options.body !== undefined || options.form ? 'POST' : 'GET');
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    const res = await fetch(path, { method, headers, body: options.form ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined) });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) throw this.refused(path, res.status, data);
    return data as T;
  }

  /**
   * A multipart upload that reports how much of the file has gone (0…1): fetch cannot tell. The
   * server reads an import as it arrives, so what has been sent is close to what has been imported.
   */
  upload<T = any>(path: string, form: FormData, onProgress?: (share: number) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      if (this.csrfToken) xhr.setRequestHeader('x-csrf-token', this.csrfToken);
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
        reject(this.refused(path, xhr.status, data));
      };
      xhr.onerror = () => reject(new ApiError(0, 'network', i18next.t('staff:errors.codes.network')));
      xhr.send(form);
    });
  }

  private refused(path: string, status: number, data: any): ApiError {
    if (status === 401 && !this.signInRoute(path)) this.onSignedOut(i18next.t('staff:app.sessionEnded'));
    return new ApiError(status, data?.code ?? 'error', data?.detail ?? `The request failed (${status}).`, data ?? {});
  }
}

/** The staff app's client; a 401 from the sign-in routes is a refused password. */
export const staffClient = new ApiClient((path) => path.startsWith('/api/v1/auth/'));

export const api = <T = any>(path: string, options: RequestOptions = {}) => staffClient.request<T>(path, options);
export const post = <T = any>(path: string, body: unknown = {}) => staffClient.request<T>(path, { method: 'POST', body });
export const uploadWithProgress = <T = any>(path: string, form: FormData, onProgress?: (share: number) => void) => staffClient.upload<T>(path, form, onProgress);
export const setSession = (token: string | null, signedOut?: (reason: string) => void) => staffClient.setSession(token, signedOut);
