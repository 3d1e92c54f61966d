import type { KgEvent, MarketTradeEvent } from '../../events/schema.js';
import type { Detector, ObserveContext } from '../../engine/types.js';
import { findMarketCalendar } from './marketCalendar.js';
import { medianOf } from './medianOf.js';

/** Thresholds of marking-the-close surveillance. */
export interface MarkingCloseOptions {
  /** Minutes before the close that count as "the close". Default 10. */
  windowMinutes?: number;
  /** Rise of the price in the window over the last price before it. Default 0.03. */
  minRise?: number;
  /** And at least this multiple of the symbol's median absolute move in the same window. Default 4. */
  minTypicalMultiple?: number;
  /** Share of buyer-initiated volume in the window. Default 0.75. */
  minBuyShare?: number;
  /** Price-raising buyer-initiated prints in the window. Default 3. */
  minUptickBuys?: number;
  /** Window volume, in normal days of the symbol. Default 0.1. */
  minVolumeDays?: number;
  /** Completed days of history before a symbol can raise. Default 2. */
  minHistoryDays?: number;
}

const DEFAULTS: Required<MarkingCloseOptions> = {
  windowMinutes: 10,
  minRise: 0.03,
  minTypicalMultiple: 4,
  minBuyShare: 0.75,
  minUptickBuys: 3,
  minVolumeDays: 0.1,
  minHistoryDays: 2,
};

const HISTORY_DAYS = 20;
const SAMPLE = 20;
// Prints up to a minute after the close are the closing auction.
const AUCTION_GRACE_MIN = 1;

interface CloseTape {
  utcOffsetHours: number;
  closeMinute: number;
  day: number;
  dayVol: number;
  histVol: Float64Array;
  histMove: Float64Array;
  histN: number;
  histPos: number;
  baseVol: number;
  typicalMove: number;
  lastPrice: number;
  lastSide: number;
  /** Last price before the closing window. */
  ref: number;
  winVol: number;
  winBuy: number;
  winSell: number;
  winUps: number;
  winStartTs: string;
  winIds: string[];
  alertedDay: number;
}

/**
 * Marking the close: aggressive buying in the last minutes before the close that lifts the closing
 * price well beyond what the symbol usually moves then (the close values the beneficiaries' and the
 * victims' positions and sets the next day's reference). Markets whose close moves with daylight
 * saving (US) are not covered. One alert per symbol per day.
 */
export class MarkingCloseDetector implements Detector {
  readonly name = 'market.marking_the_close';
  private readonly o: Required<MarkingCloseOptions>;
  private symbols = new Map<string, CloseTape>();

  constructor(opts: MarkingCloseOptions = {}) {
    this.o = { ...DEFAULTS, ...opts };
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    if (ev.type === 'market_trade') this.observeTrade(ev, ctx);
  }

  snapshot(): unknown {
    return this.symbols;
  }

  restore(state: unknown): void {
    this.symbols = state as Map<string, CloseTape>;
  }

