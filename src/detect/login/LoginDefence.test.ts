import { describe, expect, it } from 'vitest';
import type { AccountChangeEvent, CashEvent, OrderEvent } from '../../events/schema.js';
import { defaultPolicy } from '../../policy/index.js';
import { buildHabit, buildPopulation, harness, iso, login, T0, UA_ANDROID, UA_IPHONE, UA_PC } from './testFixtures.js';

const H = 3600_000;
const D = 86_400_000;

describe('credential stuffing', () => {
  it('raises one alert per stuffing IP and steps up a success from it with a passkey', () => {
    const h = harness();
    buildHabit(h, 'victim');
    const t = T0 + 20 * D;
    const ip = '10.3.0.99';
    for (let i = 0; i < 30; i++) {
      h.run(login(t + i * 1000, { account_id: i % 3 === 0 ? null : `acct${i}`, login_id_fp: `fp${i}`, ip, outcome: i % 3 === 0 ? 'unknown_account' : 'bad_password', device_id: undefined, user_agent: 'python-requests/2.31' }));
    }
    const stuffing = h.alerts.filter((a) => a.kind === 'credential_stuffing');
    expect(stuffing).toHaveLength(1);
    expect(stuffing[0].ip).toBe(ip);
    expect(stuffing[0].event_ids.length).toBeGreaterThan(4);
    expect(stuffing[0].event_ids.length).toBeLessThanOrEqual(50);
    expect(stuffing[0].reasons[0].detail).toMatch(/accounts failed/);

    const d = h.run(login(t + 60_000, { account_id: 'victim', ip, device_id: undefined, user_agent: 'python-requests/2.31' }));
    expect(['step_up', 'deny']).toContain(d!.decision);
    if (d!.decision === 'step_up') expect(d!.required_auth).toBe('passkey');
    expect(d!.reasons.some((r) => r.code === 'STUFFING_IP')).toBe(true);
  });

  it('sees one password sprayed over many accounts from many IPs (low and slow)', () => {
    const h = harness();
    const t = T0;
    for (let i = 0; i < 8; i++) {
      h.run(login(t + i * 20 * 60_000, { account_id: `acct${i}`, login_id_fp: `fp${i}`, ip: `10.1.${i}.7`, outcome: 'bad_password', secret_fp: 'spray-secret', device_id: undefined }));
    }
    const ips = new Set(h.alerts.filter((a) => a.kind === 'credential_stuffing').map((a) => a.ip));
    expect(ips.size).toBeGreaterThanOrEqual(5);
    expect(h.alerts.some((a) => a.reasons[0].code === 'PASSWORD_SPRAY')).toBe(true);
  });

  it('does not flag a shared office IP where a few customers mistype their own password', () => {
    const h = harness();
    for (let i = 0; i < 40; i++) {
      const acct = `staff${i % 20}`;
      if (i % 10 === 0) h.run(login(T0 + i * 600_000, { account_id: acct, ip: '10.5.0.1', outcome: 'bad_password' }));
      h.run(login(T0 + i * 600_000 + 30_000, { account_id: acct, ip: '10.5.0.1' }));
    }
    expect(h.alerts.filter((a) => a.kind === 'credential_stuffing')).toHaveLength(0);
  });
});

describe('login risk', () => {
  it('orders known device and network < new ASN and new device < hosting ASN and new device', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    const known = h.engine.decide(login(t, { account_id: 'a', ip: '10.1.0.11' }), t);
    const newAsn = h.engine.decide(login(t, { account_id: 'a', ip: '10.2.3.4', device_id: 'new-phone', user_agent: UA_ANDROID }), t);
    const hosting = h.engine.decide(login(t, { account_id: 'a', ip: '10.3.3.4', device_id: 'new-phone', user_agent: UA_ANDROID }), t);
    expect(known.score).toBeLessThan(newAsn.score);
    expect(newAsn.score).toBeLessThan(hosting.score);
    expect(known.decision).toBe('allow');
    expect(hosting.decision).toBe('step_up');
    expect(hosting.required_auth).toBe('passkey');
    expect(hosting.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['NEW_ASN', 'NEW_DEVICE', 'HOSTING_NETWORK']));
  });

  it('does not learn the network of a challenged login (a relayed-MFA attacker stays risky)', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    let t = last + D;
    const attacker = { account_id: 'a', ip: '10.4.0.66', device_id: 'evil', user_agent: UA_ANDROID } as const;
    const first = h.run(login(t, attacker))!;
    expect(first.decision).not.toBe('allow');
    for (let i = 0; i < 5; i++) {
      t += H;
      const again = h.run(login(t, attacker))!;
      expect(again.decision).not.toBe('allow');
      expect(again.score).toBeGreaterThanOrEqual(first.score - 0.05);
    }
  });

  it('lets a passkey login from a new device through and learns it', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    const d = h.run(login(t, { account_id: 'a', ip: '10.2.0.5', device_id: 'new-phone', user_agent: UA_ANDROID, mfa: 'passkey' }))!;
    expect(d.decision).toBe('allow');
    expect(h.notifications.some((n) => n.template === 'LOGIN_NEW_DEVICE' && n.account_id === 'a')).toBe(true);
    const next = h.engine.decide(login(t + D, { account_id: 'a', ip: '10.2.0.9', device_id: 'new-phone', user_agent: UA_ANDROID }), t + D);
    expect(next.decision).toBe('allow');
  });
});

