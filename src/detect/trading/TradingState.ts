/**
 * The trading detector's own state: plain data only (Maps, Sets, arrays, numbers), so the engine can
 * snapshot and restore it with the structured-clone serializer.
 */

/** What a customer's trading normally looks like, learned online from allowed orders and logins. */
export interface TradingProfile {
  /** Successful logins seen. */
  logins: number;
  /** Event time of the first successful login seen, epoch ms. */
  first_login_t: number;
  /** Orders learned (allowed new orders). */
  orders: number;
  /** Symbols ever held or traded. */
  symbols: Set<string>;
  /** Markets ever held or traded. */
  markets: Set<string>;
  used_margin: boolean;
  /** Running mean and M2 (Welford) of log(order yen). */
  log_yen_mean: number;
  log_yen_m2: number;
  /** Event times of the latest orders (any decision), newest last, for bursts. */
  recent_order_t: number[];
  /** Distinct JST days with an order, for the usual pace. */
  active_days: number;
  last_active_day: number;
  /** Network (/24) / device id / user agent → [event time first seen, logins that used it]. */
  networks: Map<string, [number, number]>;
  devices: Map<string, [number, number]>;
  user_agents: Map<string, [number, number]>;
  channels: Set<string>;
}

/** Sells in a rolling window, to see a portfolio being emptied across orders (and sessions). */
export interface Liquidation {
  start_t: number;
  /** Portfolio market value when the first sell of the window was placed, yen. */
  base_yen: number;
  sold_yen: number;
}

/** An account we judge hijacked, and since when. */
export interface Suspect {
  since_t: number;
  session_id?: string;
  /** Who judged it: this detector's pre-trade or coordination view, or another detector's alert. */
  source: 'pre_trade' | 'coordination' | 'alert';
  /** Held at a sell without a takeover claim: the held account's next thin buy is the second sign. */
  sell_off?: boolean;
}

/** One buy of a thin symbol, kept for the coordination window. */
export interface ThinBuy {
  account_id: string;
  t: number;
  event_id: string;
  yen: number;
  suspicious: boolean;
  ip: string;
}

export interface SymbolBuying {
  buys: ThinBuy[];
  /**
   * Per account in the window: [buys, suspicious buys]. Kept in step with `buys` so each order
   * costs O(1) however busy the symbol (a pump concentrates thousands of orders on one name).
   */
  per_account: Map<string, [number, number]>;
  /** Accounts in `per_account` with at least one suspicious buy. */
  risky_accounts: number;
  /** Event time the coordinated-trading alert was raised for the current episode, or -1. */
  alerted_t: number;
  /** Accounts already named by that alert. */
  named: Set<string>;
}

/** Executions of one account in one symbol: buys compacted per JST day, recent sells one by one. */
export interface PositionTrack {
  /** [t, qty, yen], oldest first; the oldest entries are merged when the list grows long. */
  buys: Array<[number, number, number]>;
  /** [t, qty, price, exec event id] */
  sells: Array<[number, number, number, string]>;
}

/** A manipulation episode on a symbol, opened by hijacked buying we saw or by a pump alert. */
export interface Episode {
  symbol: string;
  onset_t: number;
  last_t: number;
  /** Normal daily volume when the episode opened (before the pump polluted it). */
  adv: number;
  /** Price before the episode: the cost basis of shares held from before our data began. */
  ref_price: number;
  hijacked: Set<string>;
  /** Hijacked buy executions: [t, price, qty]. */
  hijacked_buys: Array<[number, number, number]>;
  sources: Set<string>;
  /** Accounts already named as beneficiaries in this episode. */
  named: Set<string>;
}

export interface PendingTakeover {
  account_id: string;
  due_t: number;
  ts: string;
  score: number;
  severity: 'high' | 'critical';
  ip?: string;
  reasons: Array<{ code: string; detail: string }>;
  event_ids: string[];
  window: { start: string; end: string };
  data: Record<string, unknown>;
}

/** A symbol's completed daily volumes, for a baseline one pump day cannot drag up. */
export interface DailyVolume {
  day: number;
  vol: number;
  /** Completed days, oldest first (up to 20). */
  hist: number[];
  /** Median of `hist`, refreshed at each day change. */
  median: number;
}

export interface TradingState {
  profiles: Map<string, TradingProfile>;
  liquidations: Map<string, Liquidation>;
  suspects: Map<string, Suspect>;
  /** Account → event time of the latest account_takeover alert from any detector. */
  takeover_alerted: Map<string, number>;
  pending_takeovers: PendingTakeover[];
  buying: Map<string, SymbolBuying>;
  positions: Map<string, Map<string, PositionTrack>>;
  episodes: Map<string, Episode>;
  /** Symbols whose episode just opened: their holders are checked at the next event. */
  pending_checks: string[];
  /** Orders of suspect accounts → account, so their executions are known as hijacked. */
  suspect_orders: Map<string, string>;
  /** Account → ids of its latest orders (evidence for takeover alerts), newest last. */
  order_events: Map<string, string[]>;
  /** Device id / network → recent [account, login t] (newest last, capped): infrastructure shared across accounts. */
  device_accounts: Map<string, Array<[string, number]>>;
  network_accounts: Map<string, Array<[string, number]>>;
  /** Account → its recent new buy orders [symbol, t, qty], so slicing a large buy does not hide it. */
  recent_buys: Map<string, Array<[string, number, number]>>;
  /** Accounts named as beneficiaries → symbol and event time; their later orders are held. */
  beneficiaries: Map<string, { symbol: string; t: number }>;
  daily: Map<string, DailyVolume>;
  /** Session → the /16 networks its login and orders came from, kept only once it has changed network. */
  session_networks: Map<string, string[]>;
  /** Account → its latest change of how it is reached or paid out: [event time, field, event id, session id]. */
  contact_changes: Map<string, [number, string, string, string]>;
}

export function createTradingState(): TradingState {
  return {
    profiles: new Map(),
    liquidations: new Map(),
    suspects: new Map(),
    takeover_alerted: new Map(),
    pending_takeovers: [],
    buying: new Map(),
    positions: new Map(),
    episodes: new Map(),
    pending_checks: [],
    suspect_orders: new Map(),
    order_events: new Map(),
    device_accounts: new Map(),
    network_accounts: new Map(),
    recent_buys: new Map(),
    beneficiaries: new Map(),
    daily: new Map(),
    session_networks: new Map(),
    contact_changes: new Map(),
  };
}

export function createTradingProfile(): TradingProfile {
  return {
    logins: 0,
    first_login_t: -1,
    orders: 0,
    symbols: new Set(),
    markets: new Set(),
    used_margin: false,
    log_yen_mean: 0,
    log_yen_m2: 0,
    recent_order_t: [],
    active_days: 0,
    last_active_day: -1,
    networks: new Map(),
    devices: new Map(),
    user_agents: new Map(),
    channels: new Set(),
  };
}
