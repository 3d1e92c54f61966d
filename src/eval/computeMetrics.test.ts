import { describe, expect, it } from 'vitest';
import type { Alert, DecisionRecord } from '../engine/types.js';
import { computeMetrics } from './computeMetrics.js';
import { parseLabels } from './labels.js';
import { averagePrecision, rocAuc, tprAtFpr } from './stats.js';

const T0 = Date.parse('2025-04-01T10:00:00.000+09:00');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const alert = (kind: string, over: Partial<Alert>): Alert => ({
  alert_id: `${kind}-${over.account_id ?? over.symbol ?? over.ip}`,
  ts: at(0),
  kind,
  severity: 'high',
  score: 0.9,
  reasons: [],
  event_ids: [],
  ...over,
});
const dec = (event_id: string, account_id: string, decision: DecisionRecord['decision'], score: number, min: number, type: DecisionRecord['type'] = 'login'): DecisionRecord => ({
  decision_id: `d-${event_id}`,
  decision,
  score,
  reasons: [],
  latency_us: 1,
  rules: {},
  event_id,
  type,
  account_id,
  ts: at(min),
});

// A world small enough to score by hand:
// - A1, A2, A3 compromised at minute 0; A4 is a customer.
// - alerts name A1 (minute 2) and A2 (minute 10) and A4 (a false alarm); A3 is missed.
// - pump on 7992.T minutes 0–120; one alert episode at minute 5 matches it, one on 1234.T does not.
const labels = parseLabels({
  compromised_accounts: [
    { account_id: 'A1', compromised_at: at(0), campaign: 'C1', variant: 'relay' },
    { account_id: 'A2', compromised_at: at(0), campaign: 'C1', variant: 'relay' },
    { account_id: 'A3', compromised_at: at(0), campaign: 'C1', variant: 'cookie' },
  ],
  beneficiary_accounts: [{ account_id: 'B1', symbol: '7992.T', campaign: 'C1' }, { account_id: 'B2', symbol: '7992.T', campaign: 'C1' }],
  pumps: [{ symbol: '7992.T', start: at(0), end: at(120), campaign: 'C1' }],
  stuffing_ips: ['203.0.113.7', '203.0.113.8'],
  benign_lookalikes: [{ kind: 'travel', account_id: 'A5', note: 'abroad' }, { kind: 'new_phone', account_id: 'A4', note: 'new device' }],
  malicious_event_ids: ['l1', 'l2', 'l3', 'o1', 'o2'],
});
const alerts: Alert[] = [
  alert('account_takeover', { account_id: 'A1', ts: at(2) }),
  alert('account_takeover', { account_id: 'A2', ts: at(10) }),
  alert('account_takeover', { account_id: 'A4', ts: at(30), detector: 'login', reasons: [{ code: 'NEW_DEVICE', detail: 'new phone' }] }),
  alert('pump_and_dump', { symbol: '7992.T', ts: at(5), window: { start: at(3), end: at(60) } }),
  alert('pump_and_dump', { symbol: '7992.T', ts: at(40), window: { start: at(3), end: at(90) } }),
  alert('pump_and_dump', { symbol: '1234.T', ts: at(500), window: { start: at(480), end: at(520) } }),
  alert('beneficiary', { account_id: 'B1', ts: at(60) }),
  alert('beneficiary', { account_id: 'B9', ts: at(60) }),
  alert('credential_stuffing', { ip: '203.0.113.7', ts: at(-30) }),
];
const decisions: DecisionRecord[] = [
  // attack logins scored 0.9, 0.8, 0.3; legit logins 0.1, 0.2, 0.4, 0.05
  dec('l1', 'A1', 'step_up', 0.9, 0),
  dec('l2', 'A2', 'step_up', 0.8, 0),
  dec('l3', 'A3', 'allow', 0.3, 0),
  dec('g1', 'A4', 'allow', 0.1, -100),
  dec('g2', 'A4', 'allow', 0.2, -50),
  dec('g3', 'A4', 'step_up', 0.4, 20),
  dec('g4', 'A5', 'allow', 0.05, -10),
  // A1's malicious sell is held at minute 1; A2's order went through.
  dec('o1', 'A1', 'hold', 0.95, 1, 'order'),
  dec('o2', 'A2', 'allow', 0.1, 5, 'order'),
];
const facts = {
  maliciousOrders: [
    { event_id: 'o1', order_id: 'O1', account_id: 'A1', symbol: '7992.T', side: 'sell' as const, t: T0 + 60_000, attempted_jpy: 1_000_000, executed_jpy: 1_000_000 },
    { event_id: 'o2', order_id: 'O2', account_id: 'A2', symbol: '7992.T', side: 'buy' as const, t: T0 + 300_000, attempted_jpy: 3_000_000, executed_jpy: 2_000_000 },
  ],
  successfulLogins: new Set(['l1', 'l2', 'l3', 'g1', 'g2', 'g3', 'g4']),
  counts: {},
};