describe('session integrity', () => {
  const orderFrom = (id: string, t: number, session: string, ip: string, user_agent: string, side: 'buy' | 'sell' = 'sell'): OrderEvent => ({ type: 'order', id, ts: iso(t), order_id: id, account_id: 'a', session_id: session, ip, user_agent, channel: 'web', symbol: '7203.T', side, qty: 100, order_type: 'market', action: 'new' });
  const sessionHijacks = (h: ReturnType<typeof harness>) => h.alerts.filter((a) => a.kind === 'session_hijack');

  it('holds an order from another network and client than the login and raises session_hijack', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lok', account_id: 'a', ip: '10.1.0.10' }));
    const d = h.run(orderFrom('O1', t + 60_000, 'S-Lok', '10.4.0.9', 'curl/8.0'))!;
    expect(d.decision).toBe('hold');
    const alert = sessionHijacks(h)[0];
    expect(alert?.account_id).toBe('a');
    expect(alert?.event_ids).toEqual(['Lok', 'O1']);
    expect(h.notifications.some((n) => n.template === 'HOLD_PLACED')).toBe(true);
  });

  it('lets a session move from home Wi-Fi to the customer’s mobile carrier with the same client', () => {
    const h = harness();
    let last = buildHabit(h, 'a');
    for (let i = 1; i <= 3; i++) h.run(login((last += H), { account_id: 'a', ip: `10.2.7.${i}` }));
    const t = last + D;
    h.run(login(t, { id: 'Lm', account_id: 'a', ip: '10.1.0.10' }));
    expect(h.run(orderFrom('O2', t + 60_000, 'S-Lm', '10.2.0.9', h.engine.world.sessions.get('S-Lm')!.user_agent, 'buy'))!.decision).toBe('allow');
    expect(sessionHijacks(h)).toHaveLength(0);
  });

  it('lets an app session move to a carrier the customer never used when many customers use it', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lc', account_id: 'a', ip: '10.1.0.10' }));
    expect(h.run(orderFrom('O5', t + 60_000, 'S-Lc', '10.2.0.9', h.engine.world.sessions.get('S-Lc')!.user_agent, 'buy'))!.decision).toBe('allow');
    expect(sessionHijacks(h)).toHaveLength(0);
  });

  it('holds a stolen session replayed with the same client from a network the customer never used', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lc', account_id: 'a', ip: '10.1.0.10' }));
    const ua = h.engine.world.sessions.get('S-Lc')!.user_agent;
    expect(h.run(orderFrom('O3', t + H, 'S-Lc', '10.5.3.3', ua))!.decision).toBe('hold');
    expect(sessionHijacks(h)[0]?.reasons[0].detail).toMatch(/never used by this customer/);
  });

  /** A customer who logs in through a commercial VPN placed in Romania, and sometimes from a phone on the carrier. */
  function vpnCustomer(h: ReturnType<typeof harness>): number {
    let last = buildHabit(h, 'a', T0, { ip: '10.6.3.7' });
    for (let i = 1; i <= 3; i++) h.run(login((last += H), { account_id: 'a', ip: `10.2.7.${i}` }));
    return last;
  }

  it('lets a session move from the customer’s usual VPN, placed abroad, to the customer’s carrier in Japan', () => {
    const h = harness();
    const t = vpnCustomer(h) + D;
    h.run(login(t, { id: 'Lv', account_id: 'a', ip: '10.6.3.7' }));
    const d = h.run(orderFrom('Ov', t + 60_000, 'S-Lv', '10.2.9.9', h.engine.world.sessions.get('S-Lv')!.user_agent))!;
    expect(d.decision).toBe('allow');
    expect(sessionHijacks(h)).toHaveLength(0);
  });

  it('lets a traveller’s session move from a hotel network abroad to the customer’s own carrier (roaming)', () => {
    const h = harness();
    let last = buildHabit(h, 'a');
    for (let i = 1; i <= 3; i++) h.run(login((last += H), { account_id: 'a', ip: `10.2.7.${i}` }));
    const t = last + D;
    h.run(login(t, { id: 'Lt', account_id: 'a', ip: '10.4.8.8' }));
    const d = h.run(orderFrom('Ot', t + 60_000, 'S-Lt', '10.2.9.9', h.engine.world.sessions.get('S-Lt')!.user_agent))!;
    expect(d.decision).not.toBe('hold');
    expect(d.reasons.some((r) => r.code === 'SESSION_MISMATCH')).toBe(false);
    expect(sessionHijacks(h)).toHaveLength(0);
  });

  it('holds a VPN customer’s session used from a Japanese network new to the account with another client', () => {
    const h = harness();
    const t = vpnCustomer(h) + D;
    h.run(login(t, { id: 'Lw', account_id: 'a', ip: '10.6.3.7' }));
    const d = h.run(orderFrom('Ow', t + H, 'S-Lw', '10.5.4.4', UA_IPHONE))!;
    expect(d.decision).toBe('hold');
    const alert = sessionHijacks(h)[0];
    expect(alert?.event_ids).toEqual(['Lw', 'Ow']);
    expect(alert?.reasons[0].detail).toMatch(/client changed.*network never used by this customer/);
  });

  it('holds a session moved abroad on an account too new to have a habit (its first login may be the thief’s)', () => {
    const h = harness();
    buildPopulation(h);
    const t = T0 + 20 * D;
    h.run(login(t, { account_id: 'a', ip: '10.6.3.7' }));
    h.run(login(t + H, { id: 'Ly', account_id: 'a', ip: '10.4.8.8' }));
    const d = h.run(orderFrom('Oy', t + H + 60_000, 'S-Ly', '10.6.3.8', h.engine.world.sessions.get('S-Ly')!.user_agent))!;
    expect(d.decision).toBe('hold');
    expect(sessionHijacks(h)[0]?.reasons[0].detail).toMatch(/country CN→RO/);
  });

  it('lets a session of a customer who only ever uses a VPN placed abroad move to a carrier many customers use', () => {
    const h = harness();
    const t = buildHabit(h, 'a', T0, { ip: '10.6.3.7' }) + D;
    h.run(login(t, { id: 'Lo', account_id: 'a', ip: '10.6.3.7' }));
    const d = h.run(orderFrom('Oo', t + 60_000, 'S-Lo', '10.2.9.9', h.engine.world.sessions.get('S-Lo')!.user_agent))!;
    expect(d.decision).toBe('allow');
    expect(sessionHijacks(h)).toHaveLength(0);
  });

  it('holds a session replayed with its copied client from a home ISP that some desktop customers use but few customers overall', () => {
    const h = harness();
    let last = buildHabit(h, 'a');
    for (let c = 0; c < 3; c++) for (let i = 0; i < 12; i++) h.run(login(T0 + i * D + c * 60_000 + 30_000, { account_id: `desk${c}`, ip: `10.1.${20 + c}.5` }));
    for (let i = 0; i < 8; i++) h.run(login(T0 + i * D + 50_000, { account_id: 'ntt', ip: '10.5.0.5' }));
    last += H;
    const t = last + D;
    h.run(login(t, { id: 'Lj', account_id: 'a', ip: '10.1.0.10' }));
    expect(h.run(orderFrom('Oj', t + H, 'S-Lj', '10.5.3.3', h.engine.world.sessions.get('S-Lj')!.user_agent))!.decision).toBe('hold');
    expect(sessionHijacks(h)[0]?.reasons[0].detail).toMatch(/never used by this customer/);
  });

  it('holds a desktop session replayed with its copied client from a carrier only phones use', () => {
    const h = harness();
    let last = buildHabit(h, 'a');
    // Enough desktop customers that where desktop clients log in from is known: home ISPs.
    for (let c = 0; c < 3; c++) for (let i = 0; i < 12; i++) h.run(login(T0 + i * D + c * 60_000 + 30_000, { account_id: `desk${c}`, ip: `10.1.${20 + c}.5` }));
    last += H;
    const t = last + D;
    h.run(login(t, { id: 'Lp', account_id: 'a', ip: '10.1.0.10' }));
    const ua = h.engine.world.sessions.get('S-Lp')!.user_agent;
    expect(ua).toBe(UA_PC);
    expect(h.run(orderFrom('Op', t + H, 'S-Lp', '10.2.9.9', ua))!.decision).toBe('hold');
    expect(sessionHijacks(h)[0]?.reasons[0].detail).toMatch(/never used by this customer/);
  });

  it('flags two logins of one account from two countries minutes apart', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { account_id: 'a', ip: '10.1.0.10' }));
    const d = h.run(login(t + 5 * 60_000, { account_id: 'a', ip: '10.4.0.10', device_id: 'x' }))!;
    expect(d.decision).not.toBe('allow');
    expect(d.reasons.some((r) => r.code === 'IMPOSSIBLE_TRAVEL')).toBe(true);
    // Alone it raises no alert (VPN exits look like travel); it counts toward a takeover.
    expect(sessionHijacks(h)).toHaveLength(0);
  });
});

