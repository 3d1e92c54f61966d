import type { Alert, DecisionRecord } from '../engine/types.js';
import type { EventFacts } from './collectEventFacts.js';
import type { Labels } from './labels.js';
import { averagePrecision, median, quantile, rocAuc, tprAtFpr } from './stats.js';

export interface MetricsInput {
  labels: Labels;
  alerts: Alert[];
  /** Decision records from `replay --decisions`; login and loss metrics need them. */
  decisions?: DecisionRecord[];
  /** Facts from the events file; the loss metric needs them. */
  facts?: EventFacts;
}

/** Alert kinds that name an account as hijacked. */
const TAKEOVER_KINDS = new Set(['account_takeover', 'session_hijack']);
const STOPPING = new Set(['hold', 'block', 'deny']);
/** How far outside a labelled pump window an alert may fall and still describe that episode. */
const PUMP_SLACK_MS = 60 * 60_000;
const FPR_POINTS = [0.001, 0.01, 0.05];
/**
 * A login is "history-rich" when its account had at least this many earlier successful customer
 * logins: enough for the per-account model to compare with (a real deployment replays months of
 * logs first; a 10-day simulated world mostly cannot).
 */
export const HISTORY_RICH_MIN_LOGINS = 3;
const FP_EXAMPLES = 5;

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const prf = (tp: number, fp: number, fn: number) => {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: r4(precision), recall: r4(recall), f1: r4(f1), tp, fp, fn };
};
const secs = (ms: number | undefined): number | null => (ms === undefined || Number.isNaN(ms) ? null : Math.round(ms / 100) / 10);

/** The metrics of contract §6 (plus stuffing sources and per-variant breakdowns). */
export function computeMetrics(input: MetricsInput) {
  const { labels, alerts } = input;
  const decisions = input.decisions ?? [];
  const malicious = new Set(labels.malicious_event_ids);

  // Earliest detection signal per account: an alert naming it, or a non-allow decision on it.
  const firstSignal = new Map<string, number>();
  const firstStop = new Map<string, number>();
  const signal = (m: Map<string, number>, acct: string, t: number) => {
    const cur = m.get(acct);
    if (cur === undefined || t < cur) m.set(acct, t);
  };
  for (const a of alerts) if (a.account_id) signal(firstSignal, a.account_id, Date.parse(a.ts));
  for (const d of decisions) {
    if (!d.account_id || d.decision === 'allow') continue;
    const t = Date.parse(d.ts);
    signal(firstSignal, d.account_id, t);
    // A hold of one order (a restricted-symbol buy) leaves the account's other orders running.
    if (STOPPING.has(d.decision) && d.hold_scope !== 'order') signal(firstStop, d.account_id, t);
  }

  return {
    accounts: accountMetrics(labels, alerts, decisions, malicious, firstSignal, input.facts),
    loss: lossMetrics(labels, input.facts, decisions, firstStop),
    logins: loginMetrics(decisions, labels, malicious, input.facts),
    pumps: pumpMetrics(labels, alerts),
    beneficiaries: setMetrics(
      new Set(alerts.filter((a) => a.kind === 'beneficiary' && a.account_id).map((a) => a.account_id!)),
      new Set(labels.beneficiary_accounts.map((b) => b.account_id)),
    ),
    stuffing: setMetrics(stuffingIps(alerts), new Set(labels.stuffing_ips)),
    benign_lookalikes: lookalikeMetrics(labels, alerts, decisions),
    customer_friction: customerFriction(labels, decisions, malicious),
    alerts_by_kind: countBy(alerts.map((a) => a.kind)),
  };
}

export type Metrics = ReturnType<typeof computeMetrics>;