describe('computeMetrics on a hand-scored world', () => {
  const m = computeMetrics({ labels, alerts, decisions, facts });

  it('scores compromised accounts: 2 of 3 found, 1 false alarm', () => {
    expect(m.accounts).toMatchObject({ tp: 2, fp: 1, fn: 1, precision: 0.6667, recall: 0.6667 });
  });

  it('measures delay from compromise to the first non-allow decision or alert', () => {
    // A1: step-up at minute 0 → 0 s; A2: step-up at minute 0 → 0 s.
    expect(m.accounts.delay_median_s).toBe(0);
    expect(m.accounts.by_variant.relay).toMatchObject({ accounts: 2, recall: 1 });
    expect(m.accounts.by_variant.cookie).toMatchObject({ accounts: 1, recall: 0 });
  });

  it('counts yen executed before the first hold as lost', () => {
    // o1 held (protected ¥1M); o2 allowed and executed ¥2M of ¥3M attempted → lost ¥2M of ¥4M.
    expect(m.loss).toMatchObject({ attempted_jpy: 4_000_000, executed_before_hold_jpy: 2_000_000, protected_share: 0.5 });
  });

  it('counts a hold of one order only (restricted symbol) as stopping that order, not the account', () => {
    const orderOnly = { ...dec('o1', 'A2', 'hold', 0.9, 4, 'order'), hold_scope: 'order' as const };
    const facts2 = {
      ...facts,
      maliciousOrders: [
        { ...facts.maliciousOrders[0], event_id: 'o1', account_id: 'A2', t: T0 + 240_000 },
        facts.maliciousOrders[1],
      ],
    };
    const m2 = computeMetrics({ labels, alerts, decisions: [orderOnly, dec('o2', 'A2', 'allow', 0.1, 5, 'order')], facts: facts2 });
    // o1 (¥1M) was held; o2 at minute 5 still executed ¥2M: the order-only hold did not stop it.
    expect(m2.loss).toMatchObject({ attempted_jpy: 4_000_000, executed_before_hold_jpy: 2_000_000 });
    const m3 = computeMetrics({ labels, alerts, decisions: [{ ...orderOnly, hold_scope: 'account' }, dec('o2', 'A2', 'allow', 0.1, 5, 'order')], facts: facts2 });
    expect(m3.loss).toMatchObject({ executed_before_hold_jpy: 0 });
  });

  it('counts honest customers whose orders were held or stepped up, leaving criminals out', () => {
    const held = { ...dec('c1', 'A4', 'hold', 0.7, 30, 'order'), rules: { 'trading.sell_off': 'hit' as const, 'trading.size': 'no_hit' as const } };
    const m2 = computeMetrics({
      labels,
      alerts,
      decisions: [held, dec('c2', 'A4', 'hold', 0.7, 31, 'order'), dec('c3', 'A5', 'allow', 0.1, 30, 'order'), dec('c4', 'A6', 'step_up', 0.5, 30, 'order'), dec('c5', 'B1', 'hold', 0.9, 30, 'order'), dec('o2', 'A2', 'hold', 0.9, 5, 'order')],
      facts,
    });
    expect(m2.customer_friction).toEqual({
      ordering_customers: 3,
      customers_with_order_held: 1,
      held_per_1000_ordering_customers: 333.3,
      customers_with_order_stepped_up: 1,
      stepped_up_per_1000_ordering_customers: 333.3,
      first_hold_by_rule: { 'trading.sell_off': 1 },
    });
  });

  it('scores logins with ROC AUC and the challenge curve', () => {
    // pos {0.9,0.8,0.3} vs neg {0.1,0.2,0.4,0.05}: pairs won 4+4+3 = 11 of 12.
    expect(m.logins).toMatchObject({ all: { attack: 3, legit: 4, roc_auc: 0.9167 } });
    const all = (m.logins as { all: { operating_point: unknown } }).all;
    expect(all.operating_point).toEqual({ attack_challenged_share: 0.6667, legit_challenged_share: 0.25 });
  });

  it('merges alerts about one pump episode and matches it to the label', () => {
    expect(m.pumps).toMatchObject({ precision: 0.5, recall: 1, alerted_episodes: 2, delay_median_s: 300 });
  });

  it('scores beneficiaries and stuffing sources as sets', () => {
    expect(m.beneficiaries).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 });
    expect(m.stuffing).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
  });

  it('counts benign lookalikes that were alerted', () => {
    expect(m.benign_lookalikes).toMatchObject({ total: 2, alerted: 1 });
    expect(m.benign_lookalikes.by_kind.new_phone).toMatchObject({ alerted: 1 });
  });
});

