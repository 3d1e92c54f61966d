import { decodeAlertCursor, decodeNotificationCursor, type AlertCursor } from './pageCursor.js';
import type { AlertQuery, NotificationQuery } from './types.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** An alert query checked and reduced to what a store's SQL needs. */
export interface NormalizedAlertQuery {
  filters: { column: 'kind' | 'account_id' | 'symbol' | 'campaign_id' | 'severity'; value: string }[];
  sinceMs?: number;
  untilMs?: number;
  limit: number;
  order: 'asc' | 'desc';
  after?: AlertCursor;
}

export interface NormalizedNotificationQuery {
  account_id?: string;
  sinceMs?: number;
  limit: number;
  afterN?: number;
}

/**
 * Check an alert query once for every store, so SQLite and PostgreSQL reject the same bad input with
 * the same message (the HTTP layer turns these RangeErrors into 400s).
 */
export function normalizeAlertQuery(q: AlertQuery): NormalizedAlertQuery {
  const order = q.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new RangeError(`order: must be "asc" or "desc", got ${JSON.stringify(q.order)}`);
  const filters: NormalizedAlertQuery['filters'] = [];
  for (const column of ['kind', 'account_id', 'symbol', 'campaign_id', 'severity'] as const) {
    const value = q[column];
    if (value !== undefined) filters.push({ column, value });
  }
  const after = q.cursor ? decodeAlertCursor(q.cursor) : undefined;
  if (after && after.order !== order) {
    throw new RangeError(`cursor: it was issued for order "${after.order}"; repeat the query with the same order`);
  }
  return { filters, sinceMs: parseBound('since', q.since), untilMs: parseBound('until', q.until), limit: pageSize(q.limit), order, after };
}

export function normalizeNotificationQuery(q: NotificationQuery): NormalizedNotificationQuery {
  return {
    account_id: q.account_id,
    sinceMs: parseBound('since', q.since),
    limit: pageSize(q.limit),
    afterN: q.cursor ? decodeNotificationCursor(q.cursor) : undefined,
  };
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit: must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
  return limit;
}

function parseBound(name: string, iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`${name}: not an ISO 8601 time (e.g. 2025-04-01T09:00:00+09:00): ${JSON.stringify(iso)}`);
  return ms;
}
