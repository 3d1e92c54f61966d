import type { WorldState } from '../../engine/WorldState.js';
import type { ResolvedTradingOptions } from './TradingDetectorOptions.js';
import type { DailyVolume } from './TradingState.js';

const FOREIGN_MARKETS = new Set(['HKEX', 'SSE', 'SZSE', 'NASDAQ', 'NYSE']);

export interface SymbolFacts {
  /** Last trade price in the instrument's currency, 0 when never traded. */
  price: number;
  /** Yen per unit of the instrument's currency. */
  fx: number;
  /** Normal daily volume in shares, 0 while fewer than two full days are known. */
  adv: number;
  /** Normal daily turnover in yen, 0 when unknown. */
  turnover_jpy: number;
  thin: boolean;
  foreign: boolean;
  market?: string;
}

/**
 * What the world knows about a symbol's liquidity, as the trading rules need it. Normal volume is the
 * median of the completed days (`daily`), because a mean is dragged up by a single pump day at
 * 100–300× normal, after which the pumped name would no longer look thin.
 */
export function describeSymbol(symbol: string, world: WorldState, opts: ResolvedTradingOptions, daily?: Map<string, DailyVolume>): SymbolFacts {
  const m = world.market.get(symbol);
  const inst = world.instruments.get(symbol);
  const fx = world.fxToJpy(symbol);
  const price = m?.last_price ?? 0;
  // One day of volume is not a baseline: the first day seen may be the pump itself.
  const d = daily?.get(symbol);
  const adv = d && d.hist.length >= 2 ? d.median : m && m.days_seen >= 2 ? m.avg_daily_volume : 0;
  const turnover = adv * price * fx;
  let thin: boolean;
  if (turnover > 0) thin = turnover < opts.thinTurnoverJpy;
  else if (inst?.market_cap_jpy !== undefined) thin = inst.market_cap_jpy < opts.smallCapJpy;
  else thin = inst !== undefined && inst.market !== 'TSE-Prime' && inst.market !== 'NASDAQ' && inst.market !== 'NYSE';
  const foreign = inst ? FOREIGN_MARKETS.has(inst.market) || inst.currency !== 'JPY' : false;
  return { price, fx, adv, turnover_jpy: turnover, thin, foreign, market: inst?.market };
}
