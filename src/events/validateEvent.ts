import type { z } from 'zod';
import { parseTimestamp } from './parseTimestamp.js';
import { EVENT_SCHEMAS, EVENT_TYPES, type EventType, type KgEvent } from './schema.js';

export type Validation = { ok: true; event: KgEvent; t: number } | { ok: false; reason: string };

/**
 * Validate one decoded JSON value against the contract. A bad value is a clean "no" with a reason
 * that names the field, never an exception: callers dead-letter it and carry on.
 */
export function validateEvent(value: unknown): Validation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'line is not a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  if (type === 'market_trade' && isWellFormedTrade(value as Record<string, unknown>)) {
    const t = parseTimestamp((value as { ts: string }).ts);
    if (!Number.isNaN(t)) return { ok: true, event: value as KgEvent, t };
  }
  if (typeof type !== 'string') return { ok: false, reason: 'field `type`: is missing or not a string' };
  const schema = EVENT_SCHEMAS[type as EventType] as z.ZodType<KgEvent> | undefined;
  if (!schema) {
    return { ok: false, reason: `field \`type\`: unknown event type "${type.slice(0, 40)}" (expected one of ${EVENT_TYPES.join(', ')})` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error.issues) };
  return { ok: true, event: parsed.data, t: parseTimestamp(parsed.data.ts) };
}

/**
 * Fast path for the market tape, which is most of the volume: the same checks as the schema, by
 * hand. Anything it does not accept goes through the schema, which gives the reason.
 */
function isWellFormedTrade(o: Record<string, unknown>): boolean {
  const { id, symbol, price, qty, aggressor, ts } = o;
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= 200 &&
    typeof ts === 'string' &&
    typeof symbol === 'string' &&
    symbol.length > 0 &&
    typeof price === 'number' &&
    price > 0 &&
    price < Infinity &&
    typeof qty === 'number' &&
    qty > 0 &&
    Number.isInteger(qty) &&
    (aggressor === undefined || aggressor === 'buy' || aggressor === 'sell')
  );
}

/** Turn zod issues into one human sentence naming each bad field (first three). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 3).map((i) => {
    const path = i.path.length ? i.path.map(String).join('.') : '(root)';
    let msg = i.message;
    if (i.code === 'invalid_type' && /received undefined/i.test(msg)) msg = 'is required';
    return `field \`${path}\`: ${msg}`;
  });
  if (issues.length > 3) parts.push(`and ${issues.length - 3} more`);
  return parts.join('; ');
}

/** Parse one NDJSON line: JSON errors and schema errors both come back as a reason. */
export function parseEventLine(text: string): Validation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  return validateEvent(value);
}
