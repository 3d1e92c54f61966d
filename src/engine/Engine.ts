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
  private readonly now: () => number;

  constructor(opts: EngineOptions) {
    this.detectors = opts.detectors;
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
    const decision = combineRuleResults(ev, results, this.world);
    decision.decision_id = `dec_${ev.id}`;
    decision.latency_us = Math.round((this.now() - started) * 1000);
    return decision;
  }

  /** Decide (for decision events), then apply the event to state and collect alerts. */
  process(ev: KgEvent, t: number): ProcessResult {
    const decision = isDecisionEvent(ev) ? this.decide(ev, t) : undefined;
    this.world.apply(ev, t, decision);
    const alerts: Alert[] = [];
    const notifications: Notification[] = [];
    const ctx = this.observeContext(ev, t, decision, alerts, notifications);
    for (const d of this.detectors) {
      if (!d.observe) continue;
      ctx.detector = d.name;
      try {
        d.observe(ev, ctx);
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
    this.linkAlerts(alerts, t);
    return { decision, alerts, notifications };
  }

  /** End of input: detectors close open episodes. */
  finish(lastT: number): Omit<ProcessResult, 'decision'> {
    const alerts: Alert[] = [];
    const notifications: Notification[] = [];
    const ctx = this.observeContext(undefined, lastT, undefined, alerts, notifications);
    for (const d of this.detectors) {
      ctx.detector = d.name;
      d.finish?.(ctx);
    }
    this.linkAlerts(alerts, lastT);
    return { alerts, notifications };
  }

  private linkAlerts(alerts: Alert[], t: number): void {
    if (alerts.length === 0) return;
    const actx = { t, world: this.world };
    for (const a of alerts) for (const d of this.detectors) d.onAlert?.(a, actx);
  }

  private observeContext(
    ev: KgEvent | undefined,
    t: number,
    decision: Decision | undefined,
    out: Alert[],
    notes: Notification[],
  ): ObserveContext & { detector: string } {
    const ctx = {
      t,
      world: this.world,
      decision,
      /** Name of the detector being called, stamped on the alerts it raises. */
      detector: '',
      raise: (draft: AlertDraft) => {
        const ts = draft.ts ?? ev?.ts ?? new Date(t).toISOString();
        // Deterministic id: the same events give the same alert ids in replay, service and workers.
        const key = `${draft.kind}|${ev?.id ?? 'finish:' + t}|${draft.account_id ?? ''}|${draft.symbol ?? ''}|${draft.ip ?? ''}|${out.length}`;
        const alert_id = 'al_' + createHash('sha1').update(key).digest('hex').slice(0, 20);
        out.push({ ...draft, alert_id, ts, detector: ctx.detector || undefined });
      },
      notify: (draft: NotificationDraft) => {
        const ts = draft.ts ?? ev?.ts ?? new Date(t).toISOString();
        const key = `${draft.template}|${ev?.id ?? 'finish:' + t}|${draft.account_id}|${notes.length}`;
        const notification_id = 'nt_' + createHash('sha1').update(key).digest('hex').slice(0, 20);
        notes.push({ ...draft, notification_id, ts });
      },
    };
    return ctx;
  }

  snapshot(): unknown {
    const detectors: Record<string, unknown> = {};
    for (const d of this.detectors) if (d.snapshot) detectors[d.name] = d.snapshot();
    return { world: this.world.snapshot(), detectors };
  }

  restore(state: unknown): void {
    const s = state as { world: unknown; detectors: Record<string, unknown> };
    this.world.restore(s.world);
    for (const d of this.detectors) if (d.restore && d.name in s.detectors) d.restore(s.detectors[d.name]);
  }
}