describe('account changes and cash', () => {
  it('holds a withdrawal soon after a bank-account change, and notifies the change and the hold', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lb', account_id: 'a' }));
    const change: AccountChangeEvent = { type: 'account_change', id: 'C1', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Lb', ip: '10.1.0.10', user_agent: h.engine.world.sessions.get('S-Lb')!.user_agent, field: 'bank_account' };
    const dc = h.run(change)!;
    expect(dc.decision).toBe('step_up');
    expect(dc.required_auth).toBe('passkey');
    const cash: CashEvent = { type: 'cash', id: 'W1', ts: iso(t + 2 * H), account_id: 'a', session_id: 'S-Lb', ip: '10.1.0.10', direction: 'withdrawal', amount_jpy: 3_000_000 };
    const dw = h.run(cash)!;
    expect(dw.decision).toBe('hold');
    expect(dw.reasons.some((r) => r.code === 'RECENT_BANK_CHANGE')).toBe(true);
    expect(h.notifications.map((n) => n.template)).toEqual(expect.arrayContaining(['ACCOUNT_CHANGED', 'HOLD_PLACED']));
    expect(h.notifications.find((n) => n.template === 'ACCOUNT_CHANGED')!.message).toMatch(/出金先口座[\s\S]*\n.*bank_account/);
  });

  it('raises account_takeover after a risky login changes the e-mail and withdraws, with linkable attributes', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lx', account_id: 'a', ip: '10.3.0.5', device_id: 'evil', user_agent: UA_ANDROID }));
    h.run({ type: 'account_change', id: 'C2', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Lx', ip: '10.3.0.5', user_agent: UA_ANDROID, field: 'email' });
    h.run({ type: 'cash', id: 'W2', ts: iso(t + 120_000), account_id: 'a', session_id: 'S-Lx', ip: '10.3.0.5', direction: 'withdrawal', amount_jpy: 1_000_000 });
    const ato = h.alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0].event_ids).toEqual(expect.arrayContaining(['Lx', 'C2']));
    expect(ato[0].data).toMatchObject({ ip: '10.3.0.5', asn: 64500, user_agent: UA_ANDROID });
  });

  it('does not name a takeover when a traveller changes a setting from their own device abroad, but does from an unknown device and client', () => {
    // A lower centre makes a foreign network as risky as it is in a large broker, where it is rare.
    const h = harness({ weights: { center: 5 } });
    const last = buildHabit(h, 'a');
    buildHabit(h, 'b');
    const t = last + D;
    const change = (id: string, account_id: string, session_id: string): AccountChangeEvent => ({ type: 'account_change', id, ts: iso(t + 5 * 60_000), account_id, session_id, ip: '10.4.8.8', user_agent: 'x', field: 'notification' });
    expect(h.run(login(t, { id: 'Lta', account_id: 'a', ip: '10.4.8.8' }))!.decision).toBe('step_up');
    h.run({ ...change('Ca', 'a', 'S-Lta'), user_agent: h.engine.world.sessions.get('S-Lta')!.user_agent });
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);

    h.run(login(t, { id: 'Ltb', account_id: 'b', ip: '10.4.8.9', device_id: 'unknown-phone', user_agent: UA_ANDROID }));
    h.run({ ...change('Cb', 'b', 'S-Ltb'), user_agent: h.engine.world.sessions.get('S-Ltb')!.user_agent });
    expect(h.alerts.filter((a) => a.kind === 'account_takeover').map((a) => a.account_id)).toEqual(['b']);
  });

  it('challenges another customer logging in from the device of an established takeover', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    buildHabit(h, 'b');
    const t = last + D;
    h.run(login(t, { id: 'Lz', account_id: 'a', ip: '10.3.0.5', device_id: 'crew-pc', user_agent: UA_ANDROID }));
    h.run({ type: 'account_change', id: 'C4', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Lz', ip: '10.3.0.5', user_agent: UA_ANDROID, field: 'email' });
    expect(h.alerts.some((a) => a.kind === 'account_takeover' && a.account_id === 'a')).toBe(true);
    const next = h.engine.decide(login(t + H, { account_id: 'b', ip: '10.1.9.9', device_id: 'crew-pc' }), t + H);
    expect(next.decision).not.toBe('allow');
    expect(next.reasons.some((r) => r.code === 'KNOWN_ATTACKER_INFRA')).toBe(true);
  });

  it('does not raise a second account_takeover when another detector already did', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Ly', account_id: 'a', ip: '10.3.0.5', device_id: 'evil', user_agent: UA_ANDROID }));
    h.detector.onAlert({ alert_id: 'x', ts: iso(t), kind: 'account_takeover', severity: 'high', score: 0.9, account_id: 'a', reasons: [], event_ids: [] }, { t, world: h.engine.world });
    h.run({ type: 'account_change', id: 'C3', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Ly', ip: '10.3.0.5', user_agent: UA_ANDROID, field: 'email' });
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });
});