function accountMetrics(
  labels: Labels,
  alerts: Alert[],
  decisions: DecisionRecord[],
  malicious: Set<string>,
  firstSignal: Map<string, number>,
  facts: EventFacts | undefined,
) {
  const firstOrder = new Map<string, number>();
  for (const o of facts?.maliciousOrders ?? []) if (!firstOrder.has(o.account_id) || o.t < firstOrder.get(o.account_id)!) firstOrder.set(o.account_id, o.t);
  const orderDelays: number[] = [];
  const truth = new Map(labels.compromised_accounts.map((c) => [c.account_id, c]));
  const flagged = new Set(alerts.filter((a) => TAKEOVER_KINDS.has(a.kind) && a.account_id).map((a) => a.account_id!));
  // A non-allow decision on an attacker's own event counts as detection from that moment.
  const firstOnMalicious = new Map<string, number>();
  for (const d of decisions) {
    if (d.decision === 'allow' || !d.account_id || !malicious.has(d.event_id)) continue;
    const t = Date.parse(d.ts);
    const cur = firstOnMalicious.get(d.account_id);
    if (cur === undefined || t < cur) firstOnMalicious.set(d.account_id, t);
  }
  let tp = 0;
  let fp = 0;
  for (const acct of flagged) truth.has(acct) ? tp++ : fp++;
  const fn = truth.size - tp;
  const false_positive_causes = falsePositiveCauses(labels, alerts, truth);

  const delays: number[] = [];
  const byVariant = new Map<string, { n: number; detected: number; delays: number[] }>();
  for (const c of truth.values()) {
    const v = String(c.variant ?? 'all');
    const bucket = byVariant.get(v) ?? { n: 0, detected: 0, delays: [] };
    byVariant.set(v, bucket);
    bucket.n++;
    if (!flagged.has(c.account_id)) continue;
    bucket.detected++;
    const compromised = Date.parse(c.compromised_at);
    const sig = firstSignal.get(c.account_id);
    const onMal = firstOnMalicious.get(c.account_id);
    const candidates = [sig !== undefined && sig >= compromised ? sig : undefined, onMal].filter((x): x is number => x !== undefined);
    if (candidates.length === 0) continue;
    const detectedAt = Math.min(...candidates);
    const delay = Math.max(0, detectedAt - compromised);
    delays.push(delay);
    const ordered = firstOrder.get(c.account_id);
    if (ordered !== undefined) orderDelays.push(Math.max(0, detectedAt - ordered));
    bucket.delays.push(delay);
  }
  return {
    ...prf(tp, fp, fn),
    delay_median_s: secs(median(delays)),
    delay_p90_s: secs(quantile(delays, 0.9)),
    /** Issue 4's measure: from the attacker's first order (0 when caught before it), accounts that traded. */
    delay_from_first_order_median_s: secs(median(orderDelays)),
    by_variant: Object.fromEntries(
      [...byVariant].map(([v, b]) => [v, { accounts: b.n, recall: r4(b.n ? b.detected / b.n : 0), delay_median_s: secs(median(b.delays)) }]),
    ),
    false_positive_causes,
  };
}

/**
 * Why customers were wrongly named as hijacked: each false-positive account counted once, under the
 * detector and alert kind of its first takeover alert, with the reason codes of all its takeover
 * alerts, the benign-lookalike kind it was planted as (if any) and a few example accounts.
 */
function falsePositiveCauses(labels: Labels, alerts: Alert[], truth: Map<string, unknown>) {
  const lookalike = new Map<string, string>();
  for (const l of labels.benign_lookalikes) if (l.account_id) lookalike.set(l.account_id, l.kind);
  const byAccount = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (!TAKEOVER_KINDS.has(a.kind) || !a.account_id || truth.has(a.account_id)) continue;
    const list = byAccount.get(a.account_id) ?? [];
    list.push(a);
    byAccount.set(a.account_id, list);
  }
  const causes = new Map<string, { accounts: number; reason_codes: Record<string, number>; lookalike_kinds: Record<string, number>; examples: string[] }>();
  for (const [account, list] of byAccount) {
    list.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
    const key = `${list[0].detector ?? '?'}/${list[0].kind}`;
    const c = causes.get(key) ?? { accounts: 0, reason_codes: {}, lookalike_kinds: {}, examples: [] };
    causes.set(key, c);
    c.accounts++;
    for (const code of new Set(list.flatMap((a) => a.reasons.map((r) => r.code)))) c.reason_codes[code] = (c.reason_codes[code] ?? 0) + 1;
    const kind = lookalike.get(account) ?? 'none';
    c.lookalike_kinds[kind] = (c.lookalike_kinds[kind] ?? 0) + 1;
    if (c.examples.length < FP_EXAMPLES) c.examples.push(`${account} ${list[0].alert_id} ${list[0].ts}`);
  }
  return Object.fromEntries([...causes].sort((a, b) => b[1].accounts - a[1].accounts));
}

