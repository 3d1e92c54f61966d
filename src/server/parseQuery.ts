import { z } from 'zod';
import { describeIssues } from '../events/validateEvent.js';
import { timestamp } from '../events/schema.js';
import { ServiceError } from './ServiceError.js';

const id = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const limit = z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000');
const cursor = z.string().min(1).max(1024, 'must be at most 1024 characters');

/** `GET /v1/alerts`; unknown parameters are refused so a typo never silently widens a query. */
export const alertQuerySchema = z.strictObject({
  kind: z.string().min(1).max(64).optional(),
  account_id: id.optional(),
  symbol: id.optional(),
  campaign_id: id.optional(),
  severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

/** `GET /v1/notifications`. */
export const notificationQuerySchema = z.strictObject({
  account_id: id.optional(),
  since: timestamp.optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

/** Validate a JSON request body against its schema; a bad one is a 400 naming the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ServiceError('BAD_REQUEST', 'request body must be one JSON object');
  }
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  let field = first?.path.length ? first.path.map(String).join('.') : undefined;
  if (first?.code === 'unrecognized_keys') field = first.keys[0];
  throw new ServiceError('BAD_REQUEST', describeIssues(r.error.issues), { field });
}

/** Validate a query string against its schema; a bad one is a 400 naming the parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0];
  let field = first?.path.length ? first.path.map(String).join('.') : undefined;
  if (first?.code === 'unrecognized_keys') field = first.keys[0];
  const reason = describeIssues(r.error.issues).replace(/^field `\(root\)`: /, 'query: ');
  throw new ServiceError('BAD_REQUEST', reason, { field });
}
