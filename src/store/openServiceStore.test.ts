import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openServiceStore } from './openServiceStore.js';
import { PostgresStore } from './PostgresStore.js';
import { sampleItem } from './serviceStoreConformance.js';
import { SqliteStore } from './SqliteStore.js';

const PG_URL = process.env.KABUGUARD_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('openServiceStore', () => {
  it('opens a SQLite file for a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-open-store-'));
    try {
      const s = await openServiceStore(join(dir, 'kg.db'));
      expect(s).toBeInstanceOf(SqliteStore);
      expect(await s.recordBatch([sampleItem(1)])).toEqual([1]);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL for a postgres:// URL, in the schema named by kg_schema', async () => {
    const schema = `kg_test_open_${Date.now().toString(36)}`;
    const url = new URL(PG_URL);
    url.searchParams.set('kg_schema', schema);
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      const s = await openServiceStore(url.toString());
      expect(s).toBeInstanceOf(PostgresStore);
      expect(await s.recordBatch([sampleItem(1)])).toEqual([1]);
      await s.close();
      const r = await admin.query(`SELECT count(*)::int AS c FROM "${schema}".events`);
      expect(r.rows[0].c).toBe(1);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('says what to pass when given nothing', async () => {
    await expect(openServiceStore(' ')).rejects.toThrow(/SQLite file path or a postgres:\/\/ URL/);
  });
});