function lossMetrics(labels: Labels, facts: EventFacts | undefined, decisions: DecisionRecord[], firstStop: Map<string, number>) {
  if (!facts) return { note: 'pass --events to compute the yen protected' };
  const variantOf = new Map(labels.compromised_accounts.map((c) => [c.account_id, String(c.variant ?? 'all')]));
  const decisionOf = new Map(decisions.map((d) => [d.event_id, d.decision]));
  let attempted = 0;
  let lost = 0;
  let lostIfStepUpStops = 0;
  const firstStepUp = new Map<string, number>();
  for (const d of decisions) {
    if (!d.account_id || d.decision === 'allow') continue;
    const t = Date.parse(d.ts);
    const cur = firstStepUp.get(d.account_id);
    if (cur === undefined || t < cur) firstStepUp.set(d.account_id, t);
  }
  const byVariant = new Map<string, { attempted: number; lost: number }>();
  // Unauthorized trading is what the attackers did in hijacked accounts; the beneficiaries' own
  // orders are criminal too, but nobody is robbed by them.
  const hijackedOrders = facts.maliciousOrders.filter((o) => variantOf.has(o.account_id));
  for (const o of hijackedOrders) {
    attempted += o.attempted_jpy;
    const stop = firstStop.get(o.account_id);
    const own = decisionOf.get(o.event_id);
    const stopped = (stop !== undefined && o.t >= stop) || (own !== undefined && STOPPING.has(own));
    const v = variantOf.get(o.account_id)!;
    const b = byVariant.get(v) ?? { attempted: 0, lost: 0 };
    byVariant.set(v, b);
    b.attempted += o.attempted_jpy;
    if (!stopped) {
      lost += o.executed_jpy;
      b.lost += o.executed_jpy;
    }
    const challenged = firstStepUp.get(o.account_id);
    if (!(challenged !== undefined && o.t >= challenged) && !stopped) lostIfStepUpStops += o.executed_jpy;
  }
  const share = (a: number, l: number) => (a === 0 ? null : r4(1 - l / a));
  return {
    attempted_jpy: Math.round(attempted),
    executed_before_hold_jpy: Math.round(lost),
    protected_jpy: Math.round(attempted - lost),
    protected_share: share(attempted, lost),
    /** If a passkey step-up stops a phisher (it does: the relay cannot answer it), this much is protected. */
    protected_share_counting_step_up: share(attempted, lostIfStepUpStops),
    malicious_orders: hijackedOrders.length,
    by_variant: Object.fromEntries([...byVariant].map(([v, b]) => [v, { attempted_jpy: Math.round(b.attempted), protected_share: share(b.attempted, b.lost) }])),
  };
}

