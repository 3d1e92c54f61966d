import { createHash } from 'node:crypto';
import { isDecisionEvent, type DecisionEvent, type KgEvent } from '../events/schema.js';
import { combineRuleResults } from './combineRuleResults.js';
import type { Alert, AlertDraft, Decision, Detector, Notification, NotificationDraft, ObserveContext, RuleResult } from './types.js';
import { WorldState } from './WorldState.js';

export interface ProcessResult {
  decision?: Decision;
  alerts: Alert[];
  notifications: Notification[];
}

/**
 * Version of the engine's snapshot layout (the envelope and `WorldState`). A snapshot records it and
 * each detector's `stateVersion`; `restore` refuses a snapshot whose versions differ rather than
 * run detectors on state of another shape.
 */
export const ENGINE_STATE_VERSION = 2;

/** A snapshot written by another version of the engine or of a detector. */
export class IncompatibleStateError extends Error {
  constructor(readonly detail: string) {
    super(`the saved engine state is incompatible with this kabuguard (${detail}); it cannot be resumed: start again from the beginning of the input`);
    this.name = 'IncompatibleStateError';
  }
}

export interface EngineOptions {
  detectors: Detector[];
  /** Clock for latency measurement only (never for event logic). Default `performance.now`. */
  now?: () => number;
}

/**
 * The one pipeline core shared by replay, the HTTP service and the workers: an event in (already
 * validated, de-duplicated and in event-time order), a decision and alerts out. Pure: no I/O.
 */
export class Engine {
  readonly world = new WorldState();
  readonly detectors: Detector[];
  private readonly observers: Detector[];
  private readonly now: () => number;
  /** One reusable context: ingestion allocates nothing per event when no detector raises. */
  private readonly step = new StepContext(this.world);

  constructor(opts: EngineOptions) {
    this.detectors = opts.detectors;
    this.observers = this.detectors.filter((d) => d.observe);
    this.now = opts.now ?? (() => performance.now());
    const names = new Set<string>();
    for (const d of this.detectors) {
      if (names.has(d.name)) throw new Error(`two detectors are named "${d.name}"; detector names must be unique`);
      names.add(d.name);
    }
  }

  /** Decide without applying: what the service answers before it records the event. */
  decide(ev: DecisionEvent, t: number): Decision {
    const started = this.now();
    const results: RuleResult[] = [];
    const ctx = { t, world: this.world };
    for (const d of this.detectors) {
      if (!d.assess) continue;
      try {
        const r = d.assess(ev, ctx);
        if (Array.isArray(r)) results.push(...r);
        else if (r) results.push(r);
      } catch (err) {
        results.push({ rule: d.name, outcome: 'error', error: (err as Error).message });
      }
    }
    const decision = combineRuleResults(ev, results);
    decision.decision_id = `dec_${ev.id}`;
    decision.latency_us = Math.round((this.now() - started) * 1000);
    return decision;
  }

  /** Decide (for decision events), then apply the event to state and collect alerts. */
  process(ev: KgEvent, t: number): ProcessResult {
    const decision = isDecisionEvent(ev) ? this.decide(ev, t) : undefined;
    this.world.apply(ev, t, decision);
    const ctx = this.step.reset(ev, t, decision);
    for (const d of this.observers) {
      ctx.detector = d.name;
      try {
        d.observe!(ev, ctx);
      } catch (err) {
        // A broken detector must not stop the others or lose the event; the error is surfaced.
        ctx.raise({
          kind: 'detector_error',
          severity: 'low',
          score: 0,
          reasons: [{ code: 'DETECTOR_ERROR', detail: `${d.name}: ${(err as Error).message}` }],
          event_ids: [ev.id],
        });
      }
    }
    return this.closeStep(decision);
  }

  /** End of input: detectors close open episodes. */
  finish(lastT: number): ProcessResult {
    const ctx = this.step.reset(undefined, lastT, undefined);
    for (const d of this.detectors) {
      ctx.detector = d.name;
      d.finish?.(ctx);
    }
    return this.closeStep(undefined);
  }

