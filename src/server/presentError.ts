import { ServiceError, type ServiceErrorCode } from './ServiceError.js';

/** The error body every endpoint answers with. */
export interface ErrorBody {
  error: {
    code: ServiceErrorCode;
    message: string;
    /** The input field at fault, when one is. */
    field?: string;
    request_id?: string;
  };
}

export interface PresentedError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/**
 * Turn anything thrown while serving a request into the one error format. Fastify's own errors
 * (body too large, bad JSON, unknown media type) are mapped onto the closed code set; anything
 * unexpected becomes INTERNAL_SERVER_ERROR without leaking its message to the client.
 */
export function presentError(err: unknown, requestId?: string): PresentedError {
  const se = toServiceError(err);
  const headers: Record<string, string> = {};
  if (se.retryAfterS !== undefined) headers['retry-after'] = String(se.retryAfterS);
  if (se.allow) headers.allow = se.allow.join(', ');
  const body: ErrorBody = { error: { code: se.code, message: se.message } };
  if (se.field !== undefined) body.error.field = se.field;
  if (requestId !== undefined) body.error.request_id = requestId;
  return { status: se.status, headers, body };
}

export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServiceError('PAYLOAD_TOO_LARGE', 'request body is larger than the limit; send fewer events per request or raise --body-limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServiceError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content-type; send application/json (or application/x-ndjson to /v1/events)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ServiceError('BAD_REQUEST', 'request body is empty; send one JSON event');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ServiceError('BAD_REQUEST', 'content-length does not match the body');
    case 'FST_ERR_BAD_URL':
      return new ServiceError('BAD_REQUEST', 'the URL is not valid');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ServiceError('BAD_REQUEST', `request body is not valid JSON: ${message}`);
    default:
      break;
  }
  if (err instanceof SyntaxError) return new ServiceError('BAD_REQUEST', `request body is not valid JSON: ${message}`);
  // Fastify's prototype-poisoning and other input checks carry a 4xx statusCode of their own.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ServiceError('BAD_REQUEST', message);
  }
  return new ServiceError('INTERNAL_SERVER_ERROR', 'internal error; the server log has the details under this request_id', { cause: err });
}