describe('takeover evidence', () => {
  it('holds but does not name a takeover when a login only new to the customer withdraws', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    // A trip: a foreign home ISP and a new laptop, then cash out to the customer's own bank account.
    h.run(login(t, { id: 'Lt', account_id: 'a', ip: '10.4.0.5', device_id: 'hotel-laptop', user_agent: UA_ANDROID }));
    h.run({ type: 'cash', id: 'Wt', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Lt', ip: '10.4.0.5', direction: 'withdrawal', amount_jpy: 500_000 });
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('names a takeover when the same withdrawal follows a login from a listed datacenter', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Lh', account_id: 'a', ip: '10.3.0.5', device_id: 'vps', user_agent: UA_ANDROID }));
    h.run({ type: 'cash', id: 'Wh', ts: iso(t + 60_000), account_id: 'a', session_id: 'S-Lh', ip: '10.3.0.5', direction: 'withdrawal', amount_jpy: 500_000 });
    const ato = h.alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0].reasons.map((r) => r.code)).toContain('HOSTING_NETWORK');
  });

  it('counts actions of the attacker’s session the next day', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    h.run(login(t, { id: 'Ls', account_id: 'a', ip: '10.3.0.5', device_id: 'vps', user_agent: UA_ANDROID }));
    h.run({ type: 'account_change', id: 'Cs', ts: iso(t + 27 * H), account_id: 'a', session_id: 'S-Ls', ip: '10.3.0.5', user_agent: UA_ANDROID, field: 'email' });
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(1);
  });

  it('names a takeover when the right password comes from a stuffing address and the login is refused', () => {
    const h = harness();
    buildHabit(h, 'victim');
    const t = T0 + 20 * D;
    const ip = '10.3.0.99';
    for (let i = 0; i < 30; i++) {
      h.run(login(t + i * 1000, { account_id: i % 3 === 0 ? null : `acct${i}`, login_id_fp: `fp${i}`, ip, outcome: i % 3 === 0 ? 'unknown_account' : 'bad_password', device_id: undefined, user_agent: 'python-requests/2.31' }));
    }
    const d = h.run(login(t + 60_000, { id: 'Lv', account_id: 'victim', ip, device_id: undefined, user_agent: 'python-requests/2.31' }));
    expect(d!.decision).toBe('deny');
    const ato = h.alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0]).toMatchObject({ account_id: 'victim', event_ids: ['Lv'], data: { login_refused: true } });
    expect(ato[0].reasons[0].code).toBe('CREDENTIALS_COMPROMISED');
  });

  it('raises nothing when a customer abroad on a new laptop is refused for novelty alone', () => {
    const h = harness({ policy: { ...defaultPolicy(), login: { ...defaultPolicy().login, deny_above: 0.5 } } });
    const last = buildHabit(h, 'a');
    const d = h.run(login(last + D, { account_id: 'a', ip: '10.4.0.5', device_id: 'hotel-laptop', user_agent: UA_ANDROID }));
    expect(d!.decision).toBe('deny');
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });
});