function loginMetrics(decisions: DecisionRecord[], labels: Labels, malicious: Set<string>, facts: EventFacts | undefined) {
  const from = labels.evaluate_from ? Date.parse(labels.evaluate_from) : -Infinity;
  const logins = decisions.filter((d) => d.type === 'login' && Date.parse(d.ts) >= from);
  if (logins.length === 0) return { note: 'pass --decisions to compute login metrics' };
  const summarize = (subset: DecisionRecord[]) => {
    const pos = subset.filter((d) => malicious.has(d.event_id)).map((d) => d.score);
    const neg = subset.filter((d) => !malicious.has(d.event_id)).map((d) => d.score);
    const challenged = (d: DecisionRecord) => d.decision !== 'allow';
    const attackChallenged = subset.filter((d) => malicious.has(d.event_id) && challenged(d)).length;
    const legitChallenged = subset.filter((d) => !malicious.has(d.event_id) && challenged(d)).length;
    return {
      attack: pos.length,
      legit: neg.length,
      roc_auc: pos.length && neg.length ? r4(rocAuc(pos, neg)) : null,
      pr_auc: pos.length && neg.length ? r4(averagePrecision(pos, neg)) : null,
      attack_challenged_at_legit_challenged: Object.fromEntries(FPR_POINTS.map((f) => [String(f), pos.length && neg.length ? r4(tprAtFpr(pos, neg, f)) : null])),
      operating_point: {
        attack_challenged_share: pos.length ? r4(attackChallenged / pos.length) : null,
        legit_challenged_share: neg.length ? r4(legitChallenged / neg.length) : null,
      },
    };
  };
  // Earlier successful customer logins of each login's account (event-time order, warm-up included).
  const earlier = new Map<string, number>();
  if (facts) {
    const seen = new Map<string, number>();
    const ordered = decisions.filter((d) => d.type === 'login').map((d) => ({ d, t: Date.parse(d.ts) })).sort((a, b) => a.t - b.t);
    for (const { d } of ordered) {
      const n = d.account_id ? (seen.get(d.account_id) ?? 0) : 0;
      earlier.set(d.event_id, n);
      if (d.account_id && facts.successfulLogins.has(d.event_id) && !malicious.has(d.event_id)) seen.set(d.account_id, n + 1);
    }
  }
  const rich = (d: DecisionRecord) => (earlier.get(d.event_id) ?? 0) >= HISTORY_RICH_MIN_LOGINS;
  const views = (subset: DecisionRecord[]) => ({
    all: summarize(subset),
    // Successful logins are the hard case: the relayed-MFA attacker looks like the customer.
    successful: facts ? summarize(subset.filter((d) => facts.successfulLogins.has(d.event_id))) : null,
    /** Logins on accounts with at least `history_min_logins` earlier successful customer logins. */
    history_rich: facts ? summarize(subset.filter(rich)) : null,
    /** The others: new accounts, or accounts the world saw too little of to know. */
    history_poor: facts ? summarize(subset.filter((d) => !rich(d))) : null,
  });
  const beneficiary = new Set(labels.beneficiary_event_ids ?? []);
  const main = views(logins);
  // Which rules challenge the customers (a login can hit several).
  const legitChallengedByRule: Record<string, number> = {};
  for (const d of logins) {
    if (malicious.has(d.event_id) || d.decision === 'allow') continue;
    for (const [rule, outcome] of Object.entries(d.rules)) if (outcome === 'hit') legitChallengedByRule[rule] = (legitChallengedByRule[rule] ?? 0) + 1;
  }
  // Wiefling et al.: how often a real customer is re-challenged once the system knows them.
  const perAccount = new Map<string, DecisionRecord[]>();
  for (const d of logins) {
    if (malicious.has(d.event_id) || !d.account_id) continue;
    const list = perAccount.get(d.account_id) ?? [];
    list.push(d);
    perAccount.set(d.account_id, list);
  }
  const rates: number[] = [];
  for (const list of perAccount.values()) {
    if (list.length <= 12) continue;
    const later = list.slice(12);
    rates.push(later.filter((d) => d.decision !== 'allow').length / later.length);
  }
  return {
    ...main,
    history_min_logins: HISTORY_RICH_MIN_LOGINS,
    /**
     * The same views without the logins of criminal-controlled (beneficiary) accounts: their owners
     * log in from their own devices, which no login score can tell from themselves; a passkey
     * challenge stops nothing there. Present when the labels list `beneficiary_event_ids`.
     */
    excluding_beneficiary_logins: beneficiary.size ? views(logins.filter((d) => !beneficiary.has(d.event_id))) : null,
    /** Logins before the labels' `evaluate_from` (a simulator warm-up) are left out of every login figure. */
    evaluated_from: labels.evaluate_from ?? null,
    legit_challenged_by_rule: legitChallengedByRule,
    customers_with_more_than_12_logins: rates.length,
    median_customer_challenge_rate_after_12_logins: rates.length ? r4(median(rates)!) : null,
  };
}

