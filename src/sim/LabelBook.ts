/**
 * Ground truth as the world is generated (contract §4), plus optional fields evaluators may use:
 * `variant` (tactic) on compromised accounts and pumps, `attack_yen_attempted` per account, and
 * `beneficiary_event_ids` (the part of `malicious_event_ids` done by criminal-controlled accounts
 * from their own devices, which a login-risk score cannot be expected to see).
 */
import { isoJst } from './calendar.js';

export interface Labels {
  compromised_accounts: { account_id: string; compromised_at: string; campaign: string; variant: string; attack_yen_attempted: number }[];
  beneficiary_accounts: { account_id: string; symbol: string; campaign: string }[];
  pumps: { symbol: string; start: string; end: string; campaign: string; variant: string }[];
  stuffing_ips: string[];
  benign_lookalikes: { kind: string; account_id?: string; symbol?: string; note: string }[];
  malicious_event_ids: string[];
  beneficiary_event_ids: string[];
  /** Set after a warm-up: the attack period (and the login figures) start here. */
  evaluate_from?: string;
}

export class LabelBook {
  private readonly compromised = new Map<string, { t: number; campaign: string; variant: string }>();
  readonly beneficiaries: Labels['beneficiary_accounts'] = [];
  private readonly pumps: { symbol: string; start: number; end: number; campaign: string; variant: string }[] = [];
  readonly stuffingIps = new Set<string>();
  readonly lookalikes: Labels['benign_lookalikes'] = [];
  readonly malicious: string[] = [];
  readonly beneficiaryEvents: string[] = [];

  /** The attacker first held the account at `t` (keeps the earliest). */
  compromise(accountId: string, t: number, campaign: string, variant: string): void {
    const c = this.compromised.get(accountId);
    if (!c || t < c.t) this.compromised.set(accountId, { t, campaign: c?.campaign ?? campaign, variant: c?.variant ?? variant });
  }

  isCompromised(accountId: string): boolean {
    return this.compromised.has(accountId);
  }

  pump(symbol: string, start: number, end: number, campaign: string, variant: string): void {
    this.pumps.push({ symbol, start, end, campaign, variant });
  }

  lookalike(kind: string, note: string, account_id?: string, symbol?: string): void {
    this.lookalikes.push({ kind, ...(account_id ? { account_id } : {}), ...(symbol ? { symbol } : {}), note });
  }

  get compromisedCount(): number {
    return this.compromised.size;
  }

  get pumpCount(): number {
    return this.pumps.length;
  }

  toLabels(attackYen: Map<string, number>, evaluateFrom?: number): Labels {
    return {
      compromised_accounts: [...this.compromised]
        .sort((a, b) => a[1].t - b[1].t || (a[0] < b[0] ? -1 : 1))
        .map(([account_id, c]) => ({ account_id, compromised_at: isoJst(c.t), campaign: c.campaign, variant: c.variant, attack_yen_attempted: Math.round(attackYen.get(account_id) ?? 0) })),
      beneficiary_accounts: this.beneficiaries,
      pumps: this.pumps.sort((a, b) => a.start - b.start).map((p) => ({ symbol: p.symbol, start: isoJst(p.start), end: isoJst(p.end), campaign: p.campaign, variant: p.variant })),
      stuffing_ips: [...this.stuffingIps].sort(),
      benign_lookalikes: this.lookalikes,
      malicious_event_ids: this.malicious,
      beneficiary_event_ids: this.beneficiaryEvents,
      ...(evaluateFrom !== undefined ? { evaluate_from: isoJst(evaluateFrom) } : {}),
    };
  }
}
