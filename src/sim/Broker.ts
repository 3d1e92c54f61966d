/**
 * The simulated broker: customer accounts and sessions, order handling against the market, and the
 * day's event buffer. Every agent (customer, attacker, beneficiary) acts through it, so all events
 * follow one set of rules (reservations, fills, lockout) and carry who caused them for the labels.
 */
import { createHash } from 'node:crypto';
import type { KgEvent } from '../events/schema.js';
import { isoJst } from './calendar.js';
import type { InstrumentSpec } from './instruments.js';
import { roundToTick } from './instruments.js';
import type { Network } from './networks.js';
import type { Rng } from './Rng.js';
import type { RestingOrder, Side, SymbolDay } from './SymbolDay.js';
import type { UaProfile } from './userAgents.js';

export type Actor = 'customer' | 'attacker' | 'beneficiary';
export type Mfa = 'none' | 'sms' | 'email' | 'totp' | 'app_push' | 'passkey';
export type Channel = 'web' | 'app' | 'api';
export type LoginOutcome = 'success' | 'bad_password' | 'unknown_account' | 'locked' | 'mfa_failed';

export interface Device {
  id: string;
  ua: UaProfile;
  channel: 'web' | 'app';
  /** Where the device usually connects from. */
  net: 'home' | 'mobile' | 'work';
  weight: number;
}

export interface SimAccount {
  id: string;
  kind: 'customer' | 'beneficiary';
  openedAt: number;
  birthYear: number;
  residence: string;
  holdings: Map<string, number>;
  cash: number;
  loginFp: string;
  secretFp: string;
  mfa: Mfa;
  devices: Device[];
  home: Network;
  homeIp: string;
  mobile: Network;
  work?: Network;
  workIp?: string;
  /** Expected logins per day. */
  loginRate: number;
  /** Chance that a session places orders. */
  tradeProb: number;
  /** Weights over the day's time slots (see customers.ts). */
  slots: number[];
  favorites: string[];
  bankFp: string;
  margin: boolean;
  typoRate: number;
  failStreak: number;
  lockedUntil: number;
  /** symbol → time of the account's last immediate fill in it, so its fills in one name never overtake each other. */
  lastFill: Map<string, number>;
  /** Legitimate activity stops from this time (an attacker holds the account). */
  quietFrom?: number;
  snapshotEmitted: boolean;
}

export interface SimSession {
  id: string;
  account: SimAccount;
  ip: string;
  ua: string;
  deviceId?: string;
  channel: Channel;
  mfa: Mfa;
  t: number;
  actor: Actor;
}

export interface OrderSpec {
  symbol: string;
  side: Side;
  qty: number;
  type: 'market' | 'limit';
  limit?: number;
  margin?: boolean;
  /** Cancel the unfilled rest this long after placing it. */
  cancelAfterMs?: number;
  /** Override the session's IP (rotating proxies, mobile IP change mid-session). */
  ip?: string;
  ua?: string;
}

export interface OrderResult {
  orderId: string;
  filledQty: number;
  /** Yen paid (buy) or received (sell) for what filled now. */
  yen: number;
  lastPrice: number;
  /** Notional of the whole order in yen at the price it was sent at. */
  notionalYen: number;
  /** The unfilled rest left on the book, if any. */
  resting?: RestingOrder<OrderCtx>;
}

/** An instrument's day as the broker trades it (resting orders carry the broker's order context). */
export type BrokerSymbolDay = SymbolDay<OrderCtx>;

interface OrderCtx {
  orderId: string;
  account: SimAccount;
  session: SimSession;
  spec: OrderSpec;
  actor: Actor;
  ip: string;
  ua: string;
}

interface Pending {
  key: number;
  seq: number;
  ev: Record<string, unknown> & { id: string; ts: string; type: string };
  actor: Actor;
}

export interface DayOutput {
  events: KgEvent[];
  malicious: string[];
  beneficiary: string[];
}

/** Broker's lockout policy: this many consecutive failures lock the account for `LOCK_MS`. */
export const LOCK_AFTER = 10;
const LOCK_MS = 30 * 60_000;

