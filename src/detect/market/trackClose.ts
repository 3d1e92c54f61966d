import type { MarketTradeEvent } from '../../events/schema.js';
import type { ObserveContext } from '../../engine/types.js';
import { medianOf } from './medianOf.js';
import type { TradeFacts } from './trackRamp.js';

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
  /** Completed days of closing-window history before a symbol can raise. Default 2. */
  minHistoryDays?: number;
}

export const MARKING_CLOSE_DEFAULTS: Required<MarkingCloseOptions> = {
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

/** Closing-window state of one symbol. */
export interface CloseState {
  /** Local minute of the day of the close; -1 when unknown (the check is off). */
  closeMinute: number;
  utcOffsetHours: number;
  day: number;
  histMove: Float64Array;
  histN: number;
  histPos: number;
  typicalMove: number;
  /** Last price in today's closing window. */
  lastPrice: number;
  /** Last price before the closing window. */
  ref: number;
  /** Epoch ms of today's closing window. */
  winStartT: number;
  winEndT: number;
  winVol: number;
  winBuy: number;
  winSell: number;
  winUps: number;
  winStartTs: string;
  winIds: string[];
  alertedDay: number;
}

export function createCloseState(closeMinute: number, utcOffsetHours: number): CloseState {
  return {
    closeMinute,
    utcOffsetHours,
    day: -1,
    histMove: new Float64Array(HISTORY_DAYS),
    histN: 0,
    histPos: 0,
    typicalMove: 0,
    lastPrice: 0,
    ref: 0,
    winStartT: 0,
    winEndT: 0,
    winVol: 0,
    winBuy: 0,
    winSell: 0,
    winUps: 0,
    winStartTs: '',
    winIds: [],
    alertedDay: -1,
  };
}

/**
 * Marking the close: aggressive buying in the last minutes before the close that lifts the closing
 * price well beyond what the symbol usually moves then (the close values the beneficiaries' and the
 * victims' positions and sets the next day's reference). Markets whose close moves with daylight
 * saving (US) are not covered. One alert per symbol per day.
 */
export function trackClose(c: CloseState, ev: MarketTradeEvent, f: TradeFacts, o: Required<MarkingCloseOptions>, ctx: ObserveContext): void {
  if (c.closeMinute < 0) return;
  if (f.day !== c.day) rollCloseDay(c, f.day, o);
  // Most prints are before the window and cost one comparison.
  if (f.t < c.winStartT || f.t >= c.winEndT) return;
  const price = ev.price;
  if (c.winVol === 0) {
    // The previous print (before the window, or the last close) is the reference.
    if (f.last === 0) return;
    c.ref = f.last;
    c.winStartTs = ev.ts;
  }
  c.lastPrice = price;
  c.winVol += ev.qty;
  if (f.side > 0) {
    c.winBuy += ev.qty;
    if (price > f.last) c.winUps++;
  } else if (f.side < 0) c.winSell += ev.qty;
  if (c.winIds.length < SAMPLE) c.winIds.push(ev.id);
  const rise = price / c.ref - 1;
  if (
    c.alertedDay !== f.day &&
    c.histN >= o.minHistoryDays &&
    f.baseVol > 0 &&
    rise >= o.minRise &&
    rise >= o.minTypicalMultiple * c.typicalMove &&
    c.winUps >= o.minUptickBuys &&
    c.winBuy >= o.minBuyShare * (c.winBuy + c.winSell) &&
    c.winVol >= o.minVolumeDays * f.baseVol
  ) {
    c.alertedDay = f.day;
    const buyShare = c.winBuy / (c.winBuy + c.winSell);
    ctx.raise({
      kind: 'marking_the_close',
      severity: 'medium',
      score: Math.round(Math.min(1, 0.5 + rise * 3 + (buyShare - 0.75)) * 1e4) / 1e4,
      symbol: ev.symbol,
      window: { start: c.winStartTs, end: ev.ts },
      reasons: [
        {
          code: 'CLOSE_LIFTED',
          detail: `in the last ${o.windowMinutes} minutes before the close the price went ${c.ref} → ${price} (+${(rise * 100).toFixed(1)} %, usually ±${(c.typicalMove * 100).toFixed(1)} %) on ${c.winUps} price-raising buys, ${(buyShare * 100).toFixed(0)} % of the volume buyer-initiated`,
        },
      ],
      event_ids: c.winIds.slice(),
      data: { ref_price: c.ref, price, rise, typical_move: c.typicalMove, aggressive_buy_share: buyShare, uptick_buys: c.winUps, window_volume: c.winVol, baseline_daily_volume: f.baseVol },
    });
  }
}

function rollCloseDay(c: CloseState, day: number, o: Required<MarkingCloseOptions>): void {
  if (c.day >= 0) {
    c.histMove[c.histPos] = c.winVol > 0 && c.ref > 0 ? Math.abs(c.lastPrice / c.ref - 1) : 0;
    c.histPos = (c.histPos + 1) % HISTORY_DAYS;
    if (c.histN < HISTORY_DAYS) c.histN++;
    c.typicalMove = medianOf(c.histMove, c.histN);
  }
  c.day = day;
  const closeT = day * 86_400_000 - c.utcOffsetHours * 3_600_000 + c.closeMinute * 60_000;
  c.winStartT = closeT - o.windowMinutes * 60_000;
  c.winEndT = closeT + AUCTION_GRACE_MIN * 60_000;
  c.winVol = 0;
  c.winBuy = 0;
  c.winSell = 0;
  c.winUps = 0;
  c.winIds = [];
}
