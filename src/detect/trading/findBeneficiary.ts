import type { Episode, PositionTrack } from './TradingState.js';

/** Thresholds of `findBeneficiary` (resolved from `TradingDetectorOptions`). */
export interface BeneficiaryRule {
  accumulationLookbackMs: number;
  minAccumulationDays: number;
  minAccumulationDaysTapeOnly: number;
  minSoldShare: number;
}

export interface BeneficiaryFinding {
  pre_episode_qty: number;
  avg_cost: number;
  sold_qty: number;
  avg_sell_price: number;
  /** Realised profit of the shares sold into the episode against their pre-episode cost, yen. */
  estimated_profit_jpy: number;
  /** Shares sold at the same price within a minute of a hijacked buy (crosses, 馴合). */
  crossed_qty: number;
  /** Pre-episode buying in days of normal volume. */
  accumulation_days: number;
  sell_event_ids: string[];
  first_buy_t: number;
}

/** Sells this long before the onset already count: the onset we learn is an estimate. */
const ONSET_SLACK_MS = 30 * 60_000;
const CROSS_MS = 60_000;

/**
 * Is this account a beneficiary of the episode? It must have bought the symbol in the weeks before the
 * onset well beyond normal volume (the prosecuted case: about 700k shares against 15k a day) and
 * sold a real part of it into the episode. A customer who merely held the name for years and sells
 * into a rise has no such accumulation, so the accumulation is the test, and the crosses against
 * hijacked buys (brief.md §2, 馴合・仮装) are reported as evidence. With no hijacked buying seen
 * (only a tape alert) the bar is higher, because a news-driven rise has sellers too.
 */
export function findBeneficiary(pos: PositionTrack, ep: Episode, fx: number, rule: BeneficiaryRule): BeneficiaryFinding | undefined {
  let preQty = 0;
  let preCost = 0;
  let firstBuy = Infinity;
  for (const [, dayT, qty, yen] of pos.buys) {
    if (dayT >= ep.onset_t || dayT < ep.onset_t - rule.accumulationLookbackMs) continue;
    preQty += qty;
    preCost += yen;
    firstBuy = Math.min(firstBuy, dayT);
  }
  if (preQty === 0 || ep.adv <= 0) return undefined;
  const days = preQty / ep.adv;
  const need = ep.hijacked.size > 0 ? rule.minAccumulationDays : rule.minAccumulationDaysTapeOnly;
  if (days < need) return undefined;
  let soldQty = 0;
  let soldValue = 0;
  const ids: string[] = [];
  for (const [t, qty, price, id] of pos.sells) {
    if (t < ep.onset_t - ONSET_SLACK_MS) continue;
    soldQty += qty;
    soldValue += qty * price;
    if (ids.length < 50) ids.push(id);
  }
  if (soldQty < rule.minSoldShare * preQty) return undefined;
  const avgCost = preCost / preQty / fx;
  const avgSell = soldValue / soldQty;
  let crossed = 0;
  for (const [t, qty, price] of pos.sells) {
    if (t < ep.onset_t - ONSET_SLACK_MS) continue;
    let left = qty;
    for (const [bt, bp, bq] of ep.hijacked_buys) {
      if (left <= 0) break;
      if (Math.abs(bt - t) <= CROSS_MS && Math.abs(bp - price) <= price * 1e-3) left -= Math.min(left, bq);
    }
    crossed += qty - left;
  }
  const matchedQty = Math.min(soldQty, preQty);
  return {
    pre_episode_qty: preQty,
    avg_cost: round2(avgCost),
    sold_qty: soldQty,
    avg_sell_price: round2(avgSell),
    estimated_profit_jpy: Math.round(matchedQty * (avgSell - avgCost) * fx),
    crossed_qty: crossed,
    accumulation_days: round2(days),
    sell_event_ids: ids,
    first_buy_t: firstBuy,
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
