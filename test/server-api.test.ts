import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AUTH, history, login, makeServer, order, trade } from './server-support/fixtures.js';
import type { MemoryStore } from './server-support/MemoryStore.js';
import { PasswordChecker } from '../src/passwords/PasswordChecker.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(over = {}): Promise<{ app: FastifyInstance; store: MemoryStore }> {
  const s = await makeServer(over);
  app = s.app;
  return s;
}

const post = (a: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = AUTH) =>
  a.inject({ method: 'POST', url, payload: payload as object, headers });

async function feed(a: FastifyInstance, events: Record<string, unknown>[]): Promise<void> {
  const res = await a.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    payload: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  expect(res.statusCode).toBe(200);
  expect(res.json().rejected).toBe(0);
}

describe('decision endpoints', () => {
  it('answer the contract shape: decision_id, decision, score, reasons, latency_us', async () => {
    const { app } = await start();
    const res = await post(app, '/v1/decisions/login', login(1, 'A1', '203.0.113.5'));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      decision_id: 'dec_L1',
      decision: 'allow',
      score: 0,
      reasons: [],
      latency_us: expect.any(Number),
      rules: { test_new_ip: 'no_hit' },
    });
    expect(Number.isInteger(body.latency_us) && body.latency_us >= 0).toBe(true);
  });

  it('step up a login from a new IP and name the auth it requires, using only earlier events', async () => {
    const { app } = await start();
    await feed(app, history().slice(0, 5));
    const res = await post(app, '/v1/decisions/login', login(6, 'A1', '192.0.2.66'));
    expect(res.json()).toMatchObject({ decision: 'step_up', required_auth: 'passkey', reasons: [{ code: 'NEW_IP' }] });
    // The order in that session is held: the login was applied after its decision.
    const held = await post(app, '/v1/decisions/order', order(8, 'A1', 'S6'));
    expect(held.json()).toMatchObject({ decision: 'hold', reasons: [{ code: 'RISKY_SESSION' }] });
    expect((await post(app, '/v1/decisions/order', order(9, 'A1', 'S5'))).json().decision).toBe('allow');
  });

  it('serve all four decision paths', async () => {
    const { app } = await start();
    const ch = { type: 'account_change', id: 'C1', ts: '2025-04-01T09:00:00Z', account_id: 'A1', session_id: 'S1', ip: '192.0.2.1', user_agent: 'x', field: 'bank_account' };
    const cash = { type: 'cash', id: 'K1', ts: '2025-04-01T09:00:01Z', account_id: 'A1', session_id: 'S1', ip: '192.0.2.1', direction: 'withdrawal', amount_jpy: 5000 };
    expect((await post(app, '/v1/decisions/account-change', ch)).json().decision_id).toBe('dec_C1');
    expect((await post(app, '/v1/decisions/cash', cash)).json().decision_id).toBe('dec_K1');
    expect((await post(app, '/v1/decisions/order', order(2, 'A1', 'S1'))).json().decision_id).toBe('dec_O2');
  });

  it('record the decision before answering, so GET /v1/decisions/:id finds it', async () => {
    const { app, store } = await start();
    const res = await post(app, '/v1/decisions/login', login(1, 'A1', '203.0.113.5'));
    expect(store.disk.events.map((e) => e.event.id)).toEqual(['L1']);
    const got = await app.inject({ url: `/v1/decisions/${res.json().decision_id}`, headers: AUTH });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ ...res.json(), event_id: 'L1', type: 'login', account_id: 'A1' });
  });

  it('answer a repeated event id with the stored decision and change nothing', async () => {
    const { app, store } = await start();
    await feed(app, history().slice(0, 5));
    const first = await post(app, '/v1/decisions/login', login(6, 'A1', '192.0.2.66'));
    const writes = store.writes;
    const alerts = store.disk.alerts.length;
    const again = await post(app, '/v1/decisions/login', login(6, 'A1', '192.0.2.66'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(store.writes).toBe(writes);
    expect(store.disk.alerts.length).toBe(alerts);
    // The IP is now known: had the repeat been applied again, nothing would differ, so check a count instead.
    expect(store.disk.events.filter((e) => e.event.id === 'L6')).toHaveLength(1);
  });

  it('answer concurrent repeats of one id once, with one decision', async () => {
    const { app, store } = await start();
    const ev = login(1, 'A1', '203.0.113.5');
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(app, '/v1/decisions/login', ev)));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(store.disk.events).toHaveLength(1);
  });

  it('refuse with 409 an id already used by an event that takes no decision', async () => {
    const { app } = await start();
    await feed(app, [trade(1)]);
    const res = await post(app, '/v1/decisions/login', { ...login(1, 'A1', '203.0.113.5'), id: 'T1' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CONFLICT', field: 'id' });
  });
});

