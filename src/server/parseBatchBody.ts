import { ServiceError } from './ServiceError.js';

/** One line of a batch: the decoded value, or why it could not be decoded. */
export type BatchLine = { line: number; value: unknown } | { line: number; reason: string };

/**
 * Split a `/v1/events` body into lines. NDJSON arrives as text (blank lines are skipped but keep
 * their number, so `line` matches the client's file); a JSON array arrives decoded, element i being
 * line i+1. A line that is not JSON is a per-line error, never a reason to refuse the whole batch.
 */
export function* parseBatchBody(body: unknown): Generator<BatchLine> {
  if (typeof body === 'string') {
    let line = 0;
    let start = 0;
    while (start <= body.length) {
      let end = body.indexOf('\n', start);
      if (end === -1) end = body.length;
      line++;
      const text = body.slice(start, end).replace(/\r$/, '');
      start = end + 1;
      if (text.trim() === '') continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch (err) {
        yield { line, reason: `invalid JSON: ${(err as Error).message}` };
      }
    }
    return;
  }
  if (Array.isArray(body)) {
    for (let i = 0; i < body.length; i++) yield { line: i + 1, value: body[i] };
    return;
  }
  throw new ServiceError('BAD_REQUEST', 'request body must be NDJSON (content-type application/x-ndjson) or a JSON array of events');
}
