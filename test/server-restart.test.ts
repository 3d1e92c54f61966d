import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../src/engine/Engine.js';
import { createDetectors } from '../src/detect/index.js';
import type { KgEvent } from '../src/events/schema.js';
import { AUTH, login, makeServer, newIpDetector, order, trade } from './server-support/fixtures.js';
import { copyDisk, createDisk, MemoryStore, type MemoryDisk } from './server-support/MemoryStore.js';

const open: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
});

/** Three accounts log in from home a few times, trade, then some log in from new IPs. */
function stream(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let i = 0;
  for (let round = 0; round < 4; round++) {
    for (const acct of ['A1', 'A2', 'A3']) {
      out.push(login(++i, acct, `203.0.113.${acct.slice(1)}`));
      out.push(order(++i, acct, `S${i - 1}`));
      out.push(trade(++i, 100 + round));
    }
  }
  out.push(login(++i, 'A2', '192.0.2.200'));
  out.push(order(++i, 'A2', `S${i - 1}`));
  return out;
}

/** Decisions that depend on everything before them: a new-IP login (score counts logins) and an order in that session. */
const probes = (): Record<string, unknown>[] => [login(900, 'A1', '192.0.2.99'), order(901, 'A1', 'S900'), login(902, 'A3', '203.0.113.3')];

async function serve(disk: MemoryDisk, over = {}): Promise<{ app: FastifyInstance; store: MemoryStore }> {
  const s = await makeServer({ store: new MemoryStore(disk), ...over });
  open.push(s.app);
  return s;
}

async function feed(app: FastifyInstance, events: Record<string, unknown>[]): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: events });
  expect(res.json()).toMatchObject({ rejected: 0, duplicate: 0 });
}

async function decide(app: FastifyInstance, events: Record<string, unknown>[]): Promise<unknown[]> {
  const out = [];
  for (const ev of events) {
    const path = ev.type === 'login' ? 'login' : 'order';
    const res = await app.inject({ method: 'POST', url: `/v1/decisions/${path}`, headers: AUTH, payload: ev });
    expect(res.statusCode).toBe(200);
    out.push({ ...res.json(), latency_us: 0 });
  }
  return out;
}

/** What a server that never restarted answers. */
async function control(over = {}): Promise<{ answers: unknown[]; disk: MemoryDisk }> {
  const disk = createDisk();
  const { app } = await serve(disk, over);
  await feed(app, stream());
  const answers = await decide(app, probes());
  return { answers, disk };
}

const decisionsOf = (d: MemoryDisk) => [...d.decisions.values()].map((r) => ({ ...r, latency_us: 0 }));

