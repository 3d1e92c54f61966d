import type { DecisionEvent } from '../events/schema.js';
import { OUTCOME_RANK, type Decision, type Outcome, type Reason, type RequiredAuth, type RuleResult } from './types.js';

/**
 * Combine every rule's result into one decision: the most severe outcome wins, the score is the
 * highest rule score, reasons are those of the rules that hit (most severe first). Logins are
 * refused with `deny`, everything else with `block` (contract §2). A rule error never allows
 * silently: it is recorded, and if every rule errored the event is stepped up.
 */
export function combineRuleResults(ev: DecisionEvent, results: RuleResult[]): Decision {
  let outcome: Outcome = 'allow';
  let score = 0;
  let requiredAuth: RequiredAuth | undefined;
  const rules: Decision['rules'] = {};
  const hits = results.filter((r) => r.outcome === 'hit');
  hits.sort((a, b) => OUTCOME_RANK[b.decision ?? 'allow'] - OUTCOME_RANK[a.decision ?? 'allow'] || (b.score ?? 0) - (a.score ?? 0));
  const reasons: Reason[] = [];
  for (const r of results) {
    rules[r.rule] = r.outcome;
    if (r.outcome !== 'error') score = Math.max(score, r.score ?? 0);
  }
  for (const r of hits) {
    const d = r.decision ?? 'allow';
    if (OUTCOME_RANK[d] > OUTCOME_RANK[outcome]) {
      outcome = d;
      requiredAuth = r.required_auth;
    }
    for (const reason of r.reasons ?? []) reasons.push(reason);
  }
  const errors = results.filter((r) => r.outcome === 'error');
  for (const r of errors) reasons.push({ code: 'RULE_ERROR', detail: `${r.rule}: ${r.error ?? 'failed'}` });
  if (errors.length > 0 && errors.length === results.length && outcome === 'allow') outcome = 'step_up';

  if (ev.type === 'login') {
    if (outcome === 'block') outcome = 'deny';
  } else if (outcome === 'deny') {
    outcome = 'block';
  }
  if (outcome === 'step_up' && !requiredAuth) requiredAuth = 'passkey';
  const decision: Decision = { decision_id: '', decision: outcome, score: round3(score), reasons, latency_us: 0, rules };
  if (outcome !== 'allow' && requiredAuth) decision.required_auth = requiredAuth;
  // The account is frozen unless every rule that asked for a hold or block limited it to this event.
  const stopping = hits.filter((r) => OUTCOME_RANK[r.decision ?? 'allow'] >= OUTCOME_RANK.hold);
  if (stopping.length > 0 && stopping.every((r) => r.hold_scope === 'order')) decision.hold_scope = 'order';
  return decision;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