describe('computeMetrics shows where false takeovers come from', () => {
  const m = computeMetrics({ labels, alerts, decisions, facts });
  it('groups false-positive accounts by detector and alert kind, with reasons and the lookalike planted', () => {
    expect(m.accounts.false_positive_causes).toEqual({
      'login/account_takeover': { accounts: 1, reason_codes: { NEW_DEVICE: 1 }, lookalike_kinds: { new_phone: 1 }, examples: [`A4 account_takeover-A4 ${at(30)}`] },
    });
  });
  it('counts which rules challenged customers', () => {
    const d = [dec('g1', 'A4', 'step_up', 0.7, 0), dec('l1', 'A1', 'deny', 0.9, 1)];
    d[0].rules = { 'login.risk': 'hit', 'login.travel': 'no_hit' };
    d[1].rules = { 'login.stuffing': 'hit' };
    expect(computeMetrics({ labels, alerts: [], decisions: d }).logins).toMatchObject({ legit_challenged_by_rule: { 'login.risk': 1 } });
  });
});

describe('computeMetrics splits logins by the history the account had', () => {
  // C1 logs in successfully 3 times, then an attacker gets in (score 0.6) and C1 logs in again
  // (0.2); C2 has no history: its attack login scores 0.3, below C1's 0.5 login.
  const succ = ['h1', 'h2', 'h3', 'x1', 'h4', 'y1', 'y2', 'b1'];
  const d = [
    dec('h1', 'C1', 'allow', 0.1, 0),
    dec('h2', 'C1', 'allow', 0.1, 1),
    dec('h3', 'C1', 'allow', 0.1, 2),
    dec('x1', 'C1', 'step_up', 0.6, 3),
    dec('h4', 'C1', 'allow', 0.2, 4),
    dec('y1', 'C2', 'allow', 0.3, 5),
    dec('y2', 'C3', 'allow', 0.5, 6),
    dec('b1', 'B1', 'allow', 0.01, 7),
  ];
  const l = parseLabels({ malicious_event_ids: ['x1', 'y1', 'b1'], beneficiary_event_ids: ['b1'] });
  const m = computeMetrics({ labels: l, alerts: [], decisions: d, facts: { maliciousOrders: [], successfulLogins: new Set(succ), counts: {} } });
  const lg = m.logins as Extract<typeof m.logins, { all: unknown }>;

  it('counts only earlier successful customer logins (not the attacker\'s) towards history', () => {
    expect(lg.history_min_logins).toBe(3);
    expect(lg.history_rich).toMatchObject({ attack: 1, legit: 1, roc_auc: 1 });
    expect(lg.history_poor).toMatchObject({ attack: 2, legit: 4 });
  });

  it('reports the figures again without the criminals\' own (beneficiary) accounts', () => {
    expect(lg.all).toMatchObject({ attack: 3, legit: 5 });
    expect(lg.excluding_beneficiary_logins?.all).toMatchObject({ attack: 2, legit: 5 });
  });

  it('leaves logins before evaluate_from (a warm-up) out of the login figures', () => {
    const warm = parseLabels({ malicious_event_ids: ['x1', 'y1'], evaluate_from: at(3) });
    const w = computeMetrics({ labels: warm, alerts: [], decisions: d, facts: { maliciousOrders: [], successfulLogins: new Set(succ), counts: {} } }).logins;
    expect(w).toMatchObject({ all: { attack: 2, legit: 3 }, history_rich: { attack: 1, legit: 1 }, evaluated_from: at(3) });
  });
});

describe('score statistics', () => {
  it('ROC AUC counts ties as half', () => {
    expect(rocAuc([1, 0.5], [0.5, 0])).toBe(0.875);
  });
  it('average precision of a perfect ranking is 1', () => {
    expect(averagePrecision([0.9, 0.8], [0.1, 0.2])).toBe(1);
  });
  it('challenge curve: positives above the highest unchallenged negative', () => {
    // 1 % of 100 negatives may be challenged: the one at 0.99; threshold is the next, 0.5.
    const neg = [0.99, ...Array(99).fill(0.5)];
    expect(tprAtFpr([0.6, 0.4, 0.995], neg, 0.01)).toBeCloseTo(2 / 3);
  });
});

describe('malformed labels', () => {
  it('names the bad field', () => {
    expect(() => parseLabels({ pumps: [{ symbol: 'X', start: 'yesterday', end: at(1) }] })).toThrow(/pumps\.0\.start/);
  });
});