export class Broker {
  readonly accounts: SimAccount[] = [];
  readonly byId = new Map<string, SimAccount>();
  readonly instruments = new Map<string, InstrumentSpec>();
  symbolDays = new Map<string, SymbolDay<OrderCtx>>();
  private buffer: Pending[] = [];
  private seq = 0;
  private eventSeq = 0;
  private orderSeq = 0;
  private execSeq = 0;
  windowStart = 0;
  windowEnd = 0;
  /** account id → yen the attackers tried to move (sell + buy notional). */
  readonly attackYen = new Map<string, number>();
  /** Yen of attacker orders that actually executed. */
  attackYenExecuted = 0;
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly rng: Rng,
    instruments: InstrumentSpec[],
    private readonly secret: string,
  ) {
    for (const s of instruments) this.instruments.set(s.symbol, s);
  }

  /**
   * Agents plan in whole seconds and minutes; real requests arrive at any millisecond. Without this,
   * scripted (attack) events would share tell-tale millisecond digits.
   */
  private jitter(t: number): number {
    return t + this.rng.int(0, 999);
  }

  /** Keyed hash, as a broker would log a login id or password without storing it. */
  fingerprint(kind: string, value: string): string {
    return createHash('sha256').update(`${this.secret}|${kind}|${value}`).digest('hex').slice(0, 20);
  }

  addAccount(a: SimAccount): void {
    this.accounts.push(a);
    this.byId.set(a.id, a);
  }

  beginDay(windowStart: number, windowEnd: number, symbolDays: Map<string, SymbolDay<OrderCtx>>): void {
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.symbolDays = symbolDays;
  }

  day(symbol: string): SymbolDay<OrderCtx> {
    const d = this.symbolDays.get(symbol);
    if (!d) throw new Error(`unknown symbol ${symbol}`);
    return d;
  }

  /** While set, records the time of the earliest attacker event on this account. */
  watch: { accountId: string; first: number } | undefined;

  /** Queue an event at time `t`; `delayMs` models a slower source (market data feed). */
  emit(t: number, fields: Record<string, unknown> & { type: string }, actor: Actor = 'customer', delayMs = 0): void {
    if (actor === 'attacker' && this.watch && fields.account_id === this.watch.accountId) this.watch.first = Math.min(this.watch.first, t);
    const ev = Object.assign({ type: fields.type, id: '', ts: String(t) }, fields);
    this.buffer.push({ key: t + delayMs, seq: this.seq++, ev, actor });
  }

  accountSnapshot(a: SimAccount, t: number): void {
    a.snapshotEmitted = true;
    this.emit(t, {
      type: 'account',
      account_id: a.id,
      opened_at: isoJst(a.openedAt),
      birth_year: a.birthYear,
      residence_country: a.residence,
      holdings: [...a.holdings].filter(([, q]) => q > 0).map(([symbol, qty]) => ({ symbol, qty })),
      cash_jpy: Math.round(a.cash),
    });
  }

  /** One login attempt. Applies the broker's lockout; returns the session on success. */
  login(
    a: SimAccount | undefined,
    t: number,
    o: { loginFp?: string; ip: string; ua: string; deviceId?: string; channel: Channel; secretFp: string; outcome: LoginOutcome; mfa?: Mfa },
    actor: Actor,
  ): SimSession | undefined {
    t = this.jitter(t);
    let outcome = o.outcome;
    if (a && a.lockedUntil > t) outcome = 'locked';
    else if (a && (outcome === 'bad_password' || outcome === 'mfa_failed')) {
      a.failStreak++;
      if (a.failStreak >= LOCK_AFTER) a.lockedUntil = t + LOCK_MS;
    } else if (a && outcome === 'success') a.failStreak = 0;
    const mfa: Mfa = outcome === 'success' || outcome === 'mfa_failed' ? (o.mfa ?? a?.mfa ?? 'none') : 'none';
    const sessionId = outcome === 'success' ? `s_${this.rng.hex(24)}` : undefined;
    this.emit(
      t,
      {
        type: 'login',
        account_id: a ? a.id : null,
        login_id_fp: o.loginFp ?? a!.loginFp,
        ip: o.ip,
        user_agent: o.ua,
        ...(o.deviceId ? { device_id: o.deviceId } : {}),
        channel: o.channel,
        outcome,
        mfa,
        secret_fp: o.secretFp,
        ...(sessionId ? { session_id: sessionId } : {}),
      },
      actor,
    );
    if (!sessionId || !a) return undefined;
    return { id: sessionId, account: a, ip: o.ip, ua: o.ua, deviceId: o.deviceId, channel: o.channel, mfa, t, actor };
  }

  change(s: SimSession, t: number, field: string, detail: string | undefined, actor: Actor = s.actor, ip = s.ip, ua = s.ua): void {
    t = this.jitter(t);
    this.emit(t, { type: 'account_change', account_id: s.account.id, session_id: s.id, ip, user_agent: ua, field, ...(detail ? { detail } : {}) }, actor);
  }

  cash(s: SimSession, t: number, direction: 'deposit' | 'withdrawal', amount: number, bankFp: string, actor: Actor = s.actor, ip = s.ip): void {
    t = this.jitter(t);
    const amt = Math.max(1, Math.round(amount));
    this.emit(t, { type: 'cash', account_id: s.account.id, session_id: s.id, ip, direction, amount_jpy: amt, bank_account_fp: bankFp }, actor);
    // Withdrawals settle later at a real broker; here the balance moves at once so later orders see it.
    s.account.cash += direction === 'deposit' ? amt : -amt;
  }

  /** Place an order; fills what the market gives now and leaves a limit remainder resting. */
  order(s: SimSession, t: number, o: OrderSpec, actor: Actor = s.actor): OrderResult {
    t = this.jitter(t);
    const sd = this.day(o.symbol);
    const spec = sd.spec;
    const a = s.account;
    const orderId = `o${(++this.orderSeq).toString().padStart(8, '0')}`;
    const ip = o.ip ?? s.ip;
    const ua = o.ua ?? s.ua;
    const limit = o.type === 'limit' ? roundToTick(spec, o.limit!) : undefined;
    this.emit(
      t,
      {
        type: 'order',
        order_id: orderId,
        account_id: a.id,
        session_id: s.id,
        ip,
        user_agent: ua,
        channel: s.channel,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty,
        order_type: o.type,
        ...(limit !== undefined ? { limit_price: limit } : {}),
        action: 'new',
        ...(o.margin ? { margin: true } : {}),
      },
      actor,
    );
    const ref = limit ?? sd.midAt(t);
    const notionalYen = o.qty * ref * spec.fx;
    if (actor === 'attacker') this.attackYen.set(a.id, (this.attackYen.get(a.id) ?? 0) + notionalYen);
    const ctx: OrderCtx = { orderId, account: a, session: s, spec: o, actor, ip, ua };
    // Shares of an open sell order are reserved, so nobody (customer or attacker) sells them twice.
    if (o.side === 'sell') a.holdings.set(o.symbol, Math.max(0, (a.holdings.get(o.symbol) ?? 0) - o.qty));
    const result: OrderResult = { orderId, filledQty: 0, yen: 0, lastPrice: ref, notionalYen };
    const start = sd.tradableAt(t);
    if (start === undefined) {
      this.release(ctx, o.qty);
      return result;
    }
    const tf = Math.max(start + this.rng.int(5, 900), t + this.rng.int(20, 400), (a.lastFill.get(o.symbol) ?? 0) + this.rng.int(1, 50));
    const q = sd.quoteAt(tf);
    const marketable = o.type === 'market' || (o.side === 'buy' ? limit! >= q.ask : limit! <= q.bid);
    let remaining = o.qty;
    if (marketable) {
      const taken = sd.take(o.side, o.qty, tf, limit);
      let ft = tf;
      for (const f of taken.fills) {
        const yen = this.fill(ctx, ft, f.price, f.qty);
        result.filledQty += f.qty;
        result.yen += yen;
        result.lastPrice = f.price;
        a.lastFill.set(o.symbol, ft);
        if (f.against) this.fill(f.against.owner, ft, f.price, f.qty);
        sd.prints.push({ t: ft, price: f.price, qty: f.qty, aggressor: o.side });
        ft += this.rng.int(1, 40);
      }
      remaining = taken.remaining;
    }
    if (remaining > 0) {
      if (limit === undefined) this.release(ctx, remaining);
      else result.resting = sd.rest(ctx, o.side, limit, remaining, tf, o.cancelAfterMs !== undefined ? t + o.cancelAfterMs : undefined);
    }
    return result;
  }

  /** The customer's amend or cancel of a resting limit order, as an `order` event. */
  private emitRestingChange(r: RestingOrder<OrderCtx>, t: number, limit: number, action: 'amend' | 'cancel'): void {
    const ctx = r.owner;
    this.emit(
      t,
      {
        type: 'order',
        order_id: ctx.orderId,
        account_id: ctx.account.id,
        session_id: ctx.session.id,
        ip: ctx.ip,
        user_agent: ctx.ua,
        channel: ctx.session.channel,
        symbol: ctx.spec.symbol,
        side: ctx.spec.side,
        qty: r.remaining,
        order_type: 'limit',
        limit_price: limit,
        action,
      },
      ctx.actor,
    );
  }

  /** Move a resting limit order's price at `t`, if it is still open then. */
  amend(r: RestingOrder<OrderCtx>, t: number, newLimit: number): boolean {
    t = this.jitter(t);
    if (r.remaining <= 0 || (r.crossT !== undefined && r.crossT <= t) || (r.cancelT !== undefined && r.cancelT <= t)) return false;
    const ctx = r.owner;
    const sd = this.day(ctx.spec.symbol);
    const limit = roundToTick(sd.spec, newLimit);
    this.emitRestingChange(r, t, limit, 'amend');
    sd.reprice(r, limit, t);
    return true;
  }

  private fill(ctx: OrderCtx, t: number, price: number, qty: number): number {
    const a = ctx.account;
    const spec = this.instruments.get(ctx.spec.symbol)!;
    const yen = Math.round(qty * price * spec.fx);
    if (ctx.actor === 'attacker') this.attackYenExecuted += yen;
    if (ctx.spec.side === 'buy') {
      a.holdings.set(ctx.spec.symbol, (a.holdings.get(ctx.spec.symbol) ?? 0) + qty);
      a.cash -= yen;
    } else {
      a.cash += yen;
    }
    this.emit(
      t,
      { type: 'execution', exec_id: `x${(++this.execSeq).toString().padStart(8, '0')}`, order_id: ctx.orderId, account_id: a.id, symbol: ctx.spec.symbol, side: ctx.spec.side, qty, price },
      ctx.actor,
    );
    return yen;
  }

  private release(ctx: OrderCtx, qty: number): void {
    if (ctx.spec.side === 'sell') ctx.account.holdings.set(ctx.spec.symbol, (ctx.account.holdings.get(ctx.spec.symbol) ?? 0) + qty);
  }

  /**
   * Close the day: resting orders fill passively or are cancelled/expire, the whole market's tape is
   * added, and the day's events are sorted by arrival and given ids.
   */
  endDay(marketVolumeFactor: (symbol: string) => number): DayOutput {
    for (const sd of this.symbolDays.values()) {
      for (const r of sd.resting) this.closeResting(sd, r);
      sd.printMarket(marketVolumeFactor(sd.spec.symbol));
      for (const p of sd.prints) {
        // Market data arrives through its own feed, up to ~1.5 s behind the broker's own events.
        this.emit(p.t, { type: 'market_trade', symbol: sd.spec.symbol, price: p.price, qty: p.qty, aggressor: p.aggressor }, 'customer', this.rng.int(0, 1500));
      }
    }
    const buf = this.buffer;
    this.buffer = [];
    buf.sort((x, y) => x.key - y.key || x.seq - y.seq);
    const out: DayOutput = { events: [], malicious: [], beneficiary: [] };
    for (const p of buf) {
      const t = Number(p.ev.ts);
      if (t < this.windowStart - 120_000 || t >= this.windowEnd) {
        throw new Error(`simulator bug: ${p.ev.type} event at ${isoJst(t)} outside the day window ${isoJst(this.windowStart)}–${isoJst(this.windowEnd)}`);
      }
      p.ev.id = `ev${(++this.eventSeq).toString().padStart(9, '0')}`;
      p.ev.ts = isoJst(t);
      this.counts[p.ev.type] = (this.counts[p.ev.type] ?? 0) + 1;
      if (p.actor !== 'customer') out.malicious.push(p.ev.id);
      if (p.actor === 'beneficiary') out.beneficiary.push(p.ev.id);
      out.events.push(p.ev as unknown as KgEvent);
    }
    return out;
  }

  private closeResting(sd: SymbolDay<OrderCtx>, r: RestingOrder<OrderCtx>): void {
    if (r.remaining <= 0) return;
    const ctx = r.owner;
    if (r.crossT !== undefined && (r.cancelT === undefined || r.crossT < r.cancelT)) {
      this.fill(ctx, r.crossT, r.price, r.remaining);
      sd.prints.push({ t: r.crossT, price: r.price, qty: r.remaining, aggressor: r.side === 'buy' ? 'sell' : 'buy' });
    } else {
      if (r.cancelT !== undefined && r.cancelT < this.windowEnd - 60_000) {
        this.emitRestingChange(r, r.cancelT, r.price, 'cancel');
      }
      this.release(ctx, r.remaining);
    }
    r.remaining = 0;
  }
}