describe('attempts with no customer behind them', () => {
  it('scores an unknown login id without a device id above a customer’s typo on the own device', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    const t = last + D;
    const typo = h.engine.decide(login(t, { account_id: 'a', ip: '10.1.0.10', outcome: 'bad_password' }), t);
    const listed = h.engine.decide(login(t, { account_id: null, login_id_fp: 'never-issued', ip: '10.1.7.7', outcome: 'unknown_account', device_id: undefined }), t);
    expect(listed.score).toBeGreaterThan(typo.score);
  });

  it('does not challenge a customer with the right password only because the home ISP carries a stuffing run', () => {
    const h = harness();
    buildPopulation(h);
    const t = T0 + 20 * D;
    // A combo list through many addresses of one ISP: the ASN is flagged, no address on its own is.
    for (let i = 0; i < 60; i++) {
      h.run(login(t + i * 10_000, { account_id: null, login_id_fp: `list${i}`, ip: `10.5.${i}.9`, outcome: 'unknown_account', device_id: undefined, user_agent: 'python-requests/2.31' }));
    }
    const d = h.run(login(t + 11 * 60_000, { account_id: 'newcomer', ip: '10.5.200.1', device_id: 'own-pc' }))!;
    expect(d.rules['login.stuffing']).toBe('no_hit');
    expect(d.decision).toBe('allow');
  });
});

