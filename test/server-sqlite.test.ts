import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { AUTH, login, makeServer, order } from './server-support/fixtures.js';

let dir: string;
const open: FastifyInstance[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-server-sqlite-'));
});
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<FastifyInstance> {
  const { app } = await makeServer({ store: new SqliteStore(join(dir, 'kg.db')) });
  open.push(app);
  return app;
}

const logins = (n: number) => Array.from({ length: n }, (_, i) => login(i + 1, 'A1', `198.51.100.${i + 1}`));

describe('the service on SqliteStore', () => {
  it('page alerts with the store cursor and refuse a forged one naming the cursor', async () => {
    const app = await serve();
    expect((await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: logins(6) })).json()).toMatchObject({ accepted: 6 });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await app.inject({ url: '/v1/alerts', query: { limit: '2', order: 'asc', ...(cursor ? { cursor } : {}) }, headers: AUTH });
      expect(res.statusCode).toBe(200);
      ids.push(...res.json().alerts.map((a: { event_ids: string[] }) => a.event_ids[0]));
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(ids).toEqual(['L2', 'L3', 'L4', 'L5', 'L6']);
    const forged = await app.inject({ url: '/v1/alerts', query: { cursor: 'a1.bm9wZQ' }, headers: AUTH });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toMatchObject({ code: 'BAD_REQUEST', field: 'cursor' });
  });

  it('keep decisions and state across a restart on the same file', async () => {
    const first = await serve();
    await first.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: logins(3) });
    const before = (await first.inject({ url: '/v1/decisions/dec_L3', headers: AUTH })).json();
    await first.close();
    open.length = 0;
    const second = await serve();
    expect((await second.inject({ url: '/v1/decisions/dec_L3', headers: AUTH })).json()).toEqual(before);
    // State survived: the session opened from a new IP before the restart still holds orders.
    const held = await second.inject({ method: 'POST', url: '/v1/decisions/order', headers: AUTH, payload: order(10, 'A1', 'S3') });
    expect(held.json().decision).toBe('hold');
    const notes = await second.inject({ url: '/v1/notifications', query: { account_id: 'A1' }, headers: AUTH });
    expect(notes.json().notifications).toHaveLength(2);
  });
});
