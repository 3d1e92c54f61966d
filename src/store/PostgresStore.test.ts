/**
 * Runs against a real PostgreSQL server (CI starts one): `KABUGUARD_PG_URL`, default
 * postgres://postgres@127.0.0.1:5432/test. Every test gets its own schema, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from './PostgresStore.js';
import { sampleItem, STORE_CONFORMANCE_CASES } from './serviceStoreConformance.js';

const URL = process.env.KABUGUARD_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `kg_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let admin: pg.Pool;
let n = 0;
const schemas: string[] = [];
const newSchema = (): string => {
  const s = `${RUN}_${n++}`;
  schemas.push(s);
  return s;
};

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: URL, max: 2 });
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    throw new Error(`PostgreSQL at ${URL} is not reachable (${(err as Error).message}); start it or set KABUGUARD_PG_URL`);
  }
});

afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

describe('PostgresStore conforms to ServiceStore', () => {
  for (const c of STORE_CONFORMANCE_CASES) {
    it(c.name, () => c.run(() => PostgresStore.open({ connectionString: URL, schema: newSchema() })));
  }
});

describe('PostgresStore on a shared database', () => {
  it('hands out each sequence number once, in commit order, to instances writing at the same time', async () => {
    const schema = newSchema();
    const stores = await Promise.all([0, 1, 2, 3].map(() => PostgresStore.open({ connectionString: URL, schema })));
    try {
      // 4 instances × 10 batches, overlapping ids between instances (at-least-once delivery).
      const results = await Promise.all(
        stores.map((s, k) =>
          (async () => {
            const out: (number | undefined)[] = [];
            for (let b = 0; b < 10; b++) out.push(...(await s.recordBatch([sampleItem(b * 10 + k), sampleItem(b * 10 + ((k + 1) % 4))])));
            return out;
          })(),
        ),
      );
      const seqs = results.flat().filter((x): x is number => x !== undefined);
      expect(seqs.length).toBe(40);
      expect(new Set(seqs).size).toBe(40);
      const events: number[] = [];
      for await (const e of stores[0].eventsAfter(0)) events.push(e.seq);
      expect(events).toEqual([...seqs].sort((a, b) => a - b));
      expect(events[events.length - 1]).toBe(40);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('migrates once when opened again and keeps what was recorded', async () => {
    const schema = newSchema();
    const a = await PostgresStore.open({ connectionString: URL, schema });
    await a.recordBatch([sampleItem(1, { alerts: [{}] })]);
    await a.close();
    const b = await PostgresStore.open({ connectionString: URL, schema });
    expect((await b.findEvent('ev1'))?.seq).toBe(1);
    expect((await b.listAlerts({})).alerts).toHaveLength(1);
    await b.close();
    const v = await admin.query(`SELECT count(*)::int AS c FROM "${schema}".schema_migrations`);
    // One row per migration, none repeated by the second open.
    expect(v.rows[0].c).toBe(2);
  });

  it('refuses a schema migrated by a newer kabuguard', async () => {
    const schema = newSchema();
    await (await PostgresStore.open({ connectionString: URL, schema })).close();
    await admin.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES (99)`);
    await expect(PostgresStore.open({ connectionString: URL, schema })).rejects.toThrow(/version 99 is newer/);
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresStore.open({ connectionString: URL, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/plain identifier/);
  });
});