describe('evidence shared with honest customers', () => {
  it('steps up, never refuses, a customer whose common browser a stuffing run also used', () => {
    // A stricter refusal bar than the default, so that the shared evidence alone would cross it.
    const h = harness({ policy: { ...defaultPolicy(), login: { ...defaultPolicy().login, deny_above: 0.98 } } });
    const last = buildHabit(h, 'a');
    const t = last + D;
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36';
    for (let i = 0; i < 60; i++) {
      h.run(login(t + i * 10_000, { account_id: null, login_id_fp: `list${i}`, ip: `10.5.${i}.9`, outcome: 'unknown_account', device_id: undefined, user_agent: ua }));
    }
    const d = h.run(login(t + 11 * 60_000, { account_id: 'a', ip: '10.4.0.5', device_id: 'office-pc', user_agent: ua }))!;
    expect(d.reasons.map((r) => r.code)).toContain('SHARED_STUFFING_SOURCE');
    expect(d.decision).toBe('step_up');
  });
});

describe('lockout', () => {
  it('locks the password path of the attacked device but keeps passkey and the customer’s own device open', () => {
    const h = harness();
    const last = buildHabit(h, 'a');
    let t = last + D;
    for (let i = 0; i < 12; i++) h.run(login((t += 10_000), { account_id: 'a', ip: '10.4.0.3', device_id: 'attacker', outcome: 'bad_password' }));
    const pw = h.engine.decide(login((t += 10_000), { account_id: 'a', ip: '10.4.0.3', device_id: 'attacker', outcome: 'bad_password' }), t);
    expect(pw.decision).toBe('deny');
    expect(pw.reasons.some((r) => r.code === 'PASSWORD_LOCKED_DEVICE')).toBe(true);
    const passkey = h.engine.decide(login(t, { account_id: 'a', ip: '10.1.0.10', mfa: 'passkey' }), t);
    expect(passkey.decision).toBe('allow');
    const own = h.engine.decide(login(t, { account_id: 'a', ip: '10.1.0.10' }), t);
    expect(own.decision).toBe('allow');
    expect(h.notifications.some((n) => n.template === 'PASSWORD_LOGIN_LOCKED')).toBe(true);
  });
});

/** Two quiet days before a failure wave: 40 customers log in every hour, one in twenty mistypes first. */
function quietDays(h: ReturnType<typeof harness>): void {
  for (let hour = 0; hour < 48; hour++) {
    for (let c = 0; c < 40; c++) {
      const t = T0 + hour * H + c * 60_000;
      const ip = `10.1.${c}.${hour % 200}`;
      if ((hour + c) % 20 === 0) h.run(login(t, { account_id: `c${c}`, ip, outcome: 'bad_password' }));
      h.run(login(t + 20_000, { account_id: `c${c}`, ip }));
    }
  }
}

