import type { ExecutionEvent, KgEvent } from '../../events/schema.js';
import type { Alert, AlertContext, Detector, ObserveContext } from '../../engine/types.js';
import { jstDay } from '../../engine/WorldState.js';
import { findMarketCalendar, isAuctionSecond } from './marketCalendar.js';

/** Thresholds of matched/wash trade surveillance between this broker's accounts. */
export interface WashTradeOptions {
  /** Executions this close in time count as the same second. Default 1000 ms. */
  matchWithinMs?: number;
  /** The same pair of accounts matched at least this many times in a symbol-day. Default 2. */
  minMatches?: number;
  /** Or matched shares reaching this share of the symbol's normal daily volume. Default 0.25. */
  minVolumeShare?: number;
  /** …or this share on a day the tape surveillance saw a surge in the symbol (pump or frenzy). Default 0.02. */
  minVolumeShareInEpisode?: number;
}

const DEFAULTS: Required<WashTradeOptions> = { matchWithinMs: 1000, minMatches: 2, minVolumeShare: 0.25, minVolumeShareInEpisode: 0.02 };
const SURGE_KINDS = new Set(['pump_and_dump', 'market_frenzy']);

interface RecentExecution {
  t: number;
  ts: string;
  buy: boolean;
  price: number;
  qty: number;
  account: string;
  execId: string;
  matched: boolean;
}

interface Pair {
  buyer: string;
  seller: string;
  symbol: string;
  matches: number;
  qty: number;
  yen: number;
  firstTs: string;
  lastTs: string;
  price: number;
  ids: string[];
  alerted: boolean;
}

interface State {
  day: number;
  recent: Map<string, RecentExecution[]>;
  /** `buyer|seller|symbol` → matches of the current day. */
  pairs: Map<string, Pair>;
  /** Symbols with a surge today (from the tape surveillance's alerts). */
  surging: Set<string>;
}

/**
 * Matched (馴合) and wash (仮装) trades inside this broker: executions in one symbol at the same
 * price within the same second on opposite sides, for two different accounts — the crosses between
 * a hijacked account and a beneficiary that move a thin name (brief.md §2). Two customers meeting by
 * chance is possible in a liquid name, so a pair is raised only when it repeats or its size matters
 * for the symbol. One alert per pair and symbol per day; `account_id` is the buyer (in the threat,
 * the hijacked account), `data.sell_account` the counterpart.
 */
export class WashTradeDetector implements Detector {
  readonly name = 'market.wash_trade';
  private readonly o: Required<WashTradeOptions>;
  private state: State = { day: -1, recent: new Map(), pairs: new Map(), surging: new Set() };

  constructor(opts: WashTradeOptions = {}) {
    this.o = { ...DEFAULTS, ...opts };
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    if (ev.type === 'execution') this.observeExecution(ev, ctx);
  }

  /** Crosses inside a surge are the attack's matched trades: a smaller size is enough (checked on the symbol's next execution). */
  onAlert(alert: Alert, _ctx: AlertContext): void {
    if (alert.symbol && SURGE_KINDS.has(alert.kind)) this.state.surging.add(alert.symbol);
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = state as State;
  }

  private observeExecution(ev: ExecutionEvent, ctx: ObserveContext): void {
    const st = this.state;
    const t = ctx.t;
    const day = jstDay(t);
    if (day !== st.day) {
      st.day = day;
      st.pairs.clear();
      st.recent.clear();
      st.surging.clear();
    }
    // In a call auction every fill shares one price and instant: opposite fills there are not crosses.
    if (isAuctionSecond(t, findMarketCalendar(ev.symbol, ctx.world))) return;
    if (st.surging.has(ev.symbol)) this.raisePending(ev.symbol, ctx);
    let list = st.recent.get(ev.symbol);
    if (list === undefined) {
      list = [];
      st.recent.set(ev.symbol, list);
    }
    let drop = 0;
    while (drop < list.length && list[drop].t < t - this.o.matchWithinMs) drop++;
    if (drop > 0) list.splice(0, drop);
    const buy = ev.side === 'buy';
    const mine: RecentExecution = { t, ts: ev.ts, buy, price: ev.price, qty: ev.qty, account: ev.account_id, execId: ev.exec_id, matched: false };
    for (const other of list) {
      if (other.matched || other.buy === buy || other.price !== ev.price || other.account === ev.account_id) continue;
      other.matched = true;
      mine.matched = true;
      this.recordMatch(buy ? mine : other, buy ? other : mine, ev, ctx);
      break;
    }
    list.push(mine);
  }

  private recordMatch(b: RecentExecution, s: RecentExecution, ev: ExecutionEvent, ctx: ObserveContext): void {
    const key = `${b.account}|${s.account}|${ev.symbol}`;
    let pair = this.state.pairs.get(key);
    if (pair === undefined) {
      pair = { buyer: b.account, seller: s.account, symbol: ev.symbol, matches: 0, qty: 0, yen: 0, firstTs: b.t < s.t ? b.ts : s.ts, lastTs: ev.ts, price: ev.price, ids: [], alerted: false };
      this.state.pairs.set(key, pair);
    }
    const qty = Math.min(b.qty, s.qty);
    pair.matches++;
    pair.qty += qty;
    pair.lastTs = ev.ts;
    pair.price = ev.price;
    pair.yen += qty * ev.price * ctx.world.fxToJpy(ev.symbol);
    if (pair.ids.length < 20) pair.ids.push(b.execId, s.execId);
    this.raiseIfSuspicious(pair, ctx);
  }

  private raisePending(symbol: string, ctx: ObserveContext): void {
    for (const pair of this.state.pairs.values()) if (pair.symbol === symbol && !pair.alerted) this.raiseIfSuspicious(pair, ctx);
  }

  private raiseIfSuspicious(pair: Pair, ctx: ObserveContext): void {
    if (pair.alerted) return;
    const normal = ctx.world.market.get(pair.symbol)?.avg_daily_volume ?? 0;
    const duringSurge = this.state.surging.has(pair.symbol);
    const share = duringSurge ? this.o.minVolumeShareInEpisode : this.o.minVolumeShare;
    const sizeMatters = normal > 0 && pair.qty >= share * normal;
    if (pair.matches < this.o.minMatches && !sizeMatters) return;
    pair.alerted = true;
    const ofDay = normal > 0 ? pair.qty / normal : null;
    ctx.raise({
      kind: 'wash_trade',
      severity: 'high',
      score: Math.round(Math.min(1, 0.6 + 0.1 * pair.matches + (ofDay ?? 0)) * 1e4) / 1e4,
      account_id: pair.buyer,
      symbol: pair.symbol,
      window: { start: pair.firstTs, end: pair.lastTs },
      reasons: [
        {
          code: 'MATCHED_TRADES',
          detail: `accounts ${pair.buyer} (buy) and ${pair.seller} (sell) traded ${pair.symbol} with each other ${pair.matches}× at the same price within a second, ${pair.qty.toLocaleString('en-US')} shares${ofDay !== null ? ` (${(ofDay * 100).toFixed(1)} % of a normal day)` : ''}${duringSurge ? ' during a surge in the symbol' : ''}`,
        },
      ],
      event_ids: pair.ids.slice(),
      data: {
        buy_account: pair.buyer,
        sell_account: pair.seller,
        matches: pair.matches,
        qty: pair.qty,
        yen: Math.round(pair.yen),
        price: pair.price,
        normal_daily_volume: normal,
        during_surge: duringSurge,
      },
    });
  }
}
