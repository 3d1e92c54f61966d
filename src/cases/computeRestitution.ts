/** How a broker compensates a victim of unauthorized trading. */
export interface RestitutionPolicy {
  /**
   * Share of the loss paid back in cash. Default 0.5: the 2025 practice of the large online brokers
   * (half the loss in cash, plus the fees the unauthorized trades incurred).
   */
  lossShare?: number;
  /** Whether fees of the unauthorized trades are refunded in full. Default true. */
  refundFees?: boolean;
  /** Flat amount added per victim (some brokers added ¥10,000). Default 0. */
  flatJpy?: number;
}

export interface Restitution {
  loss_jpy: number;
  fees_jpy: number;
  compensation_jpy: number;
  /** What the victim still bears. */
  residual_jpy: number;
  policy: Required<RestitutionPolicy>;
}

/**
 * The compensation figure for one victim under a restitution policy (brief.md §2: online brokers paid
 * 50 % of the loss in cash plus fees, some ¥10,000 extra; face-to-face brokers restored the position).
 *
 * @throws Error when an amount is negative or not finite, or the share is outside 0..1.
 */
export function computeRestitution(lossJpy: number, feesJpy = 0, policy: RestitutionPolicy = {}): Restitution {
  const p: Required<RestitutionPolicy> = { lossShare: policy.lossShare ?? 0.5, refundFees: policy.refundFees ?? true, flatJpy: policy.flatJpy ?? 0 };
  for (const [name, v] of [['loss', lossJpy], ['fees', feesJpy], ['flatJpy', p.flatJpy]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`restitution: ${name} must be a finite amount of yen >= 0, got ${v}`);
  }
  if (!(p.lossShare >= 0 && p.lossShare <= 1)) throw new Error(`restitution: lossShare must be within 0..1, got ${p.lossShare}`);
  const compensation = Math.round(lossJpy * p.lossShare + (p.refundFees ? feesJpy : 0) + (lossJpy > 0 ? p.flatJpy : 0));
  return {
    loss_jpy: Math.round(lossJpy),
    fees_jpy: Math.round(feesJpy),
    compensation_jpy: compensation,
    residual_jpy: Math.max(0, Math.round(lossJpy + feesJpy - compensation)),
    policy: p,
  };
}
