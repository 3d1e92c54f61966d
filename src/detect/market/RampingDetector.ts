import type { KgEvent, MarketTradeEvent } from '../../events/schema.js';
import type { Detector, ObserveContext } from '../../engine/types.js';
import { findMarketCalendar } from './marketCalendar.js';
import { medianOf } from './medianOf.js';

/** Thresholds of ramping surveillance (買い上がり). */
export interface RampingOptions {
  /** Distinct price-raising buy orders in one unbroken run. Default 8. */
  minUptickOrders?: number;
  /** Rise of the run over the price it started from. Default 0.05. */
  minRise?: number;
  /** The run must do it within this many minutes. Default 15. */
  maxRunMinutes?: number;
  /** Volume of the run, in normal days of the symbol. Default 0.25. */
  minVolumeDays?: number;
  /** Completed days of history before a symbol can raise. Default 1. */
  minHistoryDays?: number;
}

const DEFAULTS: Required<RampingOptions> = {
  minUptickOrders: 8,
  minRise: 0.05,
  maxRunMinutes: 15,
  minVolumeDays: 0.25,
  minHistoryDays: 1,
};

const HISTORY_DAYS = 10;
const SAMPLE = 12;

interface RampTape {
  utcOffsetHours: number;
  day: number;
  dayVol: number;
  histVol: Float64Array;
  histN: number;
  histPos: number;
  baseVol: number;
  lastPrice: number;
  lastSide: number;
  /** Time of the last price-raising buy print: prints of one order walking the book share it. */
  lastUpT: number;
  runStartPrice: number;
  runStartT: number;
  runStartTs: string;
  runUps: number;
  runVol: number;
  runIds: string[];
  runIdPos: number;
  alertedDay: number;
}

/**
 * Ramping: an unbroken run of buyer-initiated prints, each at or above the last, made of many
 * separate orders that each lift the price — the consecutive aggressive buys (買い上がり) that hijacked
 * accounts use to walk a thin name up (brief.md §2). A sell print or a down-tick breaks the run; prints of
 * one order walking the book (same timestamp) count as one order. One alert per symbol per day.
 */
export class RampingDetector implements Detector {
  readonly name = 'market.ramping';
  private readonly o: Required<RampingOptions>;
  private symbols = new Map<string, RampTape>();

  constructor(opts: RampingOptions = {}) {
    this.o = { ...DEFAULTS, ...opts };
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    if (ev.type === 'market_trade') this.observeTrade(ev, ctx);
  }

  snapshot(): unknown {
    return this.symbols;
  }

  restore(state: unknown): void {
    this.symbols = state as Map<string, RampTape>;
  }

  private tape(symbol: string, ctx: ObserveContext): RampTape {
    let s = this.symbols.get(symbol);
    if (s === undefined) {
      s = {
        utcOffsetHours: findMarketCalendar(symbol, ctx.world).utcOffsetHours,
        day: -1,
        dayVol: 0,
        histVol: new Float64Array(HISTORY_DAYS),
        histN: 0,
        histPos: 0,
        baseVol: 0,
        lastPrice: 0,
        lastSide: 0,
        lastUpT: -1,
        runStartPrice: 0,
        runStartT: 0,
        runStartTs: '',
        runUps: 0,
        runVol: 0,
        runIds: new Array<string>(SAMPLE).fill(''),
        runIdPos: 0,
        alertedDay: -1,
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  private observeTrade(ev: MarketTradeEvent, ctx: ObserveContext): void {
    const s = this.tape(ev.symbol, ctx);
    const t = ctx.t;
    const day = Math.floor((t + s.utcOffsetHours * 3_600_000) / 86_400_000);
    if (day !== s.day) {
      if (s.day >= 0 && s.dayVol > 0) {
        s.histVol[s.histPos] = s.histN >= 3 ? Math.min(s.dayVol, 5 * s.baseVol) : s.dayVol;
        s.histPos = (s.histPos + 1) % HISTORY_DAYS;
        if (s.histN < HISTORY_DAYS) s.histN++;
        s.baseVol = medianOf(s.histVol, s.histN);
      }
      s.day = day;
      s.dayVol = 0;
      s.runUps = 0;
    }
    s.dayVol += ev.qty;
    const price = ev.price;
    const last = s.lastPrice;
    let side = ev.aggressor === 'buy' ? 1 : ev.aggressor === 'sell' ? -1 : 0;
    if (side === 0) side = last === 0 ? 0 : price > last ? 1 : price < last ? -1 : s.lastSide;
    s.lastPrice = price;
    s.lastSide = side;
    if (side <= 0 || price < last) {
      s.runUps = 0;
      return;
    }
    if (s.runUps === 0 && price <= last) return;
    if (s.runUps === 0) {
      s.runStartPrice = last;
      s.runStartT = t;
      s.runStartTs = ev.ts;
      s.runVol = 0;
      s.runIdPos = 0;
    }
    s.runVol += ev.qty;
    s.runIds[s.runIdPos % SAMPLE] = ev.id;
    s.runIdPos++;
    if (price > last && t !== s.lastUpT) {
      s.runUps++;
      s.lastUpT = t;
    }
    const o = this.o;
    if (
      s.runUps >= o.minUptickOrders &&
      s.alertedDay !== day &&
      s.histN >= o.minHistoryDays &&
      t - s.runStartT <= o.maxRunMinutes * 60_000 &&
      price / s.runStartPrice - 1 >= o.minRise &&
      s.runVol >= o.minVolumeDays * s.baseVol
    ) {
      s.alertedDay = day;
      this.raise(ev, s, ctx);
    }
  }

  private raise(ev: MarketTradeEvent, s: RampTape, ctx: ObserveContext): void {
    const rise = ev.price / s.runStartPrice - 1;
    const minutes = (ctx.t - s.runStartT) / 60_000;
    const ids: string[] = [];
    for (let i = Math.max(0, s.runIdPos - SAMPLE); i < s.runIdPos; i++) ids.push(s.runIds[i % SAMPLE]);
    ctx.raise({
      kind: 'ramping',
      severity: 'medium',
      score: Math.round(Math.min(1, 0.5 + rise + s.runUps / 100) * 1e4) / 1e4,
      symbol: ev.symbol,
      window: { start: s.runStartTs, end: ev.ts },
      reasons: [
        {
          code: 'CONSECUTIVE_AGGRESSIVE_BUYS',
          detail: `${s.runUps} separate buy orders each lifted the price without a sell in between, ${s.runStartPrice} → ${ev.price} (+${(rise * 100).toFixed(1)} %) in ${minutes.toFixed(1)} min on ${s.runVol.toLocaleString('en-US')} shares (${(s.runVol / s.baseVol).toFixed(2)} normal days)`,
        },
      ],
      event_ids: ids,
      data: { uptick_orders: s.runUps, start_price: s.runStartPrice, price: ev.price, rise, minutes, run_volume: s.runVol, baseline_daily_volume: s.baseVol },
    });
  }
}
