/**
 * Errors the domain raises. They know nothing of HTTP: DomainErrorFilter maps each code to a status.
 */
export const DOMAIN_ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  ACCOUNT_LOCKED: 423,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NETWORK_NOT_FOUND: 404,
  FORM_NOT_FOUND: 404,
  RENDER_NOT_FOUND: 404,
  INVALID_FORM_DATA: 400,
  INVALID_REQUEST: 400,
  RENDER_NOT_READY: 409,
  PDF_NOT_READY: 409,
  INVALID_STATE: 409,
  NOT_AN_ORIGINAL: 422,
  NOT_FOR_SECRETARIAT: 422,
  EMAIL_TAKEN: 409,
  LINK_INVALID: 404,
  LINK_EXPIRED: 410,
  REQUEST_CLOSED: 410,
  NOT_YOUR_TURN: 409,
  ALREADY_SIGNED: 409,
  ACCESS_CODE_REQUIRED: 401,
  ACCESS_CODE_WRONG: 401,
  ACCESS_LOCKED: 423,
  DOCUMENT_RETIRED: 410,
  ERASURE_BLOCKED: 409,
  RENDER_FAILED: 422,
  CATALOGUE_INVALID: 500,
  TEMPLATE_ERROR: 500,
  PAGE_OVERFLOW: 500,
  PDF_CORRUPT: 500,
  BROWSER_UNAVAILABLE: 503,
  TOO_MANY_REQUESTS: 429,
  CSRF_REJECTED: 403,
  ACCOUNT_DISABLED: 403,
  MFA_ENROLMENT_REQUIRED: 403,
  MFA_TOKEN_INVALID: 401,
  MFA_CODE_WRONG: 401,
  REAUTH_REQUIRED: 403,
  DOCUMENT_CHANGED: 409,
  VISIT_EXPIRED: 410,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** One invalid field: where it is in the submitted data, and what is wrong, in Japanese. */
export interface FieldError {
  path: string;
  label: string;
  message: string;
}

export class InvalidFormDataError extends DomainError {
  constructor(readonly errors: FieldError[]) {
    super('INVALID_FORM_DATA', `入力内容に${errors.length}件の誤りがあります`, { errors });
  }
}

/**
 * Thrown by a guard that has answered the request itself (e.g. with a confirmation page), so that the handler
 * does not run: DomainErrorFilter sends nothing more.
 */
export class AlreadyAnswered extends Error {
  constructor() {
    super('answered by a guard');
  }
}
