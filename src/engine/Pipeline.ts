import { parseEventLine, validateEvent } from '../events/validateEvent.js';
import { isDecisionEvent, type KgEvent } from '../events/schema.js';
import { IncompatibleStateError, type Engine } from './Engine.js';
import { ReorderBuffer, type Timed } from './ReorderBuffer.js';
import type { Alert, DecisionRecord, Notification } from './types.js';

export interface PipelineSinks {
  decision?(rec: DecisionRecord): void;
  alert?(alert: Alert): void;
  notification?(n: Notification): void;
  /** A rejected input line: its 1-based number, the reason naming the field, and the raw text. */
  reject?(line: number, reason: string, raw: string): void;
}

export interface PipelineStats {
  lines: number;
  blank: number;
  accepted: number;
  rejected: number;
  duplicate: number;
  reordered: number;
  late: number;
  processed: number;
  by_type: Record<string, number>;
  decisions: Record<string, number>;
  alerts: Record<string, number>;
  first_ts?: string;
  last_ts?: string;
}

export interface PipelineOptions {
  /** Reorder window in ms of event time (contract §1). Default 30 s. */
  reorderWindowMs?: number;
  /**
   * A repeated `market_trade` id is recognised for at least this much event time after the first
   * (default 10 minutes, and never less than twice the reorder window). The tape is most of the
   * volume, and a feed redelivers recent prints, not last week's: remembering every trade id
   * forever would make memory grow with the input. Every other event's id is remembered for the
   * whole run, since repeating a login or an order would repeat its decision.
   */
  tapeDedupMs?: number;
}

export const DEFAULT_REORDER_WINDOW_MS = 30_000;
export const DEFAULT_TAPE_DEDUP_MS = 10 * 60_000;
/** Version of `Pipeline.snapshot()`'s own layout (the engine's state carries its own versions). */
export const PIPELINE_STATE_VERSION = 2;

/**
 * Input side of the engine, shared by every entry point: parse → validate → de-duplicate by `id` →
 * reorder within the window → engine → sinks. Nothing valid is dropped; everything invalid is
 * handed to the reject sink with a reason.
 */
export class Pipeline {
  readonly stats: PipelineStats = {
    lines: 0,
    blank: 0,
    accepted: 0,
    rejected: 0,
    duplicate: 0,
    reordered: 0,
    late: 0,
    processed: 0,
    by_type: {},
    decisions: {},
    alerts: {},
  };
  /** Ids of every accepted event but the tape's. */
  private seen = new Set<string>();
  /** Ids of accepted tape trades: this generation and the one before, rotated every `tapeDedupMs` of event time. */
  private tapeSeen = new Set<string>();
  private tapeSeenOld = new Set<string>();
  private tapeSeenUntil = -Infinity;
  private readonly tapeDedupMs: number;
  private reorder: ReorderBuffer<KgEvent>;
  private due: Timed<KgEvent>[] = [];
  private lastT = -Infinity;

  constructor(
    readonly engine: Engine,
    private sinks: PipelineSinks,
    opts: PipelineOptions = {},
  ) {
    const windowMs = opts.reorderWindowMs ?? DEFAULT_REORDER_WINDOW_MS;
    this.reorder = new ReorderBuffer(windowMs);
    this.tapeDedupMs = Math.max(opts.tapeDedupMs ?? DEFAULT_TAPE_DEDUP_MS, 2 * windowMs);
  }

