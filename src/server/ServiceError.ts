/**
 * The one error type of the HTTP service: a closed set of codes, one table from code to HTTP status
 * (after tRPC's `getHTTPStatusCode`), rendered by `presentError` in one JSON shape.
 */

export const HTTP_STATUS_BY_CODE = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ServiceErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export interface ServiceErrorOptions {
  /** The input field at fault (`ip`, `limit`, …): contract §2 asks the 400 to name it. */
  field?: string;
  /** Seconds the client should wait before retrying (429/503). */
  retryAfterS?: number;
  /** Methods the path accepts (405). */
  allow?: string[];
  cause?: unknown;
}

export class ServiceError extends Error {
  readonly field?: string;
  readonly retryAfterS?: number;
  readonly allow?: string[];

  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    opts: ServiceErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ServiceError';
    this.field = opts.field;
    this.retryAfterS = opts.retryAfterS;
    this.allow = opts.allow;
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}
