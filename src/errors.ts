/**
 * The one error type services throw. `code` is a stable word from the table below, which alone
 * decides the HTTP status; the error handler in http/errors.ts turns it into problem details.
 */
export const errorStatus = {
  invalid_input: 400,
  invalid_phone: 400,
  invalid_cursor: 400,
  spam_suspected: 400,
  not_signed_in: 401,
  invalid_credentials: 401,
  two_factor_required: 401,
  invalid_code: 401,
  plan_required: 402,
  csrf: 403,
  forbidden: 403,
  missing_privilege: 403,
  admin_only: 403,
  main_admin_only: 403,
  clinic_access_denied: 403,
  doctor_conversation_exists: 403,
  clinician_not_participant: 403,
  reauth_required: 403,
  two_factor_enrolment_required: 403,
  emergency_reason_required: 403,
  sender_blocked: 403,
  invalid_link: 403,
  /** A provider webhook whose signature (or shared token) does not match. */
  bad_signature: 403,
  /** Meta's webhook handshake with the wrong verify token. */
  bad_verify_token: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  slug_taken: 409,
  name_taken: 409,
  another_conversation_open: 409,
  duplicate_message: 409,
  already_booked: 409,
  link_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  contact_blocked: 422,
  opted_out: 422,
  landline: 422,
  invalid_number: 422,
  whatsapp_window_closed: 422,
  attachments_not_allowed: 422,
  channel_unavailable: 422,
  /** An inbound email no clinic or conversation receives. */
  unroutable: 422,
  rate_limited: 429,
  account_locked: 429,
  attachment_corrupted: 500,
  provider_error: 502,
  database_unavailable: 503,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = errorStatus[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
