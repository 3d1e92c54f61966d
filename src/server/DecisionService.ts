import { deserialize, serialize } from 'node:v8';
import type { FastifyBaseLogger } from 'fastify';
import { isDecisionEvent, type KgEvent } from '../events/schema.js';
import { Engine } from '../engine/Engine.js';
import { Pipeline } from '../engine/Pipeline.js';
import type { DecisionRecord } from '../engine/types.js';
import { createDetectors } from '../detect/index.js';
import { CampaignLinker } from '../detect/campaign/CampaignLinker.js';
import type { ProcessedItem, ServiceStore } from '../store/types.js';
import type { ServiceMetrics } from './createMetrics.js';
import { ServiceError } from './ServiceError.js';

export interface DecisionServiceOptions {
  store: ServiceStore;
  metrics: ServiceMetrics;
  log: FastifyBaseLogger;
  /** Builds a fresh engine (at start, and to rebuild state after a failed store write). Default: every detector of `createDetectors()`. */
  createEngine?: () => Engine;
  /** Snapshot the engine after this many recorded events. Default 50,000. */
  snapshotEveryEvents?: number;
  /** Snapshot at least this often (ms of wall time) while events arrive. Default 60,000. */
  snapshotIntervalMs?: number;
  /** Most processed events waiting for their store commit; beyond it new events answer 503. Default 20,000. */
  maxPendingEvents?: number;
}

/** An event let in: `committed` settles once it is durably recorded (or was found already recorded). */
export interface Admission {
  duplicate: boolean;
  /** The decision as stored; undefined for non-decision events. Rejects with a ServiceError when the store failed. */
  committed: Promise<DecisionRecord | undefined>;
}

/** A snapshot that took S ms to serialize is followed by at least SNAPSHOT_MAX_DUTY × S ms without one. */
const SNAPSHOT_MAX_DUTY = 50;

type State = 'starting' | 'ready' | 'recovering' | 'closing' | 'closed' | 'failed';

interface Pending {
  item: ProcessedItem;
  resolve(): void;
  reject(err: ServiceError): void;
}

/**
 * The use case behind the HTTP routes: decide and apply events one at a time through the engine and
 * record them before anyone is answered.
 *
 * Commits are grouped: every event processed while the previous write runs goes into the next
 * `recordBatch` (one transaction), so the store sees events in exactly the order the engine applied
 * them and a restart that replays `eventsAfter(seq)` rebuilds the same state. A failed write leaves
 * the engine ahead of the store; the service then fails every uncommitted event and rebuilds the
 * engine from the store, so nothing is ever half-applied.
 */
