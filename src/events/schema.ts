/**
 * Event schemas of the public integration contract, version 1 (`contract/events.md` §1).
 *
 * The contract may gain optional fields and new event types, never lose or rename one, so unknown
 * extra fields are kept (loose objects) rather than rejected: a broker that sends more than we know
 * must not lose events.
 */
import { z } from 'zod';
import { parseTimestamp } from './parseTimestamp.js';

// ISO 8601 with an explicit offset or Z. The contract asks for milliseconds; we also accept whole
// seconds or finer fractions, but never a local time without offset (its instant is unknowable).
export const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(parseTimestamp(s)), 'must be an ISO 8601 date-time with an offset or Z, e.g. 2025-03-26T09:12:03.481+09:00');

const nonEmpty = z.string().min(1, 'must not be empty');
const posInt = z.number().int('must be an integer').positive('must be > 0');
const nonNegInt = z.number().int('must be an integer').nonnegative('must be >= 0');
const price = z.number().positive('must be > 0').finite();
const ip = z.string().min(2).max(45);
const userAgent = z.string().max(2048);

export const MARKETS = ['TSE-Prime', 'TSE-Standard', 'TSE-Growth', 'HKEX', 'SSE', 'SZSE', 'NASDAQ', 'NYSE'] as const;
export const CHANNELS = ['web', 'app', 'api'] as const;
export const LOGIN_OUTCOMES = ['success', 'bad_password', 'unknown_account', 'locked', 'mfa_failed'] as const;
export const MFA_METHODS = ['none', 'sms', 'email', 'totp', 'app_push', 'passkey', 'pki'] as const;
export const CHANGE_FIELDS = ['email', 'phone', 'password', 'mfa', 'address', 'bank_account', 'notification'] as const;
export const SIDES = ['buy', 'sell'] as const;

const base = { id: nonEmpty.max(200), ts: timestamp };

export const instrumentEvent = z.looseObject({
  type: z.literal('instrument'),
  ...base,
  symbol: nonEmpty,
  name: z.string(),
  market: z.enum(MARKETS),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as JPY'),
  issuer_country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as JP'),
  lot_size: posInt,
  shares_outstanding: posInt.optional(),
  market_cap_jpy: z.number().nonnegative().optional(),
});

export const holding = z.object({ symbol: nonEmpty, qty: nonNegInt });

export const accountEvent = z.looseObject({
  type: z.literal('account'),
  ...base,
  account_id: nonEmpty,
  opened_at: timestamp,
  birth_year: z.number().int().min(1900).max(2100).optional(),
  residence_country: z.string().regex(/^[A-Z]{2}$/).optional(),
  holdings: z.array(holding).default([]),
  cash_jpy: z.number().int('must be an integer number of yen'),
});

export const loginEvent = z
  .looseObject({
    type: z.literal('login'),
    ...base,
    account_id: nonEmpty.nullable(),
    login_id_fp: nonEmpty,
    ip,
    user_agent: userAgent,
    device_id: z.string().max(256).optional(),
    channel: z.enum(CHANNELS),
    outcome: z.enum(LOGIN_OUTCOMES),
    mfa: z.enum(MFA_METHODS),
    secret_fp: z.string().max(256).optional(),
    session_id: nonEmpty.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.outcome === 'success' && !e.session_id) {
      ctx.addIssue({ code: 'custom', path: ['session_id'], message: 'is required when outcome is success' });
    }
    if (e.outcome === 'success' && e.account_id === null) {
      ctx.addIssue({ code: 'custom', path: ['account_id'], message: 'must not be null when outcome is success' });
    }
  });

export const accountChangeEvent = z.looseObject({
  type: z.literal('account_change'),
  ...base,
  account_id: nonEmpty,
  session_id: nonEmpty,
  ip,
  user_agent: userAgent,
  field: z.enum(CHANGE_FIELDS),
  detail: z.string().max(4096).optional(),
});

export const cashEvent = z.looseObject({
  type: z.literal('cash'),
  ...base,
  account_id: nonEmpty,
  session_id: nonEmpty,
  ip,
  direction: z.enum(['deposit', 'withdrawal']),
  amount_jpy: posInt,
  bank_account_fp: z.string().max(256).optional(),
});

export const orderEvent = z
  .looseObject({
    type: z.literal('order'),
    ...base,
    order_id: nonEmpty,
    account_id: nonEmpty,
    session_id: nonEmpty,
    ip,
    user_agent: userAgent,
    channel: z.enum(CHANNELS),
    symbol: nonEmpty,
    side: z.enum(SIDES),
    qty: posInt,
    order_type: z.enum(['market', 'limit']),
    limit_price: price.optional(),
    action: z.enum(['new', 'amend', 'cancel']),
    margin: z.boolean().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.order_type === 'limit' && e.action !== 'cancel' && e.limit_price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['limit_price'], message: 'is required for a limit order' });
    }
  });

export const executionEvent = z.looseObject({
  type: z.literal('execution'),
  ...base,
  exec_id: nonEmpty,
  order_id: nonEmpty,
  account_id: nonEmpty,
  symbol: nonEmpty,
  side: z.enum(SIDES),
  qty: posInt,
  price,
});

export const marketTradeEvent = z.looseObject({
  type: z.literal('market_trade'),
  ...base,
  symbol: nonEmpty,
  price,
  qty: posInt,
  aggressor: z.enum(SIDES).optional(),
});

/** kabuguard addition: a URL seen somewhere (customer report, mail gateway, CT log) to be checked for phishing. */
export const urlReportEvent = z.looseObject({
  type: z.literal('url_report'),
  ...base,
  url: z.string().min(1).max(8192),
  source: z.string().max(200).optional(),
});

export const EVENT_SCHEMAS = {
  instrument: instrumentEvent,
  account: accountEvent,
  login: loginEvent,
  account_change: accountChangeEvent,
  cash: cashEvent,
  order: orderEvent,
  execution: executionEvent,
  market_trade: marketTradeEvent,
  url_report: urlReportEvent,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export type InstrumentEvent = z.infer<typeof instrumentEvent>;
export type AccountEvent = z.infer<typeof accountEvent>;
export type LoginEvent = z.infer<typeof loginEvent>;
export type AccountChangeEvent = z.infer<typeof accountChangeEvent>;
export type CashEvent = z.infer<typeof cashEvent>;
export type OrderEvent = z.infer<typeof orderEvent>;
export type ExecutionEvent = z.infer<typeof executionEvent>;
export type MarketTradeEvent = z.infer<typeof marketTradeEvent>;
export type UrlReportEvent = z.infer<typeof urlReportEvent>;

export type KgEvent =
  | InstrumentEvent
  | AccountEvent
  | LoginEvent
  | AccountChangeEvent
  | CashEvent
  | OrderEvent
  | ExecutionEvent
  | MarketTradeEvent
  | UrlReportEvent;

/** The event types that get a synchronous decision (contract §2). */
export type DecisionEvent = LoginEvent | OrderEvent | AccountChangeEvent | CashEvent;
export const DECISION_TYPES = new Set<EventType>(['login', 'order', 'account_change', 'cash']);
export function isDecisionEvent(e: KgEvent): e is DecisionEvent {
  return DECISION_TYPES.has(e.type);
}