describe('restart from the store', () => {
  it('answer after a graceful restart exactly as without the restart', async () => {
    const ref = await control();
    expect(ref.answers[0]).toMatchObject({ decision: 'step_up' });
    expect(ref.answers[1]).toMatchObject({ decision: 'hold' });

    const disk = createDisk();
    const first = await serve(disk);
    const events = stream();
    await feed(first.app, events.slice(0, 20));
    await first.app.close();
    open.splice(open.indexOf(first.app), 1);
    expect(first.store.closed).toBe(true);
    // A graceful stop snapshots everything: the next start replays nothing.
    expect(disk.snapshot?.seq).toBe(20);

    const second = await serve(disk);
    await feed(second.app, events.slice(20));
    expect(await decide(second.app, probes())).toEqual(ref.answers);
    expect(decisionsOf(disk)).toEqual(decisionsOf(ref.disk));
    expect(disk.alerts).toEqual(ref.disk.alerts);
  });

  it('after a crash, restore the last snapshot and re-apply later events without emitting them again', async () => {
    const ref = await control();
    const disk = createDisk();
    const first = await serve(disk, { snapshotEveryEvents: 7 });
    const events = stream();
    let k = 0;
    for (; k < 27; k += 3) await feed(first.app, events.slice(k, k + 3));
    // Three more events never make a snapshot due (7 needed): some events are newer than the snapshot.
    if (disk.snapshot?.seq === k) {
      await feed(first.app, events.slice(k, k + 3));
      k += 3;
    }
    // The crash: whatever the store holds now is all the next process gets; no final snapshot.
    const crashed = copyDisk(disk);
    expect(crashed.snapshot).toBeDefined();
    expect(crashed.snapshot!.seq).toBeLessThan(k);
    const alertsBefore = crashed.alerts.length;

    const second = await serve(crashed);
    expect(crashed.alerts.length).toBe(alertsBefore);
    expect((await second.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', seq: k });
    await feed(second.app, events.slice(k));
    expect(await decide(second.app, probes())).toEqual(ref.answers);
    expect(decisionsOf(crashed)).toEqual(decisionsOf(ref.disk));
    expect(crashed.alerts).toEqual(ref.disk.alerts);
  });

  it('replay every stored event when the snapshot cannot be restored', async () => {
    const ref = await control();
    const disk = createDisk();
    const first = await serve(disk, { snapshotEveryEvents: 5 });
    await feed(first.app, stream().slice(0, 25));
    const crashed = copyDisk(disk);
    crashed.snapshot = { seq: crashed.snapshot!.seq, state: Buffer.from('written by another version') };
    const second = await serve(crashed);
    await feed(second.app, stream().slice(25));
    expect(await decide(second.app, probes())).toEqual(ref.answers);
  });

  it('keep the shipped detectors in the same state across a restart', async () => {
    const shipped = { createEngine: () => new Engine({ detectors: createDetectors() }) };
    const ref = await control(shipped);
    const disk = createDisk();
    const first = await serve(disk, { ...shipped, snapshotEveryEvents: 10 });
    await feed(first.app, stream().slice(0, 24));
    const crashed = copyDisk(disk);
    const second = await serve(crashed, shipped);
    await feed(second.app, stream().slice(24));
    expect(await decide(second.app, probes())).toEqual(ref.answers);
    expect(decisionsOf(crashed)).toEqual(decisionsOf(ref.disk));
  });
});

describe('graceful shutdown', () => {
  it('finish requests in flight, record them, then snapshot and close the store', async () => {
    const disk = createDisk();
    const { app, store } = await serve(disk);
    store.writeDelayMs = 50;
    const inFlight = stream().map((ev) => app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: [ev] }));
    await expect.poll(() => store.writesStarted).toBeGreaterThan(0);
    const closing = app.close();
    open.splice(open.indexOf(app), 1);
    const answers = await Promise.all(inFlight);
    await closing;
    const acked = answers.filter((a) => a.statusCode === 200).length;
    // Every answered request is recorded; any refused one answered 503 in the error format.
    expect(acked).toBeGreaterThan(0);
    expect(disk.events.length).toBe(acked);
    for (const a of answers.filter((x) => x.statusCode !== 200)) expect(a.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(disk.snapshot?.seq).toBe(acked);
    expect(store.closed).toBe(true);
  });
});

describe('an engine that fails mid-event', () => {
  /** Applies the event, then throws: the worst case, state changed but nothing recorded. */
  class FailingEngine extends Engine {
    override process(ev: KgEvent, t: number) {
      const res = super.process(ev, t);
      if (ev.id === 'L-BOOM') throw new Error('detector bug');
      return res;
    }
  }

  it('answer 500 in the error format, rebuild from the store, and decide later events as if it never happened', async () => {
    const ref = await control();
    const disk = createDisk();
    const { app } = await serve(disk, { createEngine: () => new FailingEngine({ detectors: [newIpDetector()] }) });
    await feed(app, stream());
    // A login from a new IP for A1 that would have made the probe's IP known, had it stayed applied.
    const boom = await app.inject({ method: 'POST', url: '/v1/decisions/login', headers: AUTH, payload: { ...login(899, 'A1', '192.0.2.99'), id: 'L-BOOM' } });
    expect(boom.statusCode).toBe(500);
    expect(boom.json().error).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', request_id: expect.any(String) });
    expect(boom.body).not.toContain('detector bug');
    await expect.poll(async () => (await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect(disk.events.some((e) => e.event.id === 'L-BOOM')).toBe(false);
    expect(await decide(app, probes())).toEqual(ref.answers);
  });
});

describe('engine state that cannot be serialized', () => {
  it('still commits and answers every event, and a restart rebuilds from the event log', async () => {
    const ref = await control();
    const unclonable = () => {
      const d = newIpDetector();
      return new Engine({ detectors: [d, { name: 'holds_a_function', snapshot: () => ({ f: () => 1 }) }] });
    };
    const disk = createDisk();
    const first = await serve(disk, { createEngine: unclonable, snapshotEveryEvents: 3 });
    await feed(first.app, stream().slice(0, 20));
    expect(disk.events).toHaveLength(20);
    expect(disk.snapshot).toBeUndefined();
    const crashed = copyDisk(disk);
    const second = await serve(crashed);
    await feed(second.app, stream().slice(20));
    expect(await decide(second.app, probes())).toEqual(ref.answers);
  });
});

