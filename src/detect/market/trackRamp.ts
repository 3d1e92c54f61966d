import type { MarketTradeEvent } from '../../events/schema.js';
import type { ObserveContext } from '../../engine/types.js';

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
}

export const RAMPING_DEFAULTS: Required<RampingOptions> = {
  minUptickOrders: 8,
  minRise: 0.05,
  maxRunMinutes: 15,
  minVolumeDays: 0.25,
};

const SAMPLE = 12;

/** Ramping state of one symbol: plain scalars and a fixed ring, so a trade allocates nothing. */
export interface RampState {
  day: number;
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

export function createRampState(): RampState {
  return { day: -1, lastUpT: -1, runStartPrice: 0, runStartT: 0, runStartTs: '', runUps: 0, runVol: 0, runIds: new Array<string>(SAMPLE).fill(''), runIdPos: 0, alertedDay: -1 };
}

/** What the tape surveillance already knows about the trade, shared by every check. */
export interface TradeFacts {
  t: number;
  day: number;
  /** +1 buyer-initiated, -1 seller-initiated, 0 unknown. */
  side: number;
  /** Price of the previous print of the symbol (0 for the first). */
  last: number;
  /** Median normal daily volume of the symbol, 0 while it has no history. */
  baseVol: number;
}

/**
 * Ramping: an unbroken run of buyer-initiated prints, each at or above the last, made of many
 * separate orders that each lift the price — the consecutive aggressive buys (買い上がり) that hijacked
 * accounts use to walk a thin name up (brief.md §2). A sell print or a down-tick breaks the run;
 * prints of one order walking the book (same timestamp) count as one order. One alert per symbol-day.
 */
export function trackRamp(r: RampState, ev: MarketTradeEvent, f: TradeFacts, o: Required<RampingOptions>, ctx: ObserveContext): void {
  if (f.day !== r.day) {
    r.day = f.day;
    r.runUps = 0;
  }
  const price = ev.price;
  if (f.side <= 0 || price < f.last) {
    r.runUps = 0;
    return;
  }
  if (r.runUps === 0) {
    if (price <= f.last) return;
    r.runStartPrice = f.last;
    r.runStartT = f.t;
    r.runStartTs = ev.ts;
    r.runVol = 0;
    r.runIdPos = 0;
    // The first uptick opens the run even when it shares a timestamp with an earlier run's order.
    r.lastUpT = -1;
  }
  r.runVol += ev.qty;
  r.runIds[r.runIdPos % SAMPLE] = ev.id;
  r.runIdPos++;
  if (price > f.last && f.t !== r.lastUpT) {
    r.runUps++;
    r.lastUpT = f.t;
  }
  if (
    r.runUps >= o.minUptickOrders &&
    r.alertedDay !== f.day &&
    f.baseVol > 0 &&
    f.t - r.runStartT <= o.maxRunMinutes * 60_000 &&
    price / r.runStartPrice - 1 >= o.minRise &&
    r.runVol >= o.minVolumeDays * f.baseVol
  ) {
    r.alertedDay = f.day;
    raiseRamp(r, ev, f, ctx);
  }
}

function raiseRamp(r: RampState, ev: MarketTradeEvent, f: TradeFacts, ctx: ObserveContext): void {
  const rise = ev.price / r.runStartPrice - 1;
  const minutes = (f.t - r.runStartT) / 60_000;
  const ids: string[] = [];
  for (let i = Math.max(0, r.runIdPos - SAMPLE); i < r.runIdPos; i++) ids.push(r.runIds[i % SAMPLE]);
  ctx.raise({
    kind: 'ramping',
    severity: 'medium',
    score: Math.round(Math.min(1, 0.5 + rise + r.runUps / 100) * 1e4) / 1e4,
    symbol: ev.symbol,
    window: { start: r.runStartTs, end: ev.ts },
    reasons: [
      {
        code: 'CONSECUTIVE_AGGRESSIVE_BUYS',
        detail: `${r.runUps} separate buy orders each lifted the price without a sell in between, ${r.runStartPrice} → ${ev.price} (+${(rise * 100).toFixed(1)} %) in ${minutes.toFixed(1)} min on ${r.runVol.toLocaleString('en-US')} shares (${(r.runVol / f.baseVol).toFixed(2)} normal days)`,
      },
    ],
    event_ids: ids,
    data: { uptick_orders: r.runUps, start_price: r.runStartPrice, price: ev.price, rise, minutes, run_volume: r.runVol, baseline_daily_volume: f.baseVol },
  });
}
