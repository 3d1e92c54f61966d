import { describe, expect, it } from 'vitest';
import { Engine } from './Engine.js';
import { Pipeline } from './Pipeline.js';
import type { Alert, DecisionRecord, Detector } from './types.js';

const T0 = Date.parse('2025-04-01T09:00:00.000+09:00');
const ts = (s: number) => new Date(T0 + s * 1000).toISOString();
const trade = (id: string, s: number) => JSON.stringify({ type: 'market_trade', id, ts: ts(s), symbol: '7992.T', price: 100, qty: 100 });
const login = (id: string, s: number, outcome = 'bad_password') =>
  JSON.stringify({ type: 'login', id, ts: ts(s), account_id: 'A1', login_id_fp: 'f', ip: '198.51.100.1', user_agent: 'u', channel: 'web', outcome, mfa: 'none', ...(outcome === 'success' ? { session_id: 's-' + id } : {}) });

/** Records the order it sees events in, counts failures before each decision, raises on the 3rd. */
function recorder(): Detector & { order: string[] } {
  let failures = 0;
  const order: string[] = [];
  return {
    name: 'recorder',
    order,
    snapshot: () => ({ failures, order: [...order] }),
    restore: (st) => {
      failures = (st as { failures: number }).failures;
      order.splice(0, order.length, ...(st as { order: string[] }).order);
    },
    assess: (ev) => ({ rule: 'failures', outcome: failures >= 2 ? 'hit' : 'no_hit', decision: failures >= 2 ? 'block' : 'allow', score: Math.min(1, failures / 2), reasons: failures >= 2 ? [{ code: 'MANY_FAILURES', detail: `${failures} failures before ${ev.id}` }] : [] }),
    observe: (ev, ctx) => {
      order.push(ev.id);
      if (ev.type === 'login' && ev.outcome === 'bad_password' && ++failures === 3) {
        ctx.raise({ kind: 'credential_stuffing', severity: 'medium', score: 0.7, ip: ev.ip, reasons: [{ code: 'THREE', detail: 'three failures' }], event_ids: [ev.id] });
      }
    },
  };
}

function run(lines: string[], windowMs = 5_000, detectors: Detector[] = [recorder()]) {
  const decisions: DecisionRecord[] = [];
  const alerts: Alert[] = [];
  const rejects: { line: number; reason: string }[] = [];
  const p = new Pipeline(new Engine({ detectors }), { decision: (d) => decisions.push(d), alert: (a) => alerts.push(a), reject: (line, reason) => rejects.push({ line, reason }) }, { reorderWindowMs: windowMs });
  lines.forEach((l, i) => p.ingestLine(l, i + 1));
  p.drain();
  return { p, decisions, alerts, rejects, detectors };
}

