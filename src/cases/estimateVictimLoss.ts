/** One fill of an unauthorized trade on the victim's account. */
export interface UnauthorizedFill {
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  /** Fill price in yen. */
  price: number;
}

/**
 * A victim's loss from unauthorized trading, marked to market: each share the attacker bought cost its
 * fill price and is worth `mark[symbol]` now (the pumped name falls back after the episode). The
 * holdings sold to fund the buys are valued at their fill prices, so they net out against the buys'
 * cost and add no loss of their own; a broker that restores positions instead would value them at
 * the price of the day of restoration.
 *
 * @throws Error naming the symbol when a bought symbol has no mark price.
 */
export function estimateVictimLoss(fills: UnauthorizedFill[], mark: Record<string, number>): number {
  let loss = 0;
  for (const f of fills) {
    if (f.side !== 'buy') continue;
    const m = mark[f.symbol];
    if (!(typeof m === 'number' && Number.isFinite(m) && m >= 0)) {
      throw new Error(`estimateVictimLoss: no mark price for ${f.symbol}; pass mark["${f.symbol}"] in yen`);
    }
    loss += f.qty * Math.max(0, f.price - m);
  }
  return Math.round(loss);
}