  private tape(symbol: string, ctx: ObserveContext): CloseTape {
    let s = this.symbols.get(symbol);
    if (s === undefined) {
      const cal = findMarketCalendar(symbol, ctx.world);
      s = {
        utcOffsetHours: cal.utcOffsetHours,
        closeMinute: cal.closeMinute,
        day: -1,
        dayVol: 0,
        histVol: new Float64Array(HISTORY_DAYS),
        histMove: new Float64Array(HISTORY_DAYS),
        histN: 0,
        histPos: 0,
        baseVol: 0,
        typicalMove: 0,
        lastPrice: 0,
        lastSide: 0,
        ref: 0,
        winVol: 0,
        winBuy: 0,
        winSell: 0,
        winUps: 0,
        winStartTs: '',
        winIds: [],
        alertedDay: -1,
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  private observeTrade(ev: MarketTradeEvent, ctx: ObserveContext): void {
    const s = this.tape(ev.symbol, ctx);
    if (s.closeMinute < 0) return;
    const local = ctx.t + s.utcOffsetHours * 3_600_000;
    const day = Math.floor(local / 86_400_000);
    if (day !== s.day) this.rollDay(s, day);
    s.dayVol += ev.qty;
    const price = ev.price;
    const last = s.lastPrice;
    let side = ev.aggressor === 'buy' ? 1 : ev.aggressor === 'sell' ? -1 : 0;
    if (side === 0) side = last === 0 ? 0 : price > last ? 1 : price < last ? -1 : s.lastSide;
    s.lastPrice = price;
    s.lastSide = side;
    const minute = Math.floor((local - day * 86_400_000) / 60_000);
    if (minute < s.closeMinute - this.o.windowMinutes) {
      s.ref = price;
      return;
    }
    if (minute >= s.closeMinute + AUCTION_GRACE_MIN || s.ref === 0) return;
    if (s.winVol === 0) s.winStartTs = ev.ts;
    s.winVol += ev.qty;
    if (side > 0) {
      s.winBuy += ev.qty;
      if (price > last) s.winUps++;
    } else if (side < 0) s.winSell += ev.qty;
    if (s.winIds.length < SAMPLE) s.winIds.push(ev.id);
    const o = this.o;
    const rise = price / s.ref - 1;
    if (
      s.alertedDay !== day &&
      s.histN >= o.minHistoryDays &&
      rise >= o.minRise &&
      rise >= o.minTypicalMultiple * s.typicalMove &&
      s.winUps >= o.minUptickBuys &&
      s.winBuy >= o.minBuyShare * (s.winBuy + s.winSell) &&
      s.winVol >= o.minVolumeDays * s.baseVol
    ) {
      s.alertedDay = day;
      const buyShare = s.winBuy / (s.winBuy + s.winSell);
      ctx.raise({
        kind: 'marking_the_close',
        severity: 'medium',
        score: Math.round(Math.min(1, 0.5 + rise * 3 + (buyShare - 0.75)) * 1e4) / 1e4,
        symbol: ev.symbol,
        window: { start: s.winStartTs, end: ev.ts },
        reasons: [
          {
            code: 'CLOSE_LIFTED',
            detail: `in the last ${o.windowMinutes} minutes before the close the price went ${s.ref} → ${price} (+${(rise * 100).toFixed(1)} %, usually ±${(s.typicalMove * 100).toFixed(1)} %) on ${s.winUps} price-raising buys, ${(buyShare * 100).toFixed(0)} % of the volume buyer-initiated`,
          },
        ],
        event_ids: s.winIds.slice(),
        data: { ref_price: s.ref, price, rise, typical_move: s.typicalMove, aggressive_buy_share: buyShare, uptick_buys: s.winUps, window_volume: s.winVol, baseline_daily_volume: s.baseVol },
      });
    }
  }

  private rollDay(s: CloseTape, day: number): void {
    if (s.day >= 0 && s.dayVol > 0) {
      const move = s.winVol > 0 && s.ref > 0 ? Math.abs(s.lastPrice / s.ref - 1) : 0;
      s.histVol[s.histPos] = s.histN >= 3 ? Math.min(s.dayVol, 5 * s.baseVol) : s.dayVol;
      s.histMove[s.histPos] = move;
      s.histPos = (s.histPos + 1) % HISTORY_DAYS;
      if (s.histN < HISTORY_DAYS) s.histN++;
      s.baseVol = medianOf(s.histVol, s.histN);
      s.typicalMove = medianOf(s.histMove, s.histN);
    }
    s.day = day;
    s.dayVol = 0;
    // A symbol whose first print today is already in the window is compared with the last close.
    s.ref = s.lastPrice;
    s.winVol = 0;
    s.winBuy = 0;
    s.winSell = 0;
    s.winUps = 0;
    s.winIds = [];
  }
}
