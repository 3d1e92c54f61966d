/**
 * Facts every detector may read, maintained by the engine from the event stream: reference data,
 * account positions, live sessions, account holds and a light per-symbol market summary.
 * Detectors read it; only the engine (and the case workflow, through `releaseHold`) writes it.
 */
import type { AccountEvent, InstrumentEvent, KgEvent } from '../events/schema.js';
import { fxToJpy } from '../events/fx.js';
import type { Decision } from './types.js';

export interface SessionInfo {
  session_id: string;
  account_id: string;
  login_event_id: string;
  ip: string;
  user_agent: string;
  device_id?: string;
  mfa: string;
  channel: string;
  /** Login time, epoch ms. */
  t: number;
  /** Last activity, epoch ms. */
  last_t: number;
  /** Decision taken on the login that opened it. */
  login_decision?: Decision['decision'];
  /** Login risk score 0..1 (from that decision). */
  risk: number;
}

export interface AccountState {
  account_id: string;
  opened_at: string;
  birth_year?: number;
  residence_country?: string;
  /** symbol → shares, kept current from executions. */
  holdings: Map<string, number>;
  cash_jpy: number;
}

export interface HoldInfo {
  since_t: number;
  event_id: string;
  decision: Decision['decision'];
  reason: string;
}

export interface SymbolMarket {
  last_price: number;
  last_t: number;
  /** JST day number of `day_volume`. */
  day: number;
  day_volume: number;
  day_trades: number;
  day_open: number;
  /** Mean of completed days' volumes (last up to 20 days, exponential), 0 when unknown. */
  avg_daily_volume: number;
  days_seen: number;
}

const JST_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;
const SESSION_IDLE_MS = 7 * DAY_MS;
export const jstDay = (t: number): number => Math.floor((t + JST_MS) / DAY_MS);

export class WorldState {
  instruments = new Map<string, InstrumentEvent>();
  accounts = new Map<string, AccountState>();
  sessions = new Map<string, SessionInfo>();
  holds = new Map<string, HoldInfo>();
  market = new Map<string, SymbolMarket>();
  private sweepDay = -1;
  /** Start of the JST day of the last sweep check, epoch ms. */
  private sweepFrom = Infinity;

  /** Apply one event after its decision. */
  apply(ev: KgEvent, t: number, decision?: Decision): void {
    switch (ev.type) {
      case 'instrument':
        this.instruments.set(ev.symbol, ev);
        break;
      case 'account':
        this.accounts.set(ev.account_id, accountFromSnapshot(ev));
        break;
      case 'login':
        if (ev.outcome === 'success' && ev.session_id && ev.account_id) {
          this.sessions.set(ev.session_id, {
            session_id: ev.session_id,
            account_id: ev.account_id,
            login_event_id: ev.id,
            ip: ev.ip,
            user_agent: ev.user_agent,
            device_id: ev.device_id,
            mfa: ev.mfa,
            channel: ev.channel,
            t,
            last_t: t,
            login_decision: decision?.decision,
            risk: decision?.score ?? 0,
          });
        }
        break;
      case 'order':
      case 'account_change':
      case 'cash': {
        const s = this.sessions.get(ev.session_id);
        if (s) s.last_t = t;
        if (decision && (decision.decision === 'hold' || decision.decision === 'block') && decision.hold_scope !== 'order' && !this.holds.has(ev.account_id)) {
          this.holds.set(ev.account_id, {
            since_t: t,
            event_id: ev.id,
            decision: decision.decision,
            reason: decision.reasons[0]?.code ?? decision.decision.toUpperCase(),
          });
        }
        if (ev.type === 'cash') {
          const a = this.accounts.get(ev.account_id);
          if (a && (!decision || decision.decision === 'allow' || decision.decision === 'step_up')) {
            a.cash_jpy += ev.direction === 'deposit' ? ev.amount_jpy : -ev.amount_jpy;
          }
        }
        break;
      }
      case 'execution': {
        const a = this.accounts.get(ev.account_id);
        if (a) {
          const held = a.holdings.get(ev.symbol) ?? 0;
          const next = ev.side === 'buy' ? held + ev.qty : held - ev.qty;
          if (next > 0) a.holdings.set(ev.symbol, next);
          else a.holdings.delete(ev.symbol);
          const fx = this.fxToJpy(ev.symbol);
          a.cash_jpy += (ev.side === 'buy' ? -1 : 1) * Math.round(ev.qty * ev.price * fx);
        }
        break;
      }
      case 'market_trade':
        this.applyTrade(ev.symbol, ev.price, ev.qty, t);
        break;
      default:
        break;
    }
    // Sessions idle for a week are dropped once a day; the day's bounds spare most events the division.
    if (t < this.sweepFrom || t >= this.sweepFrom + DAY_MS) {
      const day = jstDay(t);
      this.sweepFrom = day * DAY_MS - JST_MS;
      if (day !== this.sweepDay) {
        this.sweepDay = day;
        for (const [id, s] of this.sessions) if (t - s.last_t > SESSION_IDLE_MS) this.sessions.delete(id);
      }
    }
  }

  private applyTrade(symbol: string, price: number, qty: number, t: number): void {
    const day = jstDay(t);
    let m = this.market.get(symbol);
    if (!m) {
      m = { last_price: price, last_t: t, day, day_volume: 0, day_trades: 0, day_open: price, avg_daily_volume: 0, days_seen: 0 };
      this.market.set(symbol, m);
    }
    if (day !== m.day) {
      // Close the previous day into the running mean (alpha 1/20 once 20 days are known).
      if (m.day_volume > 0) {
        m.days_seen++;
        const alpha = Math.max(1 / m.days_seen, 1 / 20);
        m.avg_daily_volume += alpha * (m.day_volume - m.avg_daily_volume);
      }
      m.day = day;
      m.day_volume = 0;
      m.day_trades = 0;
      m.day_open = price;
    }
    m.day_volume += qty;
    m.day_trades++;
    m.last_price = price;
    m.last_t = t;
  }

  /** Yen per unit of the instrument's currency; a fixed table is enough to size orders, not to book them. */
  fxToJpy(symbol: string): number {
    return fxToJpy(this.instruments.get(symbol)?.currency);
  }

  /** Market value of an account's holdings in yen at last prices (unknown prices count 0). */
  portfolioValueJpy(account_id: string): number {
    const a = this.accounts.get(account_id);
    if (!a) return 0;
    let v = 0;
    for (const [sym, qty] of a.holdings) v += qty * (this.market.get(sym)?.last_price ?? 0) * this.fxToJpy(sym);
    return v;
  }

  releaseHold(account_id: string): boolean {
    return this.holds.delete(account_id);
  }

  snapshot(): unknown {
    return {
      instruments: this.instruments,
      accounts: this.accounts,
      sessions: this.sessions,
      holds: this.holds,
      market: this.market,
      sweepDay: this.sweepDay,
    };
  }

  restore(s: unknown): void {
    const o = s as WorldState;
    this.instruments = o.instruments;
    this.accounts = o.accounts;
    this.sessions = o.sessions;
    this.holds = o.holds;
    this.market = o.market;
    this.sweepDay = (o as unknown as { sweepDay: number }).sweepDay;
  }
}

function accountFromSnapshot(ev: AccountEvent): AccountState {
  return {
    account_id: ev.account_id,
    opened_at: ev.opened_at,
    birth_year: ev.birth_year,
    residence_country: ev.residence_country,
    holdings: new Map(ev.holdings.filter((h) => h.qty > 0).map((h) => [h.symbol, h.qty])),
    cash_jpy: ev.cash_jpy,
  };
}