describe('stuffing spread over residential proxies (one attempt per address)', () => {
  it('marks the addresses of never-retried failures during a failure wave, not the customer who retried', () => {
    const h = harness();
    quietDays(h);
    const waveStart = T0 + 48 * H;
    const proxies: string[] = [];
    for (let i = 0; i < 150; i++) {
      const ip = `10.2.${i}.${(i * 7) % 250}`;
      proxies.push(ip);
      h.run(login(waveStart + i * 10_000, { account_id: null, login_id_fp: `combo${i}`, ip, outcome: 'unknown_account', device_id: undefined, user_agent: UA_ANDROID }));
      if (i === 75) {
        // A customer mistypes during the wave and gets in on the second try.
        h.run(login(waveStart + i * 10_000 + 1000, { account_id: 'c1', ip: '10.5.9.9', outcome: 'bad_password' }));
        h.run(login(waveStart + i * 10_000 + 30_000, { account_id: 'c1', ip: '10.5.9.9' }));
      }
    }
    // Later traffic lets the engine settle the candidates.
    h.run(login(waveStart + 3 * H, { account_id: 'c2', ip: '10.1.2.3' }));
    const alerted = new Set(h.alerts.filter((a) => a.kind === 'credential_stuffing').map((a) => a.ip));
    const caught = proxies.filter((ip) => alerted.has(ip)).length;
    expect(caught).toBeGreaterThan(100);
    expect(alerted.has('10.5.9.9')).toBe(false);
    expect([...alerted].every((ip) => proxies.includes(ip))).toBe(true);
  });
});

