import type { NotificationDraft } from '../engine/types.js';
import { computeRestitution, type Restitution, type RestitutionPolicy } from './computeRestitution.js';

/** Every status a case can have, in the order a case moves through them. */
export const CASE_STATUSES = ['open', 'investigating', 'confirmed', 'false_positive', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The only moves a case may make; everything else is refused. */
const NEXT: Record<CaseStatus, CaseStatus[]> = {
  open: ['investigating'],
  investigating: ['confirmed', 'false_positive'],
  confirmed: ['closed'],
  false_positive: ['closed'],
  closed: [],
};

export interface CaseLogEntry {
  seq: number;
  /** Event time or reviewer time of the action, ISO 8601 (passed in: the domain reads no clock). */
  at: string;
  actor: string;
  action: 'opened' | 'status' | 'assigned' | 'account_added' | 'alert_added' | 'hold_released' | 'notified' | 'loss_recorded' | 'note';
  detail: string;
}

export interface Case {
  case_id: string;
  /** What the case is about: a campaign or a single account. */
  subject: { campaign_id: string } | { account_id: string };
  status: CaseStatus;
  opened_at: string;
  /** Who works the case now; unset until someone is assigned. */
  assignee?: string;
  accounts: string[];
  alert_ids: string[];
  /** Victim account → restitution figures, once a loss was recorded. */
  restitution: Record<string, Restitution>;
  /** Append-only: entries are added, never changed or removed. */
  readonly log: readonly CaseLogEntry[];
}

/** Refusal of an action a case's state does not allow; `code` is stable for adapters to map. */
export class CaseError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'BAD_TRANSITION' | 'NOT_ALLOWED',
    message: string,
  ) {
    super(message);
    this.name = 'CaseError';
  }
}

/** What releasing a hold needs from the world (the engine's `WorldState` has it). */
export interface HoldReleaser {
  releaseHold(account_id: string): boolean;
}

/**
 * Investigation cases, one per campaign or account, with a guarded status machine
 * (open → investigating → confirmed | false_positive → closed) and an append-only audit log of every
 * action. Pure domain: times are passed in, notifications are returned as drafts for an adapter to
 * deliver, and a hold is released through the narrow `HoldReleaser` interface.
 */
export interface CaseBookOptions {
  /**
   * Cases recorded earlier (e.g. loaded from a store), so an adapter can act on them. Their logs
   * continue where they stopped.
   */
  cases?: readonly Case[];
  /** Id of the next case opened. Default `case_<number of cases in the book + 1>`. */
  nextId?: () => string;
}

export class CaseBook {
  private cases = new Map<string, Case & { log: CaseLogEntry[] }>();
  private bySubject = new Map<string, string>();
  private readonly nextId: () => string;

  constructor(opts: CaseBookOptions = {}) {
    for (const c of opts.cases ?? []) {
      const copy = { ...c, subject: { ...c.subject }, accounts: [...c.accounts], alert_ids: [...c.alert_ids], restitution: { ...c.restitution }, log: c.log.map((e) => Object.freeze({ ...e })) };
      this.cases.set(c.case_id, copy);
      if (c.status !== 'closed') this.bySubject.set(subjectKey(c.subject), c.case_id);
    }
    this.nextId = opts.nextId ?? (() => `case_${this.cases.size + 1}`);
  }

  /** Open the case of a campaign or account, or return the open one (idempotent per subject). */
  open(subject: Case['subject'], at: string, actor: string, accounts: string[] = [], alert_ids: string[] = []): Case {
    const key = subjectKey(subject);
    const existing = this.cases.get(this.bySubject.get(key) ?? '');
    if (existing && existing.status !== 'closed') {
      // Logged like alerts: the log length is what concurrent stored writes are checked against.
      for (const a of accounts) {
        if (existing.accounts.includes(a)) continue;
        existing.accounts.push(a);
        this.append(existing, at, actor, 'account_added', a);
      }
      for (const id of alert_ids) {
        if (existing.alert_ids.includes(id)) continue;
        existing.alert_ids.push(id);
        this.append(existing, at, actor, 'alert_added', id);
      }
      return view(existing);
    }
    const case_id = this.nextId();
    if (this.cases.has(case_id)) throw new Error(`CaseBook: nextId gave ${case_id}, which is already a case`);
    const c = { case_id, subject, status: 'open' as CaseStatus, opened_at: at, accounts: [...accounts], alert_ids: [...alert_ids], restitution: {}, log: [] as CaseLogEntry[] };
    this.cases.set(case_id, c);
    this.bySubject.set(key, case_id);
    this.append(c, at, actor, 'opened', key);
    return view(c);
  }

  /** A read-only copy of the case as it is now. */
  get(case_id: string): Case {
    const c = this.cases.get(case_id);
    if (!c) throw new CaseError('NOT_FOUND', `no case ${case_id}; open one first or list the cases`);
    return view(c);
  }