function pumpMetrics(labels: Labels, alerts: Alert[]) {
  const pumpAlerts = alerts.filter((a) => a.kind === 'pump_and_dump' && a.symbol);
  // Several alerts about one episode (onset, peak, fade) count once.
  type Episode = { symbol: string; start: number; end: number; firstTs: number };
  const episodes: Episode[] = [];
  const bySymbol = new Map<string, Alert[]>();
  for (const a of pumpAlerts) bySymbol.set(a.symbol!, [...(bySymbol.get(a.symbol!) ?? []), a]);
  for (const [symbol, list] of bySymbol) {
    const spans = list
      .map((a) => {
        const ts = Date.parse(a.ts);
        return { start: a.window ? Date.parse(a.window.start) : ts, end: a.window ? Date.parse(a.window.end) : ts, ts };
      })
      .sort((x, y) => x.start - y.start);
    let cur: Episode | undefined;
    for (const s of spans) {
      if (cur && s.start <= cur.end + PUMP_SLACK_MS) {
        cur.end = Math.max(cur.end, s.end);
        cur.firstTs = Math.min(cur.firstTs, s.ts);
      } else {
        cur = { symbol, start: s.start, end: s.end, firstTs: s.ts };
        episodes.push(cur);
      }
    }
  }
  const overlaps = (e: Episode, p: { symbol: string; start: string; end: string }) =>
    e.symbol === p.symbol && e.start <= Date.parse(p.end) + PUMP_SLACK_MS && e.end >= Date.parse(p.start) - PUMP_SLACK_MS;
  const tpEpisodes = episodes.filter((e) => labels.pumps.some((p) => overlaps(e, p))).length;
  const delays: number[] = [];
  const byVariant = new Map<string, { n: number; found: number }>();
  let found = 0;
  for (const p of labels.pumps) {
    const v = String(p.variant ?? 'all');
    const b = byVariant.get(v) ?? { n: 0, found: 0 };
    byVariant.set(v, b);
    b.n++;
    const matching = episodes.filter((e) => overlaps(e, p));
    if (matching.length === 0) continue;
    found++;
    b.found++;
    delays.push(Math.max(0, Math.min(...matching.map((e) => e.firstTs)) - Date.parse(p.start)));
  }
  const precision = episodes.length ? tpEpisodes / episodes.length : 0;
  const recall = labels.pumps.length ? found / labels.pumps.length : 0;
  return {
    precision: r4(precision),
    recall: r4(recall),
    f1: r4(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    labelled: labels.pumps.length,
    alerted_episodes: episodes.length,
    delay_median_s: secs(median(delays)),
    by_variant: Object.fromEntries([...byVariant].map(([v, b]) => [v, { pumps: b.n, recall: r4(b.n ? b.found / b.n : 0) }])),
  };
}

function setMetrics(predicted: Set<string>, truth: Set<string>) {
  let tp = 0;
  for (const x of predicted) if (truth.has(x)) tp++;
  return prf(tp, predicted.size - tp, truth.size - tp);
}

function stuffingIps(alerts: Alert[]): Set<string> {
  const ips = new Set<string>();
  for (const a of alerts) {
    if (a.kind !== 'credential_stuffing') continue;
    if (a.ip) ips.add(a.ip);
    const more = a.data?.ips;
    if (Array.isArray(more)) for (const ip of more) if (typeof ip === 'string') ips.add(ip);
  }
  return ips;
}

function lookalikeMetrics(labels: Labels, alerts: Alert[], decisions: DecisionRecord[]) {
  const QUIET = new Set(['credential_stuffing', 'phishing_url', 'detector_error']);
  const alertedAccounts = new Set(alerts.filter((a) => a.account_id && !QUIET.has(a.kind)).map((a) => a.account_id!));
  const pumpSymbols = new Set(alerts.filter((a) => (a.kind === 'pump_and_dump' || a.kind === 'coordinated_trading') && a.symbol).map((a) => a.symbol!));
  const heldAccounts = new Set(decisions.filter((d) => d.account_id && STOPPING.has(d.decision)).map((d) => d.account_id!));
  const items = labels.benign_lookalikes.map((l) => {
    const alerted = l.account_id ? alertedAccounts.has(l.account_id) : l.symbol ? pumpSymbols.has(l.symbol) : false;
    const held = l.account_id ? heldAccounts.has(l.account_id) : false;
    return { kind: l.kind, account_id: l.account_id, symbol: l.symbol, alerted, held };
  });
  return {
    total: items.length,
    alerted: items.filter((i) => i.alerted).length,
    held: items.filter((i) => i.held).length,
    by_kind: Object.fromEntries(
      [...new Set(items.map((i) => i.kind))].map((k) => {
        const of = items.filter((i) => i.kind === k);
        return [k, { total: of.length, alerted: of.filter((i) => i.alerted).length, held: of.filter((i) => i.held).length }];
      }),
    ),
  };
}

/**
 * What the defence costs honest customers: of the accounts that placed orders the attackers did not
 * cause, how many had one held or blocked, or stepped up. Beneficiary (criminal) accounts are left out.
 */
function customerFriction(labels: Labels, decisions: DecisionRecord[], malicious: Set<string>) {
  const criminal = new Set([...labels.compromised_accounts, ...labels.beneficiary_accounts].map((a) => a.account_id));
  const ordering = new Set<string>();
  const held = new Set<string>();
  const steppedUp = new Set<string>();
  const heldByRule: Record<string, number> = {};
  for (const d of decisions) {
    if (d.type !== 'order' || !d.account_id || malicious.has(d.event_id) || criminal.has(d.account_id)) continue;
    ordering.add(d.account_id);
    if (d.decision === 'step_up') steppedUp.add(d.account_id);
    if (!STOPPING.has(d.decision)) continue;
    if (!held.has(d.account_id)) {
      for (const [rule, outcome] of Object.entries(d.rules)) if (outcome === 'hit') heldByRule[rule] = (heldByRule[rule] ?? 0) + 1;
    }
    held.add(d.account_id);
  }
  const per1000 = (n: number) => (ordering.size === 0 ? null : Math.round((n / ordering.size) * 10_000) / 10);
  return {
    ordering_customers: ordering.size,
    customers_with_order_held: held.size,
    held_per_1000_ordering_customers: per1000(held.size),
    customers_with_order_stepped_up: steppedUp.size,
    stepped_up_per_1000_ordering_customers: per1000(steppedUp.size),
    /** The rules behind each customer's first held order. */
    first_hold_by_rule: heldByRule,
  };
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