  /** One NDJSON line from a file or request body. */
  ingestLine(text: string, lineNo: number): void {
    this.stats.lines++;
    // Cheap blank check first: trim() on every line costs more than it looks.
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) {
      this.stats.blank++;
      return;
    }
    const v = parseEventLine(text);
    if (!v.ok) {
      this.stats.rejected++;
      this.sinks.reject?.(lineNo, v.reason, text);
      return;
    }
    this.ingestValid(v.event, v.t);
  }

  /** One already-decoded JSON value (HTTP). Returns the reason when rejected. */
  ingestValue(value: unknown, lineNo: number): string | undefined {
    this.stats.lines++;
    const v = validateEvent(value);
    if (!v.ok) {
      this.stats.rejected++;
      this.sinks.reject?.(lineNo, v.reason, JSON.stringify(value) ?? '');
      return v.reason;
    }
    this.ingestValid(v.event, v.t);
    return undefined;
  }

  /** Has this event's id been accepted already? */
  hasSeen(ev: Pick<KgEvent, 'type' | 'id'>): boolean {
    return ev.type === 'market_trade' ? this.tapeSeen.has(ev.id) || this.tapeSeenOld.has(ev.id) : this.seen.has(ev.id);
  }

  /**
   * Mark an accepted event's id without processing it (rebuilding state on resume). Tape ids are
   * in the snapshot, so only the others need this.
   */
  markSeen(ev: Pick<KgEvent, 'type' | 'id'>): void {
    if (ev.type !== 'market_trade') this.seen.add(ev.id);
  }

  private ingestValid(ev: KgEvent, t: number): void {
    if (ev.type === 'market_trade') {
      if (this.tapeSeen.has(ev.id) || this.tapeSeenOld.has(ev.id)) {
        this.stats.duplicate++;
        return;
      }
      if (t > this.tapeSeenUntil) {
        this.tapeSeenOld = this.tapeSeen;
        this.tapeSeen = new Set();
        this.tapeSeenUntil = t + this.tapeDedupMs;
      }
      this.tapeSeen.add(ev.id);
    } else {
      if (this.seen.has(ev.id)) {
        this.stats.duplicate++;
        return;
      }
      this.seen.add(ev.id);
    }
    this.stats.accepted++;
    this.reorder.push(t, ev, this.due);
    this.runDue();
  }

  /**
   * Process one event immediately, bypassing the reorder window (the synchronous HTTP path). The
   * caller de-duplicates (the service's store does, durably): the id is not remembered here, so a
   * long-running service does not grow a set of every id it ever answered.
   */
  processNow(ev: KgEvent, t: number): ReturnType<Engine['process']> {
    this.stats.accepted++;
    return this.run(ev, t);
  }

  /** End of input: release the window and let detectors close open episodes. */
  drain(): void {
    this.reorder.drain(this.due);
    this.runDue();
    if (this.lastT > -Infinity) {
      const res = this.engine.finish(this.lastT);
      for (const a of res.alerts) this.emitAlert(a);
      for (const n of res.notifications) this.sinks.notification?.(n);
    }
  }

  private runDue(): void {
    if (this.due.length === 0) return;
    for (const e of this.due) this.run(e.item, e.t);
    this.due.length = 0;
    this.stats.reordered = this.reorder.reordered;
    this.stats.late = this.reorder.late;
  }

  private run(ev: KgEvent, t: number): ReturnType<Engine['process']> {
    const st = this.stats;
    st.processed++;
    st.by_type[ev.type] = (st.by_type[ev.type] ?? 0) + 1;
    if (t > this.lastT) {
      this.lastT = t;
      st.last_ts = ev.ts;
    }
    st.first_ts ??= ev.ts;
    const res = this.engine.process(ev, t);
    if (res.decision && isDecisionEvent(ev)) {
      st.decisions[res.decision.decision] = (st.decisions[res.decision.decision] ?? 0) + 1;
      this.sinks.decision?.({
        ...res.decision,
        event_id: ev.id,
        type: ev.type,
        account_id: ev.account_id,
        ts: ev.ts,
      });
    }
    for (const a of res.alerts) this.emitAlert(a);
    for (const n of res.notifications) this.sinks.notification?.(n);
    return res;
  }

  private emitAlert(a: Alert): void {
    this.stats.alerts[a.kind] = (this.stats.alerts[a.kind] ?? 0) + 1;
    this.sinks.alert?.(a);
  }

  /**
   * Everything needed to resume exactly here, but the ids of the events other than the tape's: the
   * caller rebuilds those from the input (`markSeen`) rather than write them at every checkpoint.
   */
  snapshot(): unknown {
    return {
      version: PIPELINE_STATE_VERSION,
      stats: this.stats,
      reorder: this.reorder.snapshot(),
      lastT: this.lastT,
      tapeSeen: this.tapeSeen,
      tapeSeenOld: this.tapeSeenOld,
      tapeSeenUntil: this.tapeSeenUntil,
      engine: this.engine.snapshot(),
    };
  }

  /** Restore a `snapshot()`; throws `IncompatibleStateError` when it was written by another version. */
  restore(s: unknown): void {
    const o = s as { version?: number; stats: PipelineStats; reorder: unknown; lastT: number; tapeSeen: Set<string>; tapeSeenOld: Set<string>; tapeSeenUntil: number; engine: unknown };
    if (o === null || typeof o !== 'object' || o.version !== PIPELINE_STATE_VERSION) {
      throw new IncompatibleStateError(`pipeline state version ${o?.version ?? 'none (written before versions were recorded)'}, this pipeline reads version ${PIPELINE_STATE_VERSION}`);
    }
    // The engine first: it checks its own versions and changes nothing when they differ.
    this.engine.restore(o.engine);
    Object.assign(this.stats, o.stats);
    this.reorder.restore(o.reorder);
    this.lastT = o.lastT;
    this.tapeSeen = o.tapeSeen;
    this.tapeSeenOld = o.tapeSeenOld;
    this.tapeSeenUntil = o.tapeSeenUntil;
  }
}
