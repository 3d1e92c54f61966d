import { decodeAlertCursor, decodeCaseCursor, decodeNotificationCursor, type AlertCursor } from './pageCursor.js';
import type { AlertQuery, CaseQuery, NotificationQuery, SummaryQuery } from './types.js';
import { CASE_STATUSES } from '../cases/CaseBook.js';

/** Most buckets one summary may span: a chart wider than this is unreadable and the query unbounded. */
export const MAX_SUMMARY_BUCKETS = 5000;
/** Most evidence events fetched at once. */
export const MAX_EVIDENCE_IDS = 1000;

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

export interface NormalizedCaseQuery {
  status?: string;
  limit: number;
  beforeN?: number;
}

export function normalizeCaseQuery(q: CaseQuery): NormalizedCaseQuery {
  if (q.status !== undefined && !(CASE_STATUSES as readonly string[]).includes(q.status)) {
    throw new RangeError(`status: must be one of ${CASE_STATUSES.join(', ')}, got ${JSON.stringify(q.status)}`);
  }
  return { status: q.status, limit: pageSize(q.limit), beforeN: q.cursor ? decodeCaseCursor(q.cursor) : undefined };
}

export interface NormalizedSummaryQuery {
  bucketMs: number;
  sinceMs?: number;
  untilMs?: number;
}

export function normalizeSummaryQuery(q: SummaryQuery): NormalizedSummaryQuery {
  if (!Number.isSafeInteger(q.bucketMs) || q.bucketMs < 60_000) throw new RangeError(`bucket: must be a whole number of ms of at least 60000 (one minute), got ${q.bucketMs}`);
  const sinceMs = parseBound('since', q.since);
  const untilMs = parseBound('until', q.until);
  if (sinceMs !== undefined && untilMs !== undefined && (untilMs - sinceMs) / q.bucketMs > MAX_SUMMARY_BUCKETS) {
    throw new RangeError(`bucket: since..until spans more than ${MAX_SUMMARY_BUCKETS} buckets; use a wider bucket or a shorter range`);
  }
  return { bucketMs: q.bucketMs, sinceMs, untilMs };
}

export function checkEvidenceIds(ids: string[]): void {
  if (ids.length > MAX_EVIDENCE_IDS) throw new RangeError(`event_ids: at most ${MAX_EVIDENCE_IDS} at once, got ${ids.length}`);
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
