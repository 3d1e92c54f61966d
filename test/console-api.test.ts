/**
 * The API behind the web console, in-process on a real SQLite store: overview counts, an alert with
 * its evidence, cases worked end to end (and still there after a restart), the console's files
 * served without a token while the API keeps asking for one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { AUTH, history, makeServer } from './server-support/fixtures.js';

let dir: string;
let apps: FastifyInstance[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-console-api-'));
});
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
  rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2025-04-02T01:00:00.000Z');

async function start(over: Parameters<typeof makeServer>[0] = {}): Promise<FastifyInstance> {
  const { app } = await makeServer({ store: new SqliteStore(join(dir, 'kg.db')), now: () => NOW, ...over });
  apps.push(app);
  return app;
}

async function feed(app: FastifyInstance): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: history() as object[] });
  expect(res.json()).toMatchObject({ accepted: 7, rejected: 0 });
}

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url, headers: AUTH });
const post = (app: FastifyInstance, url: string, payload: object) => app.inject({ method: 'POST', url, headers: AUTH, payload });

describe('overview and alerts', () => {
  it('counts events, decisions by outcome and alerts per hour and kind', async () => {
    const app = await start();
    await feed(app);
    const res = await get(app, '/v1/summary?bucket=hour');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      events: 7,
      decisions_by_outcome: { allow: 4, step_up: 1 },
      alerts_by_kind: { account_takeover: 1 },
      alerts_by_severity: { medium: 1 },
      alerts_over_time: [{ bucket_start: '2025-04-01T00:00:00.000Z', kind: 'account_takeover', count: 1 }],
      notifications: 1,
      cases_by_status: {},
    });
  });

  it('shows an alert with the events it cites and the decision kabuguard answered for each', async () => {
    const app = await start();
    await feed(app);
    const [alert] = (await get(app, '/v1/alerts')).json().alerts;
    const res = await get(app, `/v1/alerts/${alert.alert_id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.alert).toEqual(alert);
    expect(body.evidence).toHaveLength(1);
    expect(body.evidence[0].event).toMatchObject({ id: 'L6', type: 'login', ip: '192.0.2.66' });
    expect(body.evidence[0].decision).toMatchObject({ decision: 'step_up', reasons: [{ code: 'NEW_IP' }] });
    expect(body.evidence_missing).toBe(0);
    expect((await get(app, '/v1/alerts/al_nope')).json().error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists no campaigns when the engine links none', async () => {
    const app = await start();
    expect((await get(app, '/v1/campaigns')).json()).toEqual({ campaigns: [], total: 0 });
    expect((await get(app, '/v1/campaigns/cmp_x')).statusCode).toBe(404);
  });
});

describe('cases', () => {
  it('are opened, assigned, investigated, confirmed with a victim loss, and closed, every step in the audit trail', async () => {
    const app = await start();
    await feed(app);
    const opened = await post(app, '/v1/cases', { account_id: 'A1', alert_ids: ['al_1'], actor: 'system' });
    expect(opened.statusCode).toBe(201);
    const c = opened.json();
    expect(c).toMatchObject({ case_id: 'case_1', subject: { account_id: 'A1' }, status: 'open', accounts: ['A1'], alert_ids: ['al_1'], opened_at: NOW.toISOString() });
    // The subject's open case is reused: a second alert joins it.
    const again = await post(app, '/v1/cases', { account_id: 'A1', alert_ids: ['al_2'], actor: 'system' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ case_id: 'case_1', alert_ids: ['al_1', 'al_2'] });

    expect((await post(app, '/v1/cases/case_1/assign', { assignee: 'sato', actor: 'lead' })).json().assignee).toBe('sato');
    for (const to of ['investigating', 'confirmed']) {
      expect((await post(app, '/v1/cases/case_1/transition', { to, actor: 'sato' })).json().status).toBe(to);
    }
    const loss = await post(app, '/v1/cases/case_1/losses', { account_id: 'A1', loss_jpy: 2_000_000, fees_jpy: 1_500, actor: 'sato' });
    expect(loss.json().restitution.A1).toMatchObject({ loss_jpy: 2_000_000, compensation_jpy: 1_001_500, residual_jpy: 1_000_000 });
    await post(app, '/v1/cases/case_1/notes', { text: 'customer called back', actor: 'sato' });
    const closed = (await post(app, '/v1/cases/case_1/transition', { to: 'closed', note: 'paid', actor: 'lead' })).json();
    expect(closed.status).toBe('closed');
    expect(closed.log.map((e: { action: string; actor: string }) => `${e.actor}:${e.action}`)).toEqual([
      'system:opened',
      'system:alert_added',
      'lead:assigned',
      'sato:status',
      'sato:status',
      'sato:loss_recorded',
      'sato:note',
      'lead:status',
    ]);
    expect((await get(app, '/v1/cases?status=closed')).json().cases.map((x: { case_id: string }) => x.case_id)).toEqual(['case_1']);
    expect((await get(app, '/v1/cases?status=open')).json().cases).toEqual([]);
    expect((await get(app, '/v1/summary')).json().cases_by_status).toEqual({ closed: 1 });
  });

  it('refuses a move the status machine does not allow, naming what is allowed, and changes nothing', async () => {
    const app = await start();
    await post(app, '/v1/cases', { account_id: 'A1', actor: 'system' });
    const res = await post(app, '/v1/cases/case_1/transition', { to: 'closed', actor: 'sato' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CONFLICT', field: 'to', message: expect.stringMatching(/is open; it can move to investigating, not closed/) });
    const loss = await post(app, '/v1/cases/case_1/losses', { account_id: 'A1', loss_jpy: 1, actor: 'sato' });
    expect(loss.json().error.message).toMatch(/losses are recorded on confirmed cases/);
    expect((await get(app, '/v1/cases/case_1')).json().log).toHaveLength(1);
  });

  it('keeps cases and their audit trail across a restart', async () => {
    const first = await start();
    await post(first, '/v1/cases', { account_id: 'A1', actor: 'system' });
    await post(first, '/v1/cases/case_1/transition', { to: 'investigating', actor: 'sato' });
    await first.close();
    apps = [];
    const second = await start();
    const c = (await get(second, '/v1/cases/case_1')).json();
    expect(c.status).toBe('investigating');
    expect(c.log.map((e: { action: string }) => e.action)).toEqual(['opened', 'status']);
    expect((await post(second, '/v1/cases', { account_id: 'A2', actor: 'system' })).json().case_id).toBe('case_2');
  });

  it('answers 404 for an unknown case and an unknown campaign subject', async () => {
    const app = await start();
    expect((await get(app, '/v1/cases/case_9')).statusCode).toBe(404);
    expect((await post(app, '/v1/cases/case_9/notes', { text: 'x', actor: 'a' })).statusCode).toBe(404);
    const res = await post(app, '/v1/cases', { campaign_id: 'cmp_unknown', actor: 'a' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.field).toBe('campaign_id');
  });

  describe('malformed requests', () => {
    it.each([
      ['no actor', '/v1/cases', { account_id: 'A1' }, 'actor'],
      ['both subjects', '/v1/cases', { account_id: 'A1', campaign_id: 'c', actor: 'a' }, 'campaign_id'],
      ['neither subject', '/v1/cases', { actor: 'a' }, 'campaign_id'],
      ['an unknown field', '/v1/cases', { account_id: 'A1', actor: 'a', priority: 1 }, 'priority'],
      ['an unknown status', '/v1/cases/case_1/transition', { to: 'done', actor: 'a' }, 'to'],
      ['a negative loss', '/v1/cases/case_1/losses', { account_id: 'A1', loss_jpy: -5, actor: 'a' }, 'loss_jpy'],
      ['a loss given as text', '/v1/cases/case_1/losses', { account_id: 'A1', loss_jpy: '5', actor: 'a' }, 'loss_jpy'],
      ['an empty note', '/v1/cases/case_1/notes', { text: ' ', actor: 'a' }, 'text'],
    ])('refuses %s with a 400 naming the field', async (_name, url, body, field) => {
      const app = await start();
      await post(app, '/v1/cases', { account_id: 'A1', actor: 'system' });
      const res = await post(app, url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'BAD_REQUEST', field });
      expect(res.json().error.message).toContain(field);
    });

    it.each([
      ['/v1/summary?bucket=week', 'bucket'],
      ['/v1/summary?since=yesterday', 'since'],
      ['/v1/cases?status=pending', 'status'],
      ['/v1/cases?cursor=garbage', 'cursor'],
      ['/v1/campaigns?limit=0', 'limit'],
    ])('refuses the query %s naming %s', async (url, field) => {
      const app = await start();
      const res = await get(app, url);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe(field);
    });
  });
});

describe('console files', () => {
  function built(): string {
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-abc.js"></script>');
    writeFileSync(join(web, 'assets', 'app-abc.js'), 'console.log(1)');
    return web;
  }

  it('are served at / without a token, with a content security policy; the API still needs the token', async () => {
    const app = await start({ consoleDir: built() });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const js = await app.inject({ method: 'GET', url: '/assets/app-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await app.inject({ method: 'GET', url: '/assets/..%2Findex.html' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/summary' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/' })).statusCode).toBe(405);
  });

  it('are not served unless asked for: / needs the token and finds nothing', async () => {
    const app = await start();
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
    expect((await get(app, '/')).statusCode).toBe(404);
  });
});
