import type { Alert } from '../../engine/types.js';
import type { RestrictedSymbols } from './parseRestrictedSymbols.js';

export interface RestrictionCandidate {
  symbol: string;
  /** 0..1: how strongly the surveillance points at the symbol. */
  score: number;
  /** One line a reviewer can paste as the list entry's reason. */
  reason: string;
  first_ts: string;
  alert_ids: string[];
}

/** What each kind of alert says about the symbol it names. */
const WEIGHT: Record<string, number> = {
  coordinated_trading: 0.8,
  pump_and_dump: 0.6,
  beneficiary: 0.4,
  coordinated_trading_update: 0.3,
};

/**
 * Symbols worth adding to the restricted-symbol list, from the surveillance's alerts: names pumped on
 * the tape, bought together by hijacked accounts, or sold into by beneficiaries. Brokers restricted
 * hundreds of names during the 2025 wave; this ranks which ones the evidence supports. Symbols
 * already restricted are left out. A legitimate frenzy (`market_frenzy`) is not evidence.
 */
export function suggestRestrictedSymbols(alerts: Iterable<Alert>, already: RestrictedSymbols = new Map(), minScore = 0.5): RestrictionCandidate[] {
  const by = new Map<string, { keep: number; kinds: Map<string, number>; first: string; ids: string[] }>();
  for (const a of alerts) {
    const w = WEIGHT[a.kind];
    if (w === undefined || !a.symbol || already.has(a.symbol)) continue;
    let c = by.get(a.symbol);
    if (!c) {
      c = { keep: 1, kinds: new Map(), first: a.ts, ids: [] };
      by.set(a.symbol, c);
    }
    // Independent pieces of evidence: noisy-or, so many weak alerts never outweigh certainty.
    c.keep *= 1 - w * a.score;
    c.kinds.set(a.kind, (c.kinds.get(a.kind) ?? 0) + 1);
    if (a.ts < c.first) c.first = a.ts;
    if (c.ids.length < 20) c.ids.push(a.alert_id);
  }
  const out: RestrictionCandidate[] = [];
  for (const [symbol, c] of by) {
    const score = Math.round((1 - c.keep) * 1000) / 1000;
    if (score < minScore) continue;
    const parts = [...c.kinds].sort((a, b) => (WEIGHT[b[0]] ?? 0) - (WEIGHT[a[0]] ?? 0)).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`);
    out.push({ symbol, score, reason: `${parts.join(', ')} since ${c.first}`, first_ts: c.first, alert_ids: c.ids });
  }
  return out.sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol));
}