describe('successes from an address recognised as stuffing later (look-back)', () => {
  /** Thirty failed attempts on many login ids from one address: it is flagged on the fifth account. */
  const stuff = (h: ReturnType<typeof harness>, ip: string, t: number): void => {
    for (let i = 0; i < 30; i++) {
      h.run(login(t + i * 60_000, { account_id: i % 3 === 0 ? null : `acct${i}`, login_id_fp: `fp${i}`, ip, outcome: i % 3 === 0 ? 'unknown_account' : 'bad_password', device_id: undefined }));
    }
  };

  it('names an account entered from the address hours before it was recognised, once, without changing the old decision', () => {
    const h = harness();
    buildHabit(h, 'victim');
    const t = T0 + 20 * D;
    const ip = '10.4.0.50';
    // The list's hit comes first and is quiet: no device cookie, nothing done afterwards.
    h.run(login(t, { id: 'Lhit', account_id: 'victim', ip, device_id: undefined }));
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
    stuff(h, ip, t + 5 * H);
    const stuffing = h.alerts.filter((a) => a.kind === 'credential_stuffing' && a.ip === ip);
    expect(stuffing).toHaveLength(1);
    const ato = h.alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0]).toMatchObject({ account_id: 'victim', ip, ts: stuffing[0].ts, data: { login_event_id: 'Lhit', stuffing_source: true } });
    expect(ato[0].reasons[0].code).toBe('STUFFING_SOURCE_SUCCESS');
    expect(ato[0].reasons[0].detail).toContain(iso(t));
    expect(ato[0].event_ids[0]).toBe('Lhit');
    expect(ato[0].event_ids.slice(1)).toEqual(expect.arrayContaining(stuffing[0].event_ids.slice(0, 5)));
    expect(h.notifications.filter((n) => n.template === 'PASSWORD_RESET_REQUIRED').map((n) => n.account_id)).toEqual(['victim']);
    // The same address flagged again the next day names no one twice.
    stuff(h, ip, t + 30 * H);
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(1);
  });

  it('names a hit that is only stepped up from an address already recognised, at the login', () => {
    const h = harness();
    buildHabit(h, 'victim');
    const t = T0 + 20 * D;
    const ip = '10.4.0.52';
    stuff(h, ip, t);
    const d = h.run(login(t + 40 * 60_000, { id: 'Lhit2', account_id: 'victim', ip, device_id: undefined }));
    expect(d!.decision).toBe('step_up');
    const ato = h.alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0]).toMatchObject({ account_id: 'victim', ip, ts: iso(t + 40 * 60_000), data: { login_event_id: 'Lhit2' } });
    expect(ato[0].reasons[0].code).toBe('STUFFING_SOURCE_SUCCESS');
  });

  it('does not name a customer whose own device got in through a carrier NAT address a stuffing run later uses', () => {
    const h = harness();
    const last = buildHabit(h, 'natuser', T0, { ip: '10.2.7.1', user_agent: UA_ANDROID, device_id: 'phone-natuser' });
    const t = last + D;
    const nat = '10.2.9.200';
    h.run(login(t, { account_id: 'natuser', ip: nat, user_agent: UA_ANDROID, device_id: 'phone-natuser' }));
    stuff(h, nat, t + 2 * H);
    expect(h.alerts.some((a) => a.kind === 'credential_stuffing' && a.ip === nat)).toBe(true);
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
    expect(h.notifications.some((n) => n.template === 'PASSWORD_RESET_REQUIRED')).toBe(false);
  });

  it('does not mark the address of a new customer who mistyped once during a failure wave and got in on the retry', () => {
    const h = harness();
    quietDays(h);
    const waveStart = T0 + 48 * H;
    const home = '10.2.250.9';
    for (let i = 0; i < 150; i++) {
      h.run(login(waveStart + i * 10_000, { account_id: null, login_id_fp: `combo${i}`, ip: `10.2.${i}.${(i * 7) % 250}`, outcome: 'unknown_account', device_id: undefined, user_agent: UA_ANDROID }));
      if (i === 75) {
        // A customer seen for the first time, with the wave's client string, mistypes and retries;
        // the retry is stepped up, so it never enters the trusted history.
        h.run(login(waveStart + i * 10_000 + 1000, { account_id: 'newbie', ip: home, outcome: 'bad_password', user_agent: UA_ANDROID, device_id: undefined }));
        h.run(login(waveStart + i * 10_000 + 30_000, { account_id: 'newbie', ip: home, user_agent: UA_ANDROID, device_id: undefined }));
      }
    }
    h.run(login(waveStart + 3 * H, { account_id: 'c2', ip: '10.1.2.3' }));
    expect(h.alerts.filter((a) => a.kind === 'credential_stuffing').length).toBeGreaterThan(100);
    expect(h.alerts.some((a) => a.kind === 'credential_stuffing' && a.ip === home)).toBe(false);
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('does not name a customer whose only failure from the address was on the own login id, when a spray marks the address', () => {
    const h = harness();
    const home = '10.1.77.7';
    // The customer mistypes with a password a spray later tries everywhere, then gets in.
    h.run(login(T0, { account_id: 'typo', ip: home, outcome: 'bad_password', secret_fp: 'spray-secret', device_id: undefined }));
    h.run(login(T0 + 30_000, { account_id: 'typo', ip: home, secret_fp: 'own-secret', device_id: undefined }));
    for (let i = 0; i < 8; i++) {
      h.run(login(T0 + H + i * 20 * 60_000, { account_id: `acct${i}`, login_id_fp: `fp${i}`, ip: `10.1.${i}.7`, outcome: 'bad_password', secret_fp: 'spray-secret', device_id: undefined }));
    }
    expect(h.alerts.some((a) => a.kind === 'credential_stuffing' && a.ip === home)).toBe(true);
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('does not name a login through the address older than the 48 h look-back', () => {
    const h = harness();
    buildHabit(h, 'victim');
    const t = T0 + 20 * D;
    const ip = '10.4.0.51';
    h.run(login(t, { account_id: 'victim', ip, device_id: undefined }));
    stuff(h, ip, t + 50 * H);
    expect(h.alerts.some((a) => a.kind === 'credential_stuffing' && a.ip === ip)).toBe(true);
    expect(h.alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });
});

describe('snapshot', () => {
  it('survives v8 serialization and decides the same after restore', async () => {
    const { serialize, deserialize } = await import('node:v8');
    const h = harness();
    const last = buildHabit(h, 'a');
    for (let i = 0; i < 8; i++) h.run(login(last + i * 1000, { account_id: `x${i}`, login_id_fp: `x${i}`, ip: '10.3.0.77', outcome: 'bad_password', device_id: undefined }));
    const probe = [
      login(last + D, { account_id: 'a', ip: '10.1.0.10' }),
      login(last + D, { account_id: 'a', ip: '10.3.0.77', device_id: 'z' }),
      login(last + D, { account_id: 'a', ip: '10.4.0.1', device_id: 'z', user_agent: UA_ANDROID }),
    ];
    const before = probe.map((e) => h.engine.decide(e, last + D));
    const copy = harness();
    copy.engine.restore(deserialize(serialize(h.engine.snapshot())));
    const after = probe.map((e) => copy.engine.decide(e, last + D));
    expect(after.map((d) => [d.decision, d.score, d.reasons])).toEqual(before.map((d) => [d.decision, d.score, d.reasons]));
  });
});
