/**
 * The service on PostgreSQL, whose writes are truly asynchronous: group commits overlap with new
 * requests, and the sequence the store assigns must still be the order the engine applied events.
 * Needs a PostgreSQL server (CI starts one): `KABUGUARD_PG_URL`, default postgres://postgres@127.0.0.1:5432/test.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PostgresStore } from '../src/store/PostgresStore.js';
import { Engine } from '../src/engine/Engine.js';
import type { KgEvent } from '../src/events/schema.js';
import { AUTH, login, makeServer, newIpDetector, order } from './server-support/fixtures.js';

const URL = process.env.KABUGUARD_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `kg_server_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let admin: pg.Pool;

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: URL, max: 1 });
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    throw new Error(`PostgreSQL at ${URL} is not reachable (${(err as Error).message}); start it or set KABUGUARD_PG_URL`);
  }
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** The order in which the engine applied events, to compare with the order the store recorded. */
const applied: string[] = [];
class RecordingEngine extends Engine {
  override process(ev: KgEvent, t: number) {
    applied.push(ev.id);
    return super.process(ev, t);
  }
}

const serve = async (): Promise<FastifyInstance> =>
  (await makeServer({ store: await PostgresStore.open({ connectionString: URL, schema }), createEngine: () => new RecordingEngine({ detectors: [newIpDetector()] }) })).app;

/** 30 accounts, each: two home logins then one from a new IP, sent by concurrent clients. */
const accounts = Array.from({ length: 30 }, (_, a) => a);
const perAccount = (a: number) => [login(1000 + a * 3, `P${a}`, '203.0.113.9'), login(1001 + a * 3, `P${a}`, '203.0.113.9'), login(1002 + a * 3, `P${a}`, `192.0.2.${a}`)];

describe('the service on PostgreSQL', () => {
  it('records concurrent requests in the order it applied them, and a restart decides as before', async () => {
    const first = await serve();
    // Each account's events in order from its own client; accounts interleave freely.
    const answers = await Promise.all(
      accounts.map(async (a) => {
        const out = [];
        for (const ev of perAccount(a)) {
          const res = await first.inject({ method: 'POST', url: '/v1/decisions/login', headers: AUTH, payload: ev });
          expect(res.statusCode).toBe(200);
          out.push(res.json().decision);
        }
        return out;
      }),
    );
    for (const a of answers) expect(a).toEqual(['allow', 'allow', 'step_up']);
    await first.close();

    const store = await PostgresStore.open({ connectionString: URL, schema });
    const recorded: string[] = [];
    for await (const se of store.eventsAfter(0)) recorded.push(se.event.id);
    await store.close();
    expect(recorded).toHaveLength(90);
    expect(recorded).toEqual(applied);

    const second = await serve();
    try {
      // The new-IP sessions survived the restart: an order in one is held, one in a home session is not.
      const held = await second.inject({ method: 'POST', url: '/v1/decisions/order', headers: AUTH, payload: order(5000, 'P3', 'S1011') });
      const fine = await second.inject({ method: 'POST', url: '/v1/decisions/order', headers: AUTH, payload: order(5001, 'P3', 'S1010') });
      expect(held.json().decision).toBe('hold');
      expect(fine.json().decision).toBe('allow');
      const again = await second.inject({ method: 'POST', url: '/v1/decisions/login', headers: AUTH, payload: perAccount(7)[2] });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json().decision).toBe('step_up');
    } finally {
      await second.close();
    }
  });
});
