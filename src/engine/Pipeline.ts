import { parseEventLine, validateEvent } from '../events/validateEvent.js';
import { isDecisionEvent, type KgEvent } from '../events/schema.js';
import type { Engine } from './Engine.js';
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
}

export const DEFAULT_REORDER_WINDOW_MS = 30_000;

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
  private seen = new Set<string>();
  private reorder: ReorderBuffer<KgEvent>;
  private due: Timed<KgEvent>[] = [];
  private lastT = -Infinity;

  constructor(
    readonly engine: Engine,
    private sinks: PipelineSinks,
    opts: PipelineOptions = {},
  ) {
    this.reorder = new ReorderBuffer(opts.reorderWindowMs ?? DEFAULT_REORDER_WINDOW_MS);
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

  /** Has this id been accepted already? */
  hasSeen(id: string): boolean {
    return this.seen.has(id);
  }

  /** Mark an id as accepted without processing it (rebuilding state on resume). */
  markSeen(id: string): void {
    this.seen.add(id);
  }

  private ingestValid(ev: KgEvent, t: number): void {
    if (this.seen.has(ev.id)) {
      this.stats.duplicate++;
      return;
    }
    this.seen.add(ev.id);
    this.stats.accepted++;
    this.reorder.push(t, ev, this.due);
    this.runDue();
  }

  /** Process one event immediately, bypassing the reorder window (the synchronous HTTP path). */
  processNow(ev: KgEvent, t: number): ReturnType<Engine['process']> {
    this.seen.add(ev.id);
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

  /** Everything needed to resume exactly here (the seen-id set is rebuilt from the input instead). */
  snapshot(): unknown {
    return { stats: this.stats, reorder: this.reorder.snapshot(), lastT: this.lastT, engine: this.engine.snapshot() };
  }

  restore(s: unknown): void {
    const o = s as { stats: PipelineStats; reorder: unknown; lastT: number; engine: unknown };
    Object.assign(this.stats, o.stats);
    this.reorder.restore(o.reorder);
    this.lastT = o.lastT;
    this.engine.restore(o.engine);
  }
}
