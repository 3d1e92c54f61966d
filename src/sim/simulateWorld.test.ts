import { describe, expect, it } from 'vitest';
import { validateEvent } from '../events/validateEvent.js';
import type { KgEvent } from '../events/schema.js';
import { simulateWorld, type SimulatedWorld } from './simulateWorld.js';

const OPTS = { seed: 3, accounts: 200, days: 5, start: '2025-04-07' };
const world: SimulatedWorld = simulateWorld(OPTS);
const events = world.events!;
const labels = world.labels;
const text = (w: SimulatedWorld): string => w.events!.map((e) => JSON.stringify(e)).join('\n');
const t = (e: { ts: string }): number => Date.parse(e.ts);

describe('simulateWorld determinism', () => {
  it('gives byte-identical events and labels for the same seed', () => {
    const again = simulateWorld(OPTS);
    expect(text(again)).toBe(text(world));
    expect(JSON.stringify(again.labels)).toBe(JSON.stringify(labels));
  });

  it('gives a different world for a different seed', () => {
    const other = simulateWorld({ ...OPTS, seed: 4 });
    expect(text(other)).not.toBe(text(world));
  });
});

describe('simulateWorld events', () => {
  it('writes only events that validate against the contract, with unique ids', () => {
    const bad = events.map((e) => validateEvent(JSON.parse(JSON.stringify(e)))).filter((v) => !v.ok);
    expect(bad).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('keeps time order, with market data at most 2 s behind the broker events', () => {
    let maxSeen = -Infinity;
    let worst = 0;
    for (const e of events) {
      worst = Math.max(worst, maxSeen - t(e));
      maxSeen = Math.max(maxSeen, t(e));
    }
    expect(worst).toBeLessThanOrEqual(2000);
    const perAccount = new Map<string, number>();
    for (const e of events) {
      const a = (e as { account_id?: string | null }).account_id;
      if (!a || e.type === 'account') continue;
      expect(t(e)).toBeGreaterThanOrEqual(perAccount.get(a) ?? -Infinity);
      perAccount.set(a, t(e));
    }
  });

  it('starts with the instruments and account snapshots', () => {
    const firstOther = events.findIndex((e) => e.type !== 'instrument' && e.type !== 'account');
    expect(events.slice(0, firstOther).some((e) => e.type === 'instrument')).toBe(true);
    expect(events.slice(0, firstOther).filter((e) => e.type === 'account').length).toBeGreaterThan(OPTS.accounts * 0.9);
  });

  it('fills orders at prices consistent with the tape and never sells shares an account does not hold', () => {
    const holdings = new Map<string, number>();
    const key = (a: string, s: string): string => `${a}|${s}`;
    const lastPrint = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'account') for (const h of e.holdings) holdings.set(key(e.account_id, h.symbol), h.qty);
      if (e.type === 'market_trade') lastPrint.set(e.symbol, e.price);
      if (e.type === 'execution') {
        const k = key(e.account_id, e.symbol);
        const next = (holdings.get(k) ?? 0) + (e.side === 'buy' ? e.qty : -e.qty);
        expect(next).toBeGreaterThanOrEqual(0);
        holdings.set(k, next);
        const ref = lastPrint.get(e.symbol);
        if (ref !== undefined) expect(Math.abs(Math.log(e.price / ref))).toBeLessThan(0.25);
      }
    }
  });
});

