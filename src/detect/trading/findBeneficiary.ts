import type { Episode, PositionTrack } from './TradingState.js';

/** Thresholds of `findBeneficiary` (resolved from `TradingDetectorOptions`). */
export interface BeneficiaryRule {
  accumulationLookbackMs: number;
  minAccumulationDays: number;
  minAccumulationDaysTapeOnly: number;
  minSoldShare: number;
  minSoldJpy: number;
  minGain: number;
}

export interface BeneficiaryFinding {
  /** Shares held just before the onset (bought in the lookback, or held from before our data). */
  pre_episode_qty: number;
  /** Of those, bought within the lookback. */
  bought_before_qty: number;
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
  /** Event time of the first pre-episode buy in the lookback, Infinity when the shares were held from before. */
  first_buy_t: number;
}

/** Sells this long before the onset already count: the onset we learn is an estimate. */
const ONSET_SLACK_MS = 30 * 60_000;
const CROSS_MS = 60_000;

/**
 * Is this account a beneficiary of the episode? Just before the onset it must have held a position
 * that is large against the symbol's normal volume (the prosecuted case: about 700k shares against
 * 15k a day), bought in the weeks before or held from before our data began, and it must have sold a
 * real part of it into the episode. An ordinary holder of a thin name holds a fraction of a day's
 * volume; a block of days of volume sold into hijacked buying is the manipulator's exit. Crosses
 * against hijacked buys (brief.md §2, 馴合・仮装) are reported as evidence. With no hijacked buying seen
 * (only a tape alert) the bar is higher, because a news-driven rise has sellers too.
 */
export function findBeneficiary(pos: PositionTrack, heldNow: number, ep: Episode, fx: number, rule: BeneficiaryRule): BeneficiaryFinding | undefined {
  let boughtQty = 0;
  let boughtCost = 0;
  let boughtSince = 0;
  let firstBuy = Infinity;
  for (const [t, qty, yen] of pos.buys) {
    if (t >= ep.onset_t) {
      boughtSince += qty;
      continue;
    }
    if (t < ep.onset_t - rule.accumulationLookbackMs) continue;
    boughtQty += qty;
    boughtCost += yen;
    firstBuy = Math.min(firstBuy, t);
  }
  let soldSince = 0;
  for (const [t, qty] of pos.sells) if (t >= ep.onset_t) soldSince += qty;
  // The position at the onset, rebuilt from now; shares held since before our data began count as
  // accumulated too, at the pre-episode price (their true cost is unknown).
  const heldAtOnset = Math.max(boughtQty, heldNow + soldSince - boughtSince);
  if (heldAtOnset <= 0 || ep.adv <= 0) return undefined;
  const preQty = heldAtOnset;
  const preCost = boughtCost + (preQty - boughtQty) * ep.ref_price * fx;
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
  // A block of a few days' volume is the exit of a pump; a few hundred thousand yen is a customer.
  if (days < 2 && soldValue * fx < rule.minSoldJpy) return undefined;
  const avgCost = preCost / preQty / fx;
  // The exit of a pump sells well above the pre-episode price; a holder who sold at about cost did not profit from it.
  if (!(avgCost > 0) || soldValue / soldQty < avgCost * (1 + rule.minGain)) return undefined;
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
    bought_before_qty: boughtQty,
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
