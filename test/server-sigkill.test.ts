/**
 * Crash safety of `kabuguard serve`: SIGKILL (or SIGTERM) the real process while several clients ingest, then
 * check the SQLite file and a restarted server. Runs the built CLI (dist/), which `npm ci` builds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { Engine } from '../src/engine/Engine.js';
import { createDetectors } from '../src/detect/index.js';
import { buildServer } from '../src/server/buildServer.js';
import { login, order, TOKEN, trade } from './server-support/fixtures.js';

const CLI = resolve('dist/src/cli/main.js');
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with \`npx tsc -p .\``);
  dir = mkdtempSync(join(tmpdir(), 'kg-sigkill-'));
  writeFileSync(join(dir, 'token'), TOKEN + '\n', { mode: 0o600 });
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startServe(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, '--token-file', join(dir, 'token'), '--log-level', 'error', '--no-ip-db'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const url = await new Promise<string>((res, rej) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`serve exited with ${code} before listening: ${err}`)));
  });
  return { child, url };
}

/** 40 accounts: logins (some from new IPs), orders in those sessions, market trades. */
function workload(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let i = 0;
  for (let round = 0; round < 8; round++) {
    for (let a = 0; a < 40; a++) {
      const acct = `K${a}`;
      const ip = round === 6 && a % 5 === 0 ? `192.0.2.${a}` : `203.0.113.${a}`;
      out.push(login(++i, acct, ip));
      out.push(order(++i, acct, `S${i - 1}`, { qty: 100 * (1 + (a % 3)) }));
      out.push(trade(++i, 100 + round));
    }
  }
  return out;
}

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/**
 * Six clients take work from one queue, single decisions and small batches as a broker would send,
 * until `stopAfter` events are acknowledged; then `stop` is called while the others are mid-request.
 */
async function ingestUntil(url: string, events: Record<string, unknown>[], stopAfter: number, stop: () => void): Promise<{ acked: Set<string>; sent: number }> {
  const acked = new Set<string>();
  let next = 0;
  let stopped = false;
  const client = async (): Promise<void> => {
    while (!stopped && next < events.length) {
      const single = next % 7 !== 0;
      const chunk = events.slice(next, next + (single ? 1 : 12));
      next += chunk.length;
      const ev = chunk[0]!;
      const path = single && (ev.type === 'login' || ev.type === 'order') ? `/v1/decisions/${ev.type}` : '/v1/events';
      try {
        const res = await fetch(url + path, { method: 'POST', headers: auth, body: JSON.stringify(path === '/v1/events' ? chunk : ev) });
        if (res.status === 200) {
          const body = await res.json();
          if (path === '/v1/events') expect(body.rejected).toBe(0);
          for (const e of chunk) acked.add(e.id as string);
        }
      } catch {
        // Connection refused or reset by the stop: not acknowledged, may or may not be recorded.
      }
      if (!stopped && acked.size >= stopAfter) {
        stopped = true;
        stop();
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, client));
  // Never leave the server running: a run that ran out of work before stopping fails on `sent`.
  if (!stopped) stop();
  return { acked, sent: next };
}

async function storedIds(db: string): Promise<{ ids: string[]; snapshotSeq?: number; lastSeq: number }> {
  const store = new SqliteStore(db);
  const ids: string[] = [];
  let lastSeq = 0;
  for await (const se of store.eventsAfter(0)) {
    expect(se.seq).toBeGreaterThan(lastSeq);
    lastSeq = se.seq;
    ids.push(se.event.id);
  }
  const snapshotSeq = (await store.loadSnapshot())?.seq;
  await store.close();
  expect(new Set(ids).size).toBe(ids.length);
  return { ids, snapshotSeq, lastSeq };
}

describe('kabuguard serve stopped during ingestion', () => {
  it('on SIGKILL, loses no acknowledged event, double-counts none, and a restart resumes the same state', async () => {
    const db = join(dir, 'kg.db');
    const events = workload();
    const { child, url } = await startServe(db);

    const { acked, sent } = await ingestUntil(url, events, 400, () => child.kill('SIGKILL'));
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(child.signalCode).toBe('SIGKILL');
    expect(sent).toBeLessThan(events.length);

    const { ids: stored } = await storedIds(db);
    for (const id of acked) expect(stored, `acknowledged ${id}`).toContain(id);

    // Restart (in this process, to save a second start of the CLI) and resend everything: what the
    // killed process recorded is recognised, the rest is new.
    const again = await buildServer({ store: new SqliteStore(db), token: TOKEN, logLevel: 'silent', processMetrics: false });
    let accepted = 0;
    let duplicate = 0;
    for (let k = 0; k < events.length; k += 200) {
      const res = await again.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: events.slice(k, k + 200) });
      expect(res.statusCode).toBe(200);
      accepted += res.json().accepted;
      duplicate += res.json().duplicate;
    }
    expect(duplicate).toBe(stored.length);
    expect(accepted).toBe(events.length - stored.length);
    await again.close();

    // Every stored decision equals what one uninterrupted engine decides over the same sequence.
    const check = new SqliteStore(db);
    const engine = new Engine({ detectors: createDetectors() });
    let n = 0;
    for await (const se of check.eventsAfter(0)) {
      const fresh = engine.process(se.event, se.t).decision;
      if (!fresh) continue;
      const rec = (await check.findEvent(se.event.id))?.decision;
      expect({ id: se.event.id, d: rec?.decision, s: rec?.score, r: rec?.reasons }).toEqual({ id: se.event.id, d: fresh.decision, s: fresh.score, r: fresh.reasons });
      n++;
    }
    await check.close();
    expect(n).toBe(events.filter((e) => e.type !== 'market_trade').length);
  });

  it('on SIGTERM during ingestion, answers or refuses every request, records every answered one, and snapshots all of it', async () => {
    const db = join(dir, 'kg-term.db');
    const { child, url } = await startServe(db);
    const events = workload();
    const { acked, sent } = await ingestUntil(url, events, 300, () => child.kill('SIGTERM'));
    expect(sent).toBeLessThan(events.length);
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    expect(code).toBe(0);
    const { ids, snapshotSeq, lastSeq } = await storedIds(db);
    for (const id of acked) expect(ids, `acknowledged ${id}`).toContain(id);
    // The last snapshot covers every recorded event: the next start replays nothing.
    expect(snapshotSeq).toBe(lastSeq);
  });
});