describe('simulateWorld labels', () => {
  const byId = new Map(events.map((e) => [e.id, e]));
  const accounts = new Set(events.filter((e) => e.type === 'account').map((e) => (e as { account_id: string }).account_id));
  const malicious = new Set(labels.malicious_event_ids);

  it('references only accounts and events that exist', () => {
    expect(labels.compromised_accounts.length).toBeGreaterThan(0);
    expect(labels.pumps.length).toBeGreaterThan(0);
    for (const c of labels.compromised_accounts) expect(accounts.has(c.account_id)).toBe(true);
    for (const b of labels.beneficiary_accounts) expect(accounts.has(b.account_id)).toBe(true);
    for (const l of labels.benign_lookalikes) if (l.account_id) expect(accounts.has(l.account_id)).toBe(true);
    for (const id of labels.malicious_event_ids) expect(byId.has(id)).toBe(true);
    const ips = new Set(events.filter((e) => e.type === 'login').map((e) => (e as { ip: string }).ip));
    for (const ip of labels.stuffing_ips) expect(ips.has(ip)).toBe(true);
  });

  it('marks every event of an attacker session, and the executions of attacker orders, as malicious', () => {
    const attackerSessions = new Set<string>();
    for (const e of events) if (e.type === 'login' && e.outcome === 'success' && malicious.has(e.id)) attackerSessions.add(e.session_id!);
    const maliciousOrders = new Set<string>();
    for (const e of events) {
      const sid = (e as { session_id?: string }).session_id;
      if (e.type !== 'login' && sid && attackerSessions.has(sid)) expect(malicious.has(e.id), `${e.type} ${e.id}`).toBe(true);
      if (e.type === 'order' && malicious.has(e.id)) maliciousOrders.add(e.order_id);
    }
    for (const e of events) if (e.type === 'execution') expect(malicious.has(e.id)).toBe(maliciousOrders.has(e.order_id));
  });

  it('dates each compromise at the attacker’s first success, before any of their account actions', () => {
    const compromisedAt = new Map(labels.compromised_accounts.map((c) => [c.account_id, Date.parse(c.compromised_at)]));
    const beneficiaryEvents = new Set(labels.beneficiary_event_ids);
    for (const e of events) {
      if (!malicious.has(e.id) || beneficiaryEvents.has(e.id) || e.type === 'execution') continue;
      const a = (e as { account_id?: string | null }).account_id;
      if (!a || !compromisedAt.has(a)) continue;
      if (e.type === 'login' && e.outcome !== 'success') continue;
      expect(t(e)).toBeGreaterThanOrEqual(compromisedAt.get(a)!);
    }
    for (const [a, at] of compromisedAt) {
      const first = events.find((e) => malicious.has(e.id) && (e as { account_id?: string }).account_id === a && t(e) === at);
      expect(first, `no attacker event at compromised_at for ${a}`).toBeDefined();
    }
  });

  it('leaves no timing artefact on scripted events: attacker milliseconds and account openings vary', () => {
    const ms = (ts: string): string => ts.slice(20, 23);
    const scripted = events.filter((e) => malicious.has(e.id) && e.type !== 'execution');
    expect(new Set(scripted.map((e) => ms(e.ts))).size).toBeGreaterThan(Math.min(200, scripted.length * 0.5));
    const opened = events.filter((e) => e.type === 'account').map((e) => (e as { opened_at: string }).opened_at);
    expect(opened.filter((o) => o.endsWith(':00:00.000+09:00')).length).toBeLessThan(opened.length * 0.05);
  });

  it('shows each pump episode in the tape: volume far above normal and a sharp intraday rise', () => {
    for (const p of labels.pumps) {
      const trades = events.filter((e): e is Extract<KgEvent, { type: 'market_trade' }> => e.type === 'market_trade' && e.symbol === p.symbol);
      const start = Date.parse(p.start);
      const end = Date.parse(p.end);
      const inWindow = trades.filter((e) => t(e) >= start && t(e) <= end);
      const pumpDays = new Set(labels.pumps.filter((q) => q.symbol === p.symbol).map((q) => q.start.slice(0, 10)));
      const normal = new Map<string, number>();
      for (const e of trades) if (!pumpDays.has(e.ts.slice(0, 10))) normal.set(e.ts.slice(0, 10), (normal.get(e.ts.slice(0, 10)) ?? 0) + e.qty);
      const normalDaily = [...normal.values()].sort((a, b) => a - b)[Math.floor(normal.size / 2)];
      const volume = inWindow.reduce((a, e) => a + e.qty, 0);
      expect(volume / normalDaily).toBeGreaterThan(25);
      const open = inWindow.slice(0, 5).reduce((a, e) => a + e.price, 0) / Math.min(5, inWindow.length);
      const peak = Math.max(...inWindow.map((e) => e.price));
      expect(peak / open).toBeGreaterThan(p.variant.endsWith('repeat') ? 1.08 : 1.2);
      expect(inWindow.filter((e) => e.aggressor === 'buy').length).toBeGreaterThan(inWindow.length / 2);
    }
  });
});

describe('simulateWorld warm-up', () => {
  const warm = simulateWorld({ ...OPTS, warmupDays: 3 });
  const startT = Date.parse('2025-04-07T07:00:00.000+09:00');
  const malicious = new Set(warm.labels.malicious_event_ids);

  it('adds ordinary customer days before the start, with no attacker event in them', () => {
    const before = warm.events!.filter((e) => t(e) < startT);
    expect(before.filter((e) => e.type === 'login').length).toBeGreaterThan(100);
    expect(before.filter((e) => malicious.has(e.id))).toEqual([]);
  });

  it('keeps the attack period planned as without warm-up, and says where it starts', () => {
    expect(warm.labels.evaluate_from).toBe('2025-04-07T07:00:00.000+09:00');
    expect(warm.labels.compromised_accounts.map((c) => c.account_id).sort()).toEqual(labels.compromised_accounts.map((c) => c.account_id).sort());
    expect(warm.summary.warmup_days).toBe(3);
    expect('evaluate_from' in labels).toBe(false);
  });
});