export class DecisionService {
  private state: State = 'starting';
  private engine!: Engine;
  private pipeline!: Pipeline;
  private readonly createEngine: () => Engine;
  private pending: Pending[] = [];
  private flushing = false;
  private snapshotting = false;
  private flushScheduled = false;
  private flushDone: Promise<void> = Promise.resolve();
  /** Ids admitted but not yet committed: a repeat waits for the first one's answer. */
  private readonly inflight = new Map<string, Promise<DecisionRecord | undefined>>();
  private lastSeq = 0;
  private sinceSnapshot = 0;
  private lastSnapshotAt = Date.now();
  private lastSerializeMs = 0;
  private snapshotTimer?: NodeJS.Timeout;
  private recovering?: Promise<void>;
  private readonly snapshotEvery: number;
  private readonly snapshotIntervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly opts: DecisionServiceOptions) {
    this.createEngine = opts.createEngine ?? (() => new Engine({ detectors: createDetectors() }));
    this.snapshotEvery = opts.snapshotEveryEvents ?? 50_000;
    this.snapshotIntervalMs = opts.snapshotIntervalMs ?? 60_000;
    this.maxPending = opts.maxPendingEvents ?? 20_000;
  }

  get status(): State {
    return this.state;
  }

  /**
   * The commit queue is half full: a batch should wait for its own events to be written before
   * admitting more (back-pressure inside the request), keeping the rest of the queue for others.
   */
  get backlogged(): boolean {
    return this.pending.length * 2 >= this.maxPending;
  }

  /** Sequence number of the last event recorded by this process or found in the store at start. */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * The engine's campaign linker (campaigns live in engine state, restored with it), or undefined
   * when the engine runs without one.
   */
  get campaigns(): CampaignLinker | undefined {
    return this.engine?.detectors.find((d): d is CampaignLinker => d instanceof CampaignLinker);
  }

  /** Restore the latest snapshot, re-apply later events (without emitting anything), start snapshotting. */
  async start(): Promise<{ seq: number; replayed: number; fromSnapshot: boolean }> {
    const res = await this.rebuild();
    this.state = 'ready';
    this.snapshotTimer = setInterval(() => void this.snapshotIfIdle(), Math.max(1000, this.snapshotIntervalMs / 4));
    this.snapshotTimer.unref();
    // A long replay is work the next start should not repeat.
    if (res.replayed >= this.snapshotEvery) await this.snapshotIfIdle(true);
    return res;
  }

  /**
   * Let one valid event in: de-duplicate by id (in flight, then in the store), decide and apply it,
   * and queue it for the next commit. Resolves as soon as the event is applied; await `committed`
   * before answering the client.
   */
  async admit(ev: KgEvent, t: number): Promise<Admission> {
    this.assertAccepting();
    const inflight = this.inflight.get(ev.id);
    if (inflight) return { duplicate: true, committed: inflight };
    if (this.pending.length >= this.maxPending) {
      this.opts.metrics.overloadTotal.inc({ reason: 'store_backlog' });
      throw new ServiceError('SERVICE_UNAVAILABLE', `the store is ${this.pending.length} events behind; retry shortly`, { retryAfterS: 1 });
    }
    let release!: (rec: DecisionRecord | undefined) => void;
    let fail!: (err: unknown) => void;
    const committed = new Promise<DecisionRecord | undefined>((res, rej) => {
      release = res;
      fail = rej;
    });
    // A repeat waiting on a first attempt that failed gets the failure; nobody else must see it unhandled.
    committed.catch(() => undefined);
    this.inflight.set(ev.id, committed);
    const settle = committed.finally(() => this.inflight.delete(ev.id));
    settle.catch(() => undefined);
    try {
      const found = await this.timeStore('find', () => this.opts.store.findEvent(ev.id)).catch((err: unknown) => {
        throw new ServiceError('SERVICE_UNAVAILABLE', 'the store could not be read; retry shortly', { retryAfterS: 1, cause: err });
      });
      if (found) {
        this.opts.metrics.duplicatesTotal.inc();
        release(found.decision);
        return { duplicate: true, committed };
      }
      this.assertAccepting();
      const item = this.apply(ev, t);
      this.enqueue(item).then(() => release(item.decision), fail);
      return { duplicate: false, committed };
    } catch (err) {
      fail(err);
      throw err;
    }
  }

  /** Engine step for one event. An engine that throws may have applied half the event: rebuild it. */
  private apply(ev: KgEvent, t: number): ProcessedItem {
    let res;
    try {
      res = this.pipeline.processNow(ev, t);
    } catch (err) {
      this.opts.log.error({ err, event_id: ev.id }, 'engine failed on an event; rebuilding state from the store');
      void this.recover();
      throw new ServiceError('INTERNAL_SERVER_ERROR', `the engine failed on event ${ev.id}; it was not recorded`, { cause: err });
    }
    const item: ProcessedItem = { event: ev, t, alerts: res.alerts, notifications: res.notifications };
    if (res.decision && isDecisionEvent(ev)) {
      item.decision = { ...res.decision, event_id: ev.id, type: ev.type, account_id: ev.account_id, ts: ev.ts };
      this.opts.metrics.engineDecisionSeconds.observe({ type: ev.type }, res.decision.latency_us / 1e6);
    }
    return item;
  }

  private enqueue(item: ProcessedItem): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.opts.metrics.pendingCommits.set(this.pending.length);
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: every request that arrived in this loop turn joins the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushDone = this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.flushing = true;
    // Engine state now equals everything committed plus this batch, nothing else: the only moment a
    // snapshot can be labelled with a store sequence number.
    const snapshot = !this.snapshotting && this.snapshotDue(batch.length) ? this.trySerializeEngine() : undefined;
    if (snapshot) this.snapshotting = true;
    let committed = true;
    try {
      const seqs = await this.timeStore('record', () => this.opts.store.recordBatch(batch.map((p) => p.item)));
      if (seqs.some((s) => s === undefined)) {
        // Only another writer on the same store can cause this; the engine applied an event twice.
        throw new Error('the store already held an event this service had just applied; is a second server writing to the same database?');
      }
      for (const s of seqs) if (s! > this.lastSeq) this.lastSeq = s!;
      this.sinceSnapshot += batch.length;
      this.count(batch);
      for (const p of batch) p.resolve();
    } catch (err) {
      this.opts.log.error({ err, events: batch.length }, 'store write failed; failing uncommitted events and rebuilding state from the store');
      const fail = new ServiceError('SERVICE_UNAVAILABLE', 'the store could not record the event; retry (a repeated id is never counted twice)', {
        retryAfterS: 1,
        cause: err,
      });
      for (const p of batch) p.reject(fail);
      void this.recover(fail);
      committed = false;
    }
    this.flushing = false;
    this.opts.metrics.pendingCommits.set(this.pending.length);
    if (this.pending.length > 0) this.scheduleFlush();
    if (snapshot) {
      // Saved while the next batch is already being written: the buffer is a copy of the state at this batch.
      if (committed) {
        try {
          await this.saveSnapshot(this.lastSeq, snapshot, this.sinceSnapshot);
        } catch (err) {
          // The event log still holds everything; a missed snapshot only makes the next start slower.
          this.opts.log.warn({ err }, 'engine snapshot failed');
        }
      }
      this.snapshotting = false;
    }
  }

  private count(batch: Pending[]): void {
    const m = this.opts.metrics;
    for (const { item } of batch) {
      m.eventsTotal.inc({ type: item.event.type });
      if (item.decision) m.decisionsTotal.inc({ type: item.decision.type, decision: item.decision.decision });
      for (const a of item.alerts) m.alertsTotal.inc({ kind: a.kind });
      if (item.notifications.length) m.notificationsTotal.inc(item.notifications.length);
    }
    m.lastSeq.set(this.lastSeq);
  }

  /** Throw away in-memory state and rebuild it from the store; events are refused meanwhile. */
  private recover(cause?: ServiceError): Promise<void> {
    if (this.recovering) return this.recovering;
    if (this.state === 'closing' || this.state === 'closed') return Promise.resolve();
    this.state = 'recovering';
    const fail = cause ?? new ServiceError('SERVICE_UNAVAILABLE', 'the service is rebuilding its state; retry shortly', { retryAfterS: 1 });
    const stranded = this.pending;
    this.pending = [];
    for (const p of stranded) p.reject(fail);
    this.recovering = (async () => {
      await this.flushDone.catch(() => undefined);
      try {
        const res = await this.rebuild();
        this.opts.log.warn(res, 'state rebuilt from the store');
        this.state = 'ready';
      } catch (err) {
        this.opts.log.fatal({ err }, 'could not rebuild state from the store; refusing events until restarted');
        this.state = 'failed';
      } finally {
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  private async rebuild(): Promise<{ seq: number; replayed: number; fromSnapshot: boolean }> {
    let engine = this.createEngine();
    let seq = 0;
    let fromSnapshot = false;
    const snap = await this.timeStore('load_snapshot', () => this.opts.store.loadSnapshot());
    if (snap) {
      try {
        engine.restore(deserialize(snap.state));
        seq = snap.seq;
        fromSnapshot = true;
      } catch (err) {
        // A snapshot from an incompatible version: the event log is the truth, replay all of it.
        this.opts.log.warn({ err, snapshot_seq: snap.seq }, 'snapshot could not be restored; replaying every stored event');
        engine = this.createEngine();
      }
    }
    let replayed = 0;
    for await (const se of this.opts.store.eventsAfter(seq)) {
      engine.process(se.event, se.t);
      seq = se.seq;
      replayed++;
    }
    this.engine = engine;
    this.pipeline = new Pipeline(engine, {});
    this.lastSeq = seq;
    this.sinceSnapshot = replayed;
    this.opts.metrics.lastSeq.set(seq);
    return { seq, replayed, fromSnapshot };
  }

  /** `extra`: events applied but not yet counted in `sinceSnapshot` (the batch being written). */
  private snapshotDue(extra = 0): boolean {
    const n = this.sinceSnapshot + extra;
    if (n === 0) return false;
    const since = Date.now() - this.lastSnapshotAt;
    // Serializing blocks the event loop (seconds for a large population): never spend more than
    // 1/SNAPSHOT_MAX_DUTY of the time on it, whatever the event count says.
    if (since < this.lastSerializeMs * SNAPSHOT_MAX_DUTY) return false;
    return n >= this.snapshotEvery || since >= this.snapshotIntervalMs;
  }

  private serializeEngine(): Buffer {
    const started = performance.now();
    const buf = serialize(this.engine.snapshot());
    this.lastSerializeMs = performance.now() - started;
    this.opts.metrics.storeSeconds.observe({ op: 'serialize_snapshot' }, this.lastSerializeMs / 1000);
    this.opts.metrics.snapshotBytes.set(buf.length);
    if (this.lastSerializeMs > 100) {
      this.opts.log.warn({ ms: Math.round(this.lastSerializeMs), bytes: buf.length }, 'engine snapshot blocked the event loop; snapshots are spaced out to match');
    }
    return buf;
  }

  /**
   * A detector whose state cannot be cloned (a function, a class instance) must cost the snapshot,
   * never the batch being committed: its events still get written and answered.
   */
  private trySerializeEngine(): Buffer | undefined {
    try {
      return this.serializeEngine();
    } catch (err) {
      this.lastSnapshotAt = Date.now();
      this.opts.log.error({ err }, 'engine state could not be serialized; no snapshot (restarts replay the event log instead)');
      return undefined;
    }
  }

  /** `covered`: how many of the events counted in `sinceSnapshot` the snapshot includes. */
  private async saveSnapshot(seq: number, state: Buffer, covered: number): Promise<void> {
    await this.timeStore('save_snapshot', () => this.opts.store.saveSnapshot(seq, state));
    this.sinceSnapshot = Math.max(0, this.sinceSnapshot - covered);
    this.lastSnapshotAt = Date.now();
    this.opts.log.info({ seq, bytes: state.length }, 'engine snapshot saved');
  }

  /** Snapshot when nothing is uncommitted (engine state is exactly the store's up to lastSeq). */
  private async snapshotIfIdle(force = false): Promise<void> {
    if (this.state !== 'ready' && this.state !== 'closing') return;
    if (this.snapshotting || this.flushing || this.flushScheduled || this.pending.length > 0) return;
    if (this.sinceSnapshot === 0 || (!force && !this.snapshotDue())) return;
    this.snapshotting = true;
    try {
      await this.saveSnapshot(this.lastSeq, this.serializeEngine(), this.sinceSnapshot);
    } catch (err) {
      // The event log still holds everything; a missed snapshot only makes the next start slower.
      this.opts.log.warn({ err }, 'engine snapshot failed');
    } finally {
      this.snapshotting = false;
    }
  }

  /**
   * Graceful stop: refuse new events, wait until every admitted event is committed, snapshot, close
   * the store. Call after the HTTP server stopped taking requests.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    await this.recovering;
    const wasHealthy = this.state === 'ready';
    this.state = 'closing';
    while (this.flushing || this.flushScheduled || this.snapshotting || this.pending.length > 0 || this.inflight.size > 0) {
      await new Promise((r) => setImmediate(r));
    }
    if (wasHealthy) await this.snapshotIfIdle(true);
    this.state = 'closed';
    await this.opts.store.close();
  }

  private assertAccepting(): void {
    if (this.state === 'ready') return;
    const why =
      this.state === 'recovering' || this.state === 'starting'
        ? 'the service is rebuilding its state; retry shortly'
        : this.state === 'failed'
          ? 'the service could not rebuild its state from the store; see the server log and restart it'
          : 'the service is shutting down; retry against another instance';
    throw new ServiceError('SERVICE_UNAVAILABLE', why, { retryAfterS: 1 });
  }

  private async timeStore<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.opts.metrics.storeSeconds.observe({ op }, (performance.now() - started) / 1000);
    }
  }
}