describe('Pipeline', () => {
  it('ignores a repeated id and counts it as duplicate', () => {
    const { p } = run([trade('m1', 0), trade('m1', 0), trade('m2', 1)]);
    expect(p.stats).toMatchObject({ accepted: 2, duplicate: 1, processed: 2 });
  });

  it('processes slightly out-of-order events in event-time order and counts them', () => {
    const rec = recorder();
    const { p } = run([trade('m2', 2), trade('m1', 1), trade('m3', 3)], 5_000, [rec]);
    expect(rec.order).toEqual(['m1', 'm2', 'm3']);
    expect(p.stats.reordered).toBe(1);
    expect(p.stats.late).toBe(0);
  });

  it('processes an event later than the window as late, never drops it', () => {
    const rec = recorder();
    const { p } = run([trade('m1', 0), trade('m2', 100), trade('m3', 200), trade('m0', 50)], 5_000, [rec]);
    expect(rec.order).toEqual(['m1', 'm2', 'm0', 'm3']);
    expect(p.stats).toMatchObject({ late: 1, processed: 4 });
  });

  it('decides each event on what came before it only', () => {
    // Arrival order differs from event-time order; the 3rd failure in time is l3 whatever the order.
    const { decisions } = run([login('l2', 2), login('l1', 1), login('l4', 4, 'success'), login('l3', 3)]);
    const by = Object.fromEntries(decisions.map((d) => [d.event_id, d]));
    expect(by.l1.decision).toBe('allow');
    expect(by.l3.decision).toBe('deny'); // a refused login is "deny", not "block"
    expect(by.l3.reasons[0].detail).toBe('2 failures before l3');
    expect(by.l4.score).toBe(1);
    expect(by.l4).toMatchObject({ decision_id: 'dec_l4', type: 'login', account_id: 'A1', ts: ts(4), rules: { failures: 'hit' } });
  });

  it('gives alerts deterministic ids and the raising detector', () => {
    const a = run([login('l1', 1), login('l2', 2), login('l3', 3)]).alerts;
    const b = run([login('l1', 1), login('l2', 2), login('l3', 3)]).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'credential_stuffing', ts: ts(3), detector: 'recorder', event_ids: ['l3'] });
    expect(a[0].alert_id).toBe(b[0].alert_id);
  });

  it('sends bad lines to the reject sink with line number and reason, and goes on', () => {
    const { rejects, p } = run([trade('m1', 0), '{oops', JSON.stringify({ type: 'market_trade', id: 'x', ts: ts(1), symbol: 'S', price: 0, qty: 1 }), '', trade('m2', 1)]);
    expect(rejects).toEqual([
      { line: 2, reason: expect.stringMatching(/^invalid JSON/) },
      { line: 3, reason: 'field `price`: must be > 0' },
    ]);
    expect(p.stats).toMatchObject({ lines: 5, accepted: 2, rejected: 2, blank: 1 });
  });

  it('records a failing rule as an error without crashing or silently allowing', () => {
    const broken: Detector = { name: 'broken', assess: () => { throw new Error('boom'); } };
    const { decisions } = run([login('l1', 1)], 5_000, [broken]);
    expect(decisions[0]).toMatchObject({ decision: 'step_up', rules: { broken: 'error' } });
    expect(decisions[0].reasons[0]).toEqual({ code: 'RULE_ERROR', detail: 'broken: boom' });
  });

  it('resumes from a snapshot to the same results as an uninterrupted run', () => {
    const lines = [login('l1', 1), login('l2', 2), trade('m1', 2.5), login('l3', 3), login('l4', 4, 'success')];
    const whole = run(lines, 1_000);
    const decisions: DecisionRecord[] = [];
    const alerts: Alert[] = [];
    const sinks = { decision: (d: DecisionRecord) => decisions.push(d), alert: (a: Alert) => alerts.push(a) };
    const before = new Pipeline(new Engine({ detectors: [recorder()] }), sinks, { reorderWindowMs: 1_000 });
    lines.slice(0, 3).forEach((l, i) => before.ingestLine(l, i + 1));
    const saved = structuredClone(before.snapshot());
    const after = new Pipeline(new Engine({ detectors: [recorder()] }), sinks, { reorderWindowMs: 1_000 });
    after.restore(saved);
    lines.slice(3).forEach((l, i) => after.ingestLine(l, i + 4));
    after.drain();
    const strip = (ds: DecisionRecord[]) => ds.map(({ latency_us: _l, ...d }) => d);
    expect(strip(decisions)).toEqual(strip(whole.decisions));
    expect(alerts).toEqual(whole.alerts);
    expect(after.stats).toEqual(whole.p.stats);
  });
});


describe('Pipeline: bounded memory and state versions', () => {
  it('recognises a repeated tape trade within the dedup horizon, and every other repeated id at any distance', () => {
    const lines = [trade('m1', 0), login('l1', 1), trade('m1', 60), trade('m2', 2_000), trade('m3', 4_000), trade('m1', 4_001), login('l1', 4_002)];
    const { p } = run(lines, 5_000, [recorder()]);
    // m1 again 60 s later is a duplicate; more than an hour later it is past the horizon and processed
    // again, while l1 is recognised however late it repeats.
    expect(p.stats).toMatchObject({ duplicate: 2, processed: 5 });
  });

  it('does not remember the ids processNow handles (the service store de-duplicates them)', () => {
    const p = new Pipeline(new Engine({ detectors: [recorder()] }), {});
    const ev = JSON.parse(login('l1', 1)) as Parameters<Pipeline['processNow']>[0];
    p.processNow(ev, T0 + 1000);
    expect(p.hasSeen(ev)).toBe(false);
  });

  it('refuses a snapshot written by another state version, with an error that says so', () => {
    const p = new Pipeline(new Engine({ detectors: [recorder()] }), {});
    const snap = structuredClone(p.snapshot()) as { version: number; engine: { versions: Record<string, number> } };
    const fresh = () => new Pipeline(new Engine({ detectors: [recorder()] }), {});
    expect(() => fresh().restore({ ...snap, version: 1 })).toThrow(/pipeline state version 1/);
    expect(() => fresh().restore({ ...snap, engine: { ...snap.engine, versions: { recorder: 7 } } })).toThrow(/detector recorder saved state version 7/);
    expect(() => fresh().restore(snap)).not.toThrow();
  });
});
