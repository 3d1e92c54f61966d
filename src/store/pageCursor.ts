/**
 * Opaque keyset-pagination cursors shared by every store. A cursor is the sort key of the last row of
 * a page, so the next page starts strictly after it: rows inserted meanwhile never shift pages (as
 * OFFSET paging would) and the query stays an index range scan however deep the client pages.
 */

/** Position after the last alert of a page, in the page's sort order. */
export interface AlertCursor {
  order: 'asc' | 'desc';
  /** `ts` of the last alert, epoch ms. */
  tsMs: number;
  alertId: string;
}

const PREFIX_ALERT = 'a1.';
const PREFIX_NOTIFICATION = 'n1.';
const PREFIX_CASE = 'c1.';

export function encodeAlertCursor(c: AlertCursor): string {
  return PREFIX_ALERT + Buffer.from(JSON.stringify([c.order, c.tsMs, c.alertId])).toString('base64url');
}

export function decodeAlertCursor(cursor: string): AlertCursor {
  const v = decodeJson(cursor, PREFIX_ALERT);
  if (!Array.isArray(v) || (v[0] !== 'asc' && v[0] !== 'desc') || !Number.isFinite(v[1]) || typeof v[2] !== 'string') {
    throw invalidCursor();
  }
  return { order: v[0], tsMs: v[1], alertId: v[2] };
}

/** Notifications page in processing order (an outbox): the cursor is the last row's store sequence. */
export function encodeNotificationCursor(n: number): string {
  return encodeNumber(PREFIX_NOTIFICATION, n);
}

export function decodeNotificationCursor(cursor: string): number {
  return decodeNumber(cursor, PREFIX_NOTIFICATION);
}

/** Cases page newest first: the cursor is the store number of the last case of the page. */
export function encodeCaseCursor(n: number): string {
  return encodeNumber(PREFIX_CASE, n);
}

export function decodeCaseCursor(cursor: string): number {
  return decodeNumber(cursor, PREFIX_CASE);
}

function encodeNumber(prefix: string, n: number): string {
  return prefix + Buffer.from(JSON.stringify([n])).toString('base64url');
}

function decodeNumber(cursor: string, prefix: string): number {
  const v = decodeJson(cursor, prefix);
  if (!Array.isArray(v) || !Number.isSafeInteger(v[0])) throw invalidCursor();
  return v[0];
}

function decodeJson(cursor: string, prefix: string): unknown {
  if (!cursor.startsWith(prefix)) throw invalidCursor();
  try {
    return JSON.parse(Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): Error {
  return new RangeError('cursor: not a cursor this store issued; pass the next_cursor of the previous page unchanged');
}
