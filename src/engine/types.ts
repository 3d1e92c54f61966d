/**
 * The engine's vocabulary: decisions, rule results, alerts and the detector interface.
 * Names follow the public contract (`contract/events.md` §2 and §3); additions are optional fields.
 */
import type { DecisionEvent, KgEvent } from '../events/schema.js';
import type { WorldState } from './WorldState.js';

export type Outcome = 'allow' | 'step_up' | 'hold' | 'block' | 'deny';
/** Severity order: the most severe outcome of all rules wins (deny and block are the same rank). */
export const OUTCOME_RANK: Record<Outcome, number> = { allow: 0, step_up: 1, hold: 2, block: 3, deny: 3 };

export type RequiredAuth = 'passkey' | 'pki' | 'totp' | 'sms' | 'email' | 'app_push';

export interface Reason {
  /** Stable machine code, UPPER_SNAKE (e.g. `NEW_ASN`). */
  code: string;
  /** One human sentence with the evidence (e.g. `AS4134 never seen for this account`). */
  detail: string;
}

/**
 * What one rule said about one decision event. Every rule's result is recorded (hit, no_hit or
 * error) so a decision can be explained and replayed; a rule that throws is recorded as `error`
 * and never crashes the decision.
 */
export interface RuleResult {
  rule: string;
  outcome: 'hit' | 'no_hit' | 'error';
  /** The decision this rule asks for when it hits (default `allow`). */
  decision?: Outcome;
  /** Risk in 0..1 this rule attributes to the event. */
  score?: number;
  required_auth?: RequiredAuth;
  /**
   * What a hold or block freezes: the whole account (default; its later orders, changes and cash
   * are held too) or only this order (e.g. a buy of a restricted symbol by an ordinary customer).
   */
  hold_scope?: 'order' | 'account';
  reasons?: Reason[];
  error?: string;
}

/** The synchronous answer of contract §2, plus the per-rule record. */
export interface Decision {
  decision_id: string;
  decision: Outcome;
  required_auth?: RequiredAuth;
  score: number;
  reasons: Reason[];
  latency_us: number;
  /** rule name → outcome, for every rule that ran. */
  rules: Record<string, 'hit' | 'no_hit' | 'error'>;
  /** Present when a hold or block freezes only this event, not the account. */
  hold_scope?: 'order';
}

/** A decision as written by `kabuguard replay --decisions` (contract §5). */
export interface DecisionRecord extends Decision {
  event_id: string;
  type: DecisionEvent['type'];
  account_id: string | null;
  ts: string;
}

export const ALERT_KINDS = [
  'account_takeover',
  'credential_stuffing',
  'session_hijack',
  'pump_and_dump',
  'coordinated_trading',
  'beneficiary',
  'phishing_url',
  // kabuguard additions
  'pump_and_dump_update',
  'market_frenzy',
  'market_frenzy_update',
  'ramping',
  'marking_the_close',
  'wash_trade',
  'coordinated_trading_update',
  'detector_error',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number] | (string & {});
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Contract §3. */
export interface Alert {
  alert_id: string;
  ts: string;
  kind: AlertKind;
  severity: Severity;
  score: number;
  account_id?: string;
  symbol?: string;
  ip?: string;
  campaign_id?: string;
  window?: { start: string; end: string };
  reasons: Reason[];
  event_ids: string[];
  /** kabuguard addition: the detector that raised it. */
  detector?: string;
  /** kabuguard addition: kind-specific figures (e.g. estimated profit of a beneficiary). */
  data?: Record<string, unknown>;
}

/** What a detector hands to `ctx.raise`; the engine fills in `alert_id`, `ts` and `detector`. */
export type AlertDraft = Omit<Alert, 'alert_id' | 'ts' | 'detector'> & { ts?: string };

/**
 * Something the broker must tell the customer (JSDA: notify logins and important operations).
 * Detectors draft them; adapters deliver them (outbox file, table, `GET /v1/notifications`).
 */
export interface Notification {
  notification_id: string;
  ts: string;
  account_id: string;
  /** Stable template code, e.g. `LOGIN_NEW_DEVICE`, `BANK_ACCOUNT_CHANGED`, `ORDER_HELD`. */
  template: string;
  /** Ready-to-send text (Japanese first, the customer's language of the broker). */
  message: string;
  event_ids: string[];
  data?: Record<string, unknown>;
}

export type NotificationDraft = Omit<Notification, 'notification_id' | 'ts'> & { ts?: string };

export interface AssessContext {
  /** Event time of the event being decided, epoch ms. */
  readonly t: number;
  readonly world: WorldState;
}

export interface ObserveContext {
  /** Event time of the event being applied, epoch ms. */
  readonly t: number;
  readonly world: WorldState;
  /** The decision taken for this event, when it is a decision event. */
  readonly decision?: Decision;
  /** Raise an alert; `ts` defaults to the current event's ts. */
  raise(alert: AlertDraft): void;
  /** Draft a customer notification; `ts` defaults to the current event's ts. */
  notify(n: NotificationDraft): void;
}

export interface AlertContext {
  readonly t: number;
  readonly world: WorldState;
}

/**
 * A detector: pure domain logic over typed events and its own in-memory state, no I/O.
 *
 * For every event, in event-time order, the engine calls `assess` (decision events only, before the
 * event touches any state, so the decision sees only the past), then `observe` (every event, after
 * the decision, to update state and raise alerts). State must be plain data (objects, arrays, Maps,
 * Sets, typed arrays) so `snapshot`/`restore` can persist it with the structured-clone serializer.
 */
export interface Detector {
  readonly name: string;
  /**
   * Version of the shape of `snapshot()`'s state (default 1). Raise it whenever that shape changes:
   * the engine then refuses a checkpoint or service snapshot written by the older code instead of
   * running on state it does not understand.
   */
  readonly stateVersion?: number;
  assess?(ev: DecisionEvent, ctx: AssessContext): RuleResult | RuleResult[] | undefined;
  observe?(ev: KgEvent, ctx: ObserveContext): void;
  /** Sees every alert raised by any detector for the current event (e.g. to link campaigns). */
  onAlert?(alert: Alert, ctx: AlertContext): void;
  /** End of input: close open episodes and raise what they prove. */
  finish?(ctx: ObserveContext): void;
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

export type DetectorFactory = (options?: Record<string, unknown>) => Detector;
