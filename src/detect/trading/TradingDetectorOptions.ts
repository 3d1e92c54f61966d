import type { RestrictedSymbols } from './parseRestrictedSymbols.js';

/** Options of the trading detectors. Every field is optional; the defaults follow brief.md §2. */
export interface TradingDetectorOptions {
  /** Restricted symbols (see `parseRestrictedSymbols`): buys are held. Default none. */
  restricted?: RestrictedSymbols;
  /**
   * A symbol whose normal daily turnover (average daily volume × price) is below this is "thin".
   * Targets trade 1k–20k shares a day at ¥80–200, i.e. well under ¥5M. Default ¥50M.
   */
  thinTurnoverJpy?: number;
  /** Market cap under which an instrument with no volume history yet counts as thin. Default ¥10bn. */
  smallCapJpy?: number;
  /** Window over which sells add up to a liquidation, ms. Default 24 h. */
  liquidationWindowMs?: number;
  /** Window in which buys of one thin symbol by several accounts count as coordinated, ms. Default 2 h. */
  coordinationWindowMs?: number;
  /** Fewest distinct accounts, each with a risky session or a liquidation, for a coordinated-trading alert. Default 3. */
  minCoordinatedAccounts?: number;
  /** Least share of those accounts with a risky session or a liquidation. Default 0.6. */
  minSuspiciousShare?: number;
  /** A second account_takeover for the same account is not raised within this time, ms. Default 24 h. */
  takeoverDedupMs?: number;
  /** How far before an episode's onset a beneficiary's accumulation is looked for, ms. Default 30 days. */
  accumulationLookbackMs?: number;
  /** Least pre-episode buying, in days of normal volume, for a beneficiary. Default 0.5. */
  minAccumulationDays?: number;
  /** Same, when the only evidence of the episode is a tape alert (no hijacked buying seen). Default 2. */
  minAccumulationDaysTapeOnly?: number;
  /** Least share of the accumulated shares sold into the episode. Default 0.25. */
  minSoldShare?: number;
  /** Least yen sold into the episode when the position was under two days of normal volume. Default ¥2M. */
  minSoldJpy?: number;
  /** Least average gain of the sells over the pre-episode cost (0.03 = 3 %). Default 0.03. */
  minGain?: number;
}

export type ResolvedTradingOptions = Required<Omit<TradingDetectorOptions, 'restricted'>> & { restricted: RestrictedSymbols };

const HOUR = 3_600_000;

export function resolveTradingOptions(o: TradingDetectorOptions = {}): ResolvedTradingOptions {
  const r: ResolvedTradingOptions = {
    // A copy: the list API changes the detector's list, never the caller's map.
    restricted: new Map(o.restricted ?? []),
    thinTurnoverJpy: o.thinTurnoverJpy ?? 50_000_000,
    smallCapJpy: o.smallCapJpy ?? 10_000_000_000,
    liquidationWindowMs: o.liquidationWindowMs ?? 24 * HOUR,
    coordinationWindowMs: o.coordinationWindowMs ?? 2 * HOUR,
    minCoordinatedAccounts: o.minCoordinatedAccounts ?? 3,
    minSuspiciousShare: o.minSuspiciousShare ?? 0.6,
    takeoverDedupMs: o.takeoverDedupMs ?? 24 * HOUR,
    accumulationLookbackMs: o.accumulationLookbackMs ?? 30 * 24 * HOUR,
    minAccumulationDays: o.minAccumulationDays ?? 0.5,
    minAccumulationDaysTapeOnly: o.minAccumulationDaysTapeOnly ?? 2,
    minSoldShare: o.minSoldShare ?? 0.25,
    minSoldJpy: o.minSoldJpy ?? 2_000_000,
    minGain: o.minGain ?? 0.03,
  };
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' && !(v >= 0 && Number.isFinite(v))) {
      throw new Error(`trading option ${k} must be a finite number >= 0, got ${String(v)}`);
    }
  }
  if (r.minSuspiciousShare > 1) throw new Error(`trading option minSuspiciousShare must be within 0..1, got ${r.minSuspiciousShare}`);
  return r;
}