describe('malformed decision requests', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a missing ip', { ...login(1, 'A1', 'x'), ip: undefined }, 'ip'],
    ['a bad outcome', { ...login(1, 'A1', '203.0.113.5'), outcome: 'maybe' }, 'outcome'],
    ['a local time without offset', { ...login(1, 'A1', '203.0.113.5'), ts: '2025-04-01T09:00:00' }, 'ts'],
    ['a success without session', { ...login(1, 'A1', '203.0.113.5'), session_id: undefined }, 'session_id'],
    ['an order event on the login path', order(1, 'A1', 'S1'), 'type'],
    ['no type', { ...login(1, 'A1', '203.0.113.5'), type: undefined }, 'type'],
  ];
  it.each(cases)('answer 400 naming the field for %s', async (_name, body, field) => {
    const { app } = await start();
    const res = await post(app, '/v1/decisions/login', body);
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.field).toBe(field);
    expect(err.message).toContain(`\`${field}\``);
    expect(err.request_id).toBe(res.headers['x-request-id']);
  });

  it('change no state: a later identical valid request behaves as if the bad one never happened', async () => {
    const control = await makeServer();
    const { app, store } = await start();
    try {
      await feed(control.app, history().slice(0, 5));
      await feed(app, history().slice(0, 5));
      const bad = { ...login(6, 'A1', '192.0.2.66'), channel: 'fax' };
      const refused = await post(app, '/v1/decisions/login', bad);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.field).toBe('channel');
      expect(store.disk.events).toHaveLength(5);
      const good = login(6, 'A1', '192.0.2.66');
      const a = (await post(app, '/v1/decisions/login', good)).json();
      const b = (await post(control.app, '/v1/decisions/login', good)).json();
      expect({ ...a, latency_us: 0 }).toEqual({ ...b, latency_us: 0 });
      expect(a.decision).toBe('step_up');
      expect(store.disk.alerts).toEqual(control.store.disk.alerts);
    } finally {
      await control.app.close();
    }
  });

  it('answer 400 for a body that is not JSON, and 415 for a content type it does not take', async () => {
    const { app } = await start();
    const bad = await app.inject({ method: 'POST', url: '/v1/decisions/login', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"type":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('BAD_REQUEST');
    const xml = await app.inject({ method: 'POST', url: '/v1/decisions/login', headers: { ...AUTH, 'content-type': 'application/xml' }, payload: '<x/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const arr = await post(app, '/v1/decisions/login', [login(1, 'A1', '203.0.113.5')]);
    expect(arr.statusCode).toBe(400);
  });

  it('answer 413 for a body over the limit', async () => {
    const { app } = await start({ bodyLimit: 1024 });
    const res = await post(app, '/v1/decisions/login', { ...login(1, 'A1', '203.0.113.5'), pad: 'x'.repeat(2000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('authentication', () => {
  it('require the bearer token on every endpoint but /healthz', async () => {
    const { app } = await start();
    for (const [method, url] of [
      ['POST', '/v1/decisions/login'],
      ['POST', '/v1/events'],
      ['GET', '/v1/alerts'],
      ['GET', '/v1/notifications'],
      ['GET', '/v1/decisions/dec_L1'],
      ['GET', '/metrics'],
      ['GET', '/no/such/path'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
    const health = await app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
  });

  it.each([
    ['a wrong token', 'Bearer wrong-token-0123456789abcdefghij'],
    ['another scheme', 'Basic dGVzdDp0ZXN0'],
    ['an oversized header', 'Bearer ' + 'x'.repeat(5000)],
  ])('refuse %s and apply nothing', async (_n, authorization) => {
    const { app, store } = await start();
    const res = await post(app, '/v1/decisions/login', login(1, 'A1', '203.0.113.5'), { authorization });
    expect(res.statusCode).toBe(401);
    expect(store.disk.events).toHaveLength(0);
  });
});

describe('errors in the one error format', () => {
  it('answer 404 for an unknown path and an unknown decision id', async () => {
    const { app } = await start();
    for (const url of ['/v2/nothing', '/v1/decisions/dec_missing']) {
      const res = await app.inject({ url, headers: AUTH });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), request_id: expect.any(String) } });
    }
  });

  it('answer 405 with Allow for a known path and the wrong method', async () => {
    const { app } = await start();
    const res = await app.inject({ method: 'GET', url: '/v1/events', headers: AUTH });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json().error.code).toBe('METHOD_NOT_ALLOWED');
    const del = await app.inject({ method: 'DELETE', url: '/v1/alerts', headers: AUTH });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
  });

  it('echo a well-formed x-request-id and replace one that is too long', async () => {
    const { app } = await start();
    const ok = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const long = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'a'.repeat(500) } });
    expect(String(long.headers['x-request-id']).length).toBeLessThan(64);
  });
});

describe('batch ingestion (POST /v1/events)', () => {
  it('process NDJSON in order, report per-line errors, and let valid lines through', async () => {
    const { app, store } = await start();
    const lines = [
      JSON.stringify(login(1, 'A1', '203.0.113.5')),
      '{not json',
      '',
      JSON.stringify({ ...trade(2), qty: -1 }),
      JSON.stringify(login(3, 'A1', '192.0.2.66')),
      JSON.stringify(login(1, 'A1', '203.0.113.5')),
      JSON.stringify({ type: 'weather', id: 'W1', ts: '2025-04-01T00:00:00Z' }),
    ];
    const res = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/x-ndjson' }, payload: lines.join('\n') + '\n' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 3, duplicate: 1 });
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual([2, 4, 7]);
    expect(body.errors[0].reason).toMatch(/invalid JSON/);
    expect(body.errors[1].reason).toContain('`qty`');
    expect(body.errors[2].reason).toContain('`type`');
    expect(store.disk.events.map((e) => e.event.id)).toEqual(['L1', 'L3']);
    // The second login came from a new IP and was decided on the state after the first.
    expect(store.disk.ids.get('L3')?.decision?.decision).toBe('step_up');
    expect(store.disk.alerts).toHaveLength(1);
    expect(store.disk.notifications).toHaveLength(1);
  });

  it('accept a JSON array and count repeats as duplicates', async () => {
    const { app, store } = await start();
    const events = history();
    const first = await post(app, '/v1/events', events);
    expect(first.json()).toEqual({ accepted: 7, rejected: 0, duplicate: 0, errors: [] });
    const again = await post(app, '/v1/events', events);
    expect(again.json()).toEqual({ accepted: 0, rejected: 0, duplicate: 7, errors: [] });
    expect(store.disk.events).toHaveLength(7);
  });

  it('refuse a body that is neither NDJSON nor an array', async () => {
    const { app } = await start();
    const res = await post(app, '/v1/events', login(1, 'A1', '203.0.113.5'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/NDJSON|array/);
  });

  it('answer 503 and rebuild from the store when a write fails, losing and duplicating nothing', async () => {
    const { app, store } = await start();
    await feed(app, history().slice(0, 3));
    store.failNextWrite = true;
    const failed = await post(app, '/v1/events', history().slice(3));
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(failed.headers['retry-after']).toBe('1');
    // Recovery is asynchronous; the resend is accepted once the state is rebuilt.
    await expect.poll(async () => (await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const resent = await post(app, '/v1/events', history());
    expect(resent.json()).toMatchObject({ accepted: 4, duplicate: 3 });
    expect(store.disk.events.map((e) => e.event.id)).toEqual(history().map((e) => e.id));
    expect(store.disk.ids.get('L6')?.decision?.decision).toBe('step_up');
  });
});

describe('queries', () => {
  async function withAlerts(n: number) {
    const s = await start();
    // Every login after the first comes from a new IP: one alert each.
    await feed(
      s.app,
      Array.from({ length: n + 1 }, (_, i) => login(i + 1, 'A1', `198.51.100.${i + 1}`)),
    );
    return s;
  }

  it('page through alerts with a cursor, every alert once', async () => {
    const { app } = await withAlerts(7);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await app.inject({ url: '/v1/alerts', query: { limit: '3', ...(cursor ? { cursor } : {}) }, headers: AUTH });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.alerts.map((a: { alert_id: string }) => a.alert_id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('filter alerts by account and time', async () => {
    const { app } = await withAlerts(3);
    const res = await app.inject({ url: '/v1/alerts', query: { account_id: 'A1', kind: 'account_takeover', since: '2025-04-01T00:00:03Z' }, headers: AUTH });
    expect(res.json().alerts.map((a: { ts: string }) => a.ts)).toEqual(['2025-04-01T00:00:04.000Z', '2025-04-01T00:00:03.000Z']);
    const none = await app.inject({ url: '/v1/alerts', query: { account_id: 'nobody' }, headers: AUTH });
    expect(none.json().alerts).toEqual([]);
  });

  it.each([
    ['limit', { limit: '0' }],
    ['limit', { limit: 'many' }],
    ['since', { since: 'yesterday' }],
    ['severity', { severity: 'dire' }],
    ['acount_id', { acount_id: 'A1' }],
    ['cursor', { cursor: 'garbage' }],
  ])('answer 400 naming %s for a bad alert query', async (field, query) => {
    const { app } = await start();
    const res = await app.inject({ url: '/v1/alerts', query, headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('list notifications for an account', async () => {
    const { app } = await start();
    await feed(app, [login(1, 'A1', '203.0.113.5'), login(2, 'A1', '192.0.2.9'), login(3, 'B2', '203.0.113.5'), login(4, 'B2', '192.0.2.9')]);
    const res = await app.inject({ url: '/v1/notifications', query: { account_id: 'B2' }, headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json().notifications).toMatchObject([{ account_id: 'B2', template: 'LOGIN_NEW_IP', event_ids: ['L4'] }]);
  });
});

describe('metrics', () => {
  it('export events, rejects, decisions, alerts and latency histograms as Prometheus text', async () => {
    const { app } = await start();
    await feed(app, history());
    await post(app, '/v1/decisions/login', { ...login(9, 'A1', '203.0.113.5'), mfa: 'carrier-pigeon' });
    const res = await app.inject({ url: '/metrics', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('kabuguard_events_total{type="login"} 4');
    expect(text).toContain('kabuguard_events_total{type="market_trade"} 2');
    expect(text).toContain('kabuguard_events_rejected_total{route="/v1/decisions/login"} 1');
    expect(text).toContain('kabuguard_decisions_total{type="login",decision="step_up"} 1');
    expect(text).toContain('kabuguard_alerts_total{kind="account_takeover"} 1');
    expect(text).toMatch(/kabuguard_engine_decision_seconds_count\{type="login"\} 4/);
    expect(text).toMatch(/kabuguard_http_request_duration_seconds_count\{route="\/v1\/events",method="POST",status="200"\} 1/);
    expect(text).toMatch(/kabuguard_store_operation_seconds_count\{op="record"\} \d+/);
  });
});

describe('overload', () => {
  it('make a large batch wait for its own commits instead of refusing it', async () => {
    const { app, store } = await start({ maxPendingEvents: 4 });
    store.writeDelayMs = 5;
    const events = Array.from({ length: 20 }, (_, i) => login(i + 1, `A${i}`, '203.0.113.5'));
    expect((await post(app, '/v1/events', events)).json()).toMatchObject({ accepted: 20, rejected: 0 });
    expect(store.disk.events.map((e) => e.event.id)).toEqual(events.map((e) => e.id));
  });

  it('answer 503 when the store stalls and its queue is full, and record only what was answered 200', async () => {
    const { app, store } = await start({ maxPendingEvents: 3 });
    let release!: () => void;
    store.gate = new Promise((r) => (release = r));
    let settled = 0;
    const answers = Array.from({ length: 12 }, (_, i) =>
      post(app, '/v1/decisions/login', login(i + 1, `A${i}`, '203.0.113.5')).then((res) => {
        settled++;
        return res;
      }),
    );
    // Nothing can be answered 200 while the disk is stalled: the first answers are refusals.
    await expect.poll(() => settled).toBeGreaterThan(0);
    release();
    const done = await Promise.all(answers);
    const ok = done.filter((r) => r.statusCode === 200).map((r) => r.json().decision_id);
    const refused = done.filter((r) => r.statusCode !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.statusCode).toBe(503);
      expect(r.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(store.disk.events.map((e) => `dec_${e.event.id}`).sort()).toEqual(ok.sort());
  });

  it('answer 429 beyond the in-flight limit instead of queueing without bound', async () => {
    const { app } = await start({ maxInFlight: 2 });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(app, '/v1/decisions/login', login(i + 1, `A${i}`, '203.0.113.5'))));
    const codes = answers.map((a) => a.statusCode);
    expect(codes).toContain(200);
    expect(codes).toContain(429);
    expect(codes.every((c) => c === 200 || c === 429)).toBe(true);
    const refused = answers.find((a) => a.statusCode === 429)!;
    // Slots are given back when answers go out: one at a time, nobody is refused.
    for (let i = 0; i < 5; i++) expect((await post(app, '/v1/decisions/login', login(100 + i, 'B', '203.0.113.5'))).statusCode).toBe(200);
    expect(refused.json().error.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.headers['retry-after']).toBe('1');
  });
});

describe('password and phishing routes', () => {
  const options = { passwords: new PasswordChecker([{ name: 'test-list', passwords: ['correcthorse', 'password123'] }]), phish: {} };

  it('serve them behind the same bearer token and in the one error format', async () => {
    const { app } = await start(options);
    expect((await post(app, '/v1/passwords/check', { password: 'password123' }, {})).statusCode).toBe(401);
    const check = await post(app, '/v1/passwords/check', { password: 'password123' });
    expect(check.json()).toMatchObject({ acceptable: false, breached: true, lists: ['test-list'] });
    const bad = await post(app, '/v1/passwords/check', { password: 7 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'BAD_REQUEST', field: 'password', request_id: expect.any(String) });
    const phish = await post(app, '/v1/phish/urls', { urls: ['https://www.monex.co.jp/'] });
    expect(phish.statusCode).toBe(200);
    expect(phish.json().verdicts).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/v1/phish/urls', headers: AUTH })).headers.allow).toBe('POST');
  });

  it('answer 404 for them when not configured', async () => {
    const { app } = await start();
    const res = await post(app, '/v1/passwords/check', { password: 'x' });
    expect(res.statusCode).toBe(404);
  });
});