  list(): Case[] {
    return [...this.cases.values()].map(view);
  }

  /** Move a case to `to`, if the status machine allows it. */
  transition(case_id: string, to: CaseStatus, at: string, actor: string, note = ''): Case {
    const c = this.mutable(case_id);
    if (!NEXT[c.status].includes(to)) {
      const allowed = NEXT[c.status];
      throw new CaseError('BAD_TRANSITION', `case ${case_id} is ${c.status}; it can move to ${allowed.length ? allowed.join(' or ') : 'nothing (closed)'}, not ${to}`);
    }
    this.append(c, at, actor, 'status', `${c.status} → ${to}${note ? `: ${note}` : ''}`);
    c.status = to;
    return view(c);
  }

  /**
   * Release the hold on one of the case's accounts: allowed while investigating or once judged a false
   * positive, never on a confirmed takeover (the attacker would get the account back).
   */
  releaseHold(case_id: string, account_id: string, world: HoldReleaser, at: string, actor: string): boolean {
    const c = this.mutable(case_id);
    if (!c.accounts.includes(account_id)) throw new CaseError('NOT_ALLOWED', `account ${account_id} is not part of case ${case_id}`);
    if (c.status !== 'investigating' && c.status !== 'false_positive') {
      throw new CaseError('NOT_ALLOWED', `case ${case_id} is ${c.status}: holds are released only while investigating or after a false positive`);
    }
    const released = world.releaseHold(account_id);
    this.append(c, at, actor, 'hold_released', released ? account_id : `${account_id} (had no hold)`);
    return released;
  }

  /** Draft a customer notification for an account of the case and log it. */
  notify(case_id: string, account_id: string, template: string, message: string, at: string, actor: string): NotificationDraft {
    const c = this.mutable(case_id);
    if (!c.accounts.includes(account_id)) throw new CaseError('NOT_ALLOWED', `account ${account_id} is not part of case ${case_id}`);
    this.append(c, at, actor, 'notified', `${account_id}: ${template}`);
    return { ts: at, account_id, template, message, event_ids: [], data: { case_id } };
  }

  /** Record a victim's loss and the compensation the policy gives (confirmed cases only). */
  recordLoss(case_id: string, account_id: string, lossJpy: number, feesJpy: number, at: string, actor: string, policy?: RestitutionPolicy): Restitution {
    const c = this.mutable(case_id);
    if (c.status !== 'confirmed') throw new CaseError('NOT_ALLOWED', `case ${case_id} is ${c.status}: losses are recorded on confirmed cases`);
    if (!c.accounts.includes(account_id)) throw new CaseError('NOT_ALLOWED', `account ${account_id} is not part of case ${case_id}`);
    const r = computeRestitution(lossJpy, feesJpy, policy);
    c.restitution[account_id] = r;
    this.append(c, at, actor, 'loss_recorded', `${account_id}: loss ¥${r.loss_jpy}, compensation ¥${r.compensation_jpy}`);
    return r;
  }

  /** Hand the case to `assignee` (any status but closed); the log keeps who had it before. */
  assign(case_id: string, assignee: string, at: string, actor: string): Case {
    const c = this.mutable(case_id);
    this.append(c, at, actor, 'assigned', c.assignee ? `${c.assignee} → ${assignee}` : assignee);
    c.assignee = assignee;
    return view(c);
  }

  note(case_id: string, text: string, at: string, actor: string): void {
    this.append(this.mutable(case_id), at, actor, 'note', text);
  }

  private mutable(case_id: string): Case & { log: CaseLogEntry[] } {
    const c = this.cases.get(case_id);
    if (!c) throw new CaseError('NOT_FOUND', `no case ${case_id}; open one first or list the cases`);
    if (c.status === 'closed') throw new CaseError('NOT_ALLOWED', `case ${case_id} is closed; open a new case instead`);
    return c;
  }

  private append(c: { log: CaseLogEntry[] }, at: string, actor: string, action: CaseLogEntry['action'], detail: string): void {
    c.log.push(Object.freeze({ seq: c.log.length + 1, at, actor, action, detail }));
  }
}

/** The key under which a subject has at most one case that is not closed, e.g. `campaign:cmp_1`. */
export function subjectKey(subject: Case['subject']): string {
  return 'campaign_id' in subject ? `campaign:${subject.campaign_id}` : `account:${subject.account_id}`;
}

/** Callers get copies: the book's own log can only grow through its methods. */
function view(c: Case): Case {
  return Object.freeze({
    ...c,
    subject: { ...c.subject },
    accounts: [...c.accounts],
    alert_ids: [...c.alert_ids],
    restitution: { ...c.restitution },
    log: Object.freeze([...c.log]),
  });
}
