import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './SqliteStore.js';
import { sampleItem, STORE_CONFORMANCE_CASES } from './serviceStoreConformance.js';

let dir: string;
let n = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-sqlite-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore conforms to ServiceStore', () => {
  for (const c of STORE_CONFORMANCE_CASES) {
    it(c.name, () => c.run(async () => new SqliteStore(join(dir, `store${n++}.db`))));
  }
});

describe('SqliteStore on disk', () => {
  it('keeps everything recorded across a close and reopen, and numbering continues', async () => {
    const path = join(dir, 'kg.db');
    const a = new SqliteStore(path);
    await a.recordBatch([sampleItem(1, { alerts: [{}] }), sampleItem(2)]);
    await a.saveSnapshot(2, Buffer.from('state'));
    await a.close();
    const b = new SqliteStore(path);
    expect((await b.findEvent('ev2'))?.seq).toBe(2);
    expect((await b.recordBatch([sampleItem(2), sampleItem(3)]))).toEqual([undefined, 3]);
    expect((await b.listAlerts({})).alerts.map((x) => x.alert_id)).toEqual(['al_ev1_0']);
    expect((await b.loadSnapshot())?.state.toString()).toBe('state');
    await b.close();
  });

  it('uses WAL and records its schema version', async () => {
    const path = join(dir, 'kg.db');
    await new SqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('refuses a file written by a newer schema instead of guessing', async () => {
    const path = join(dir, 'kg.db');
    await new SqliteStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/schema version 99 is newer/);
  });

  it('lets two connections to one file write without handing out a sequence number twice', async () => {
    const path = join(dir, 'kg.db');
    const a = new SqliteStore(path);
    const b = new SqliteStore(path);
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = i % 2 ? a : b;
      seqs.push(...((await s.recordBatch([sampleItem(i)])) as number[]));
    }
    expect(new Set(seqs).size).toBe(20);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    await a.close();
    await b.close();
  });
});