  private closeStep(decision: Decision | undefined): ProcessResult {
    const { alerts, notifications, t } = this.step;
    if (alerts.length === 0 && notifications.length === 0) return decision === undefined ? NOTHING : { decision, alerts: NONE, notifications: NONE_N };
    const actx = { t, world: this.world };
    for (const a of alerts) for (const d of this.detectors) d.onAlert?.(a, actx);
    return { decision, alerts: [...alerts], notifications: [...notifications] };
  }

  snapshot(): unknown {
    const detectors: Record<string, unknown> = {};
    const versions: Record<string, number> = {};
    for (const d of this.detectors) {
      if (!d.snapshot) continue;
      detectors[d.name] = d.snapshot();
      versions[d.name] = d.stateVersion ?? 1;
    }
    return { version: ENGINE_STATE_VERSION, versions, world: this.world.snapshot(), detectors };
  }

  /** Restore a `snapshot()`; throws `IncompatibleStateError` (changing nothing) when its versions differ. */
  restore(state: unknown): void {
    const s = state as { version?: number; versions?: Record<string, number>; world: unknown; detectors: Record<string, unknown> };
    if (s === null || typeof s !== 'object' || s.version !== ENGINE_STATE_VERSION) {
      throw new IncompatibleStateError(`engine state version ${s?.version ?? 'none (written before versions were recorded)'}, this engine reads version ${ENGINE_STATE_VERSION}`);
    }
    for (const d of this.detectors) {
      if (!d.restore || !(d.name in s.detectors)) continue;
      const saved = s.versions?.[d.name] ?? 1;
      if (saved !== (d.stateVersion ?? 1)) {
        throw new IncompatibleStateError(`detector ${d.name} saved state version ${saved}, this one reads version ${d.stateVersion ?? 1}`);
      }
    }
    this.world.restore(s.world);
    for (const d of this.detectors) if (d.restore && d.name in s.detectors) d.restore(s.detectors[d.name]);
  }
}

const NONE: Alert[] = Object.freeze([]) as unknown as Alert[];
const NONE_N: Notification[] = Object.freeze([]) as unknown as Notification[];
/** The result of most tape events: shared, so a quiet event allocates nothing. */
const NOTHING: ProcessResult = Object.freeze({ decision: undefined, alerts: NONE, notifications: NONE_N });

class StepContext implements ObserveContext {
  ev: KgEvent | undefined;
  t = 0;
  decision: Decision | undefined;
  /** Name of the detector being called, stamped on the alerts it raises. */
  detector = '';
  alerts: Alert[] = [];
  notifications: Notification[] = [];

  constructor(readonly world: WorldState) {}

  reset(ev: KgEvent | undefined, t: number, decision: Decision | undefined): this {
    this.ev = ev;
    this.t = t;
    this.decision = decision;
    if (this.alerts.length) this.alerts = [];
    if (this.notifications.length) this.notifications = [];
    return this;
  }

  raise = (draft: AlertDraft): void => {
    const ts = draft.ts ?? this.ev?.ts ?? new Date(this.t).toISOString();
    // Deterministic id: the same events give the same alert ids in replay, service and workers.
    const key = `${draft.kind}|${this.ev?.id ?? 'finish:' + this.t}|${draft.account_id ?? ''}|${draft.symbol ?? ''}|${draft.ip ?? ''}|${this.alerts.length}`;
    const alert_id = 'al_' + createHash('sha1').update(key).digest('hex').slice(0, 20);
    this.alerts.push({ ...draft, alert_id, ts, detector: this.detector || undefined });
  };

  notify = (draft: NotificationDraft): void => {
    const ts = draft.ts ?? this.ev?.ts ?? new Date(this.t).toISOString();
    const key = `${draft.template}|${this.ev?.id ?? 'finish:' + this.t}|${draft.account_id}|${this.notifications.length}`;
    const notification_id = 'nt_' + createHash('sha1').update(key).digest('hex').slice(0, 20);
    this.notifications.push({ ...draft, notification_id, ts });
  };
}
