/**
 * Events, a small stateful detector and a server factory for the server tests. The detector makes
 * decisions depend on earlier events (new IP for the account → step_up; an order in a session that
 * was stepped up → hold; a successful login from a new IP raises an alert and a notification), so
 * state loss or double counting after a restart changes answers.
 */
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../src/engine/Engine.js';
import type { Detector } from '../../src/engine/types.js';
import { buildServer, type ServerOptions } from '../../src/server/buildServer.js';
import { MemoryStore } from './MemoryStore.js';

export const TOKEN = 'test-token-0123456789abcdefghij';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

interface NewIpState {
  ips: Map<string, string[]>;
  logins: Map<string, number>;
  risky: Map<string, boolean>;
}

export function newIpDetector(): Detector {
  let s: NewIpState = { ips: new Map(), logins: new Map(), risky: new Map() };
  return {
    name: 'test_new_ip',
    assess(ev) {
      if (ev.type === 'login') {
        const known = ev.account_id ? s.ips.get(ev.account_id) : undefined;
        const logins = ev.account_id ? (s.logins.get(ev.account_id) ?? 0) : 0;
        if (known && !known.includes(ev.ip)) {
          return {
            rule: 'test_new_ip',
            outcome: 'hit',
            decision: 'step_up',
            score: Math.min(1, 0.5 + logins / 100),
            required_auth: 'passkey',
            reasons: [{ code: 'NEW_IP', detail: `${ev.ip} never seen for this account in ${logins} logins` }],
          };
        }
        return { rule: 'test_new_ip', outcome: 'no_hit', score: logins / 1000 };
      }
      if (ev.type === 'order' && s.risky.get(ev.session_id)) {
        return { rule: 'test_new_ip', outcome: 'hit', decision: 'hold', score: 0.8, reasons: [{ code: 'RISKY_SESSION', detail: 'session opened from a new IP' }] };
      }
      return { rule: 'test_new_ip', outcome: 'no_hit', score: 0 };
    },
    observe(ev, ctx) {
      if (ev.type !== 'login' || ev.outcome !== 'success' || !ev.account_id) return;
      const ips = s.ips.get(ev.account_id) ?? [];
      const isNew = ips.length > 0 && !ips.includes(ev.ip);
      if (isNew && ev.session_id) s.risky.set(ev.session_id, true);
      if (!ips.includes(ev.ip)) ips.push(ev.ip);
      s.ips.set(ev.account_id, ips);
      s.logins.set(ev.account_id, (s.logins.get(ev.account_id) ?? 0) + 1);
      if (isNew) {
        ctx.raise({ kind: 'account_takeover', severity: 'medium', score: 0.6, account_id: ev.account_id, ip: ev.ip, reasons: [{ code: 'NEW_IP', detail: ev.ip }], event_ids: [ev.id] });
        ctx.notify({ account_id: ev.account_id, template: 'LOGIN_NEW_IP', message: `New login from ${ev.ip}`, event_ids: [ev.id] });
      }
    },
    snapshot: () => s,
    restore: (state) => {
      s = state as NewIpState;
    },
  };
}

export const testEngine = (): Engine => new Engine({ detectors: [newIpDetector()] });

export async function makeServer(over: Partial<ServerOptions> = {}): Promise<{ app: FastifyInstance; store: MemoryStore }> {
  const store = (over.store as MemoryStore | undefined) ?? new MemoryStore();
  const app = await buildServer({
    token: TOKEN,
    createEngine: testEngine,
    logLevel: 'silent',
    processMetrics: false,
    maxEventLoopDelayMs: 0,
    ...over,
    store,
  });
  return { app, store };
}

const base = Date.parse('2025-04-01T09:00:00.000+09:00');
const iso = (i: number): string => new Date(base + i * 1000).toISOString();

export function login(i: number, account: string, ip: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'login',
    id: `L${i}`,
    ts: iso(i),
    account_id: account,
    login_id_fp: `fp-${account}`,
    ip,
    user_agent: 'Mozilla/5.0',
    channel: 'web',
    outcome: 'success',
    mfa: 'sms',
    session_id: `S${i}`,
    ...extra,
  };
}

export function order(i: number, account: string, session: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'order',
    id: `O${i}`,
    ts: iso(i),
    order_id: `ord${i}`,
    account_id: account,
    session_id: session,
    ip: '198.51.100.1',
    user_agent: 'Mozilla/5.0',
    channel: 'web',
    symbol: '7992.T',
    side: 'buy',
    qty: 100,
    order_type: 'market',
    action: 'new',
    ...extra,
  };
}

export function trade(i: number, price = 105) {
  return { type: 'market_trade', id: `T${i}`, ts: iso(i), symbol: '7992.T', price, qty: 100 };
}

/** A login history: three logins from a home IP, then one from a new IP (an alert and a step-up). */
export function history(account = 'A1'): Record<string, unknown>[] {
  return [
    login(1, account, '203.0.113.5'),
    trade(2),
    login(3, account, '203.0.113.5'),
    order(4, account, 'S3'),
    login(5, account, '203.0.113.5'),
    login(6, account, '192.0.2.66'),
    trade(7, 110),
  ];
}
