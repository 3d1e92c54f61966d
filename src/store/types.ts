/**
 * What the service needs from storage. The embedded default is SQLite (`SqliteStore`); the
 * at-scale deployment implements the same interface on PostgreSQL. Adapters depend on this
 * interface, never on a concrete store.
 */
import type { KgEvent } from '../events/schema.js';
import type { Alert, DecisionRecord, Notification } from '../engine/types.js';
import type { Case, CaseStatus } from '../cases/CaseBook.js';

export interface AlertQuery {
  kind?: string;
  account_id?: string;
  symbol?: string;
  campaign_id?: string;
  severity?: string;
  /** Inclusive lower bound on alert ts (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on alert ts (ISO 8601). */
  until?: string;
  /** Page size, 1..1000. Default 100. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** By alert `ts`, then `alert_id`: `desc` (newest first, the default) or `asc`. */
  order?: 'asc' | 'desc';
}

export interface NotificationQuery {
  account_id?: string;
  /** Inclusive lower bound on notification ts (ISO 8601). */
  since?: string;
  /** Page size, 1..1000. Default 100. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface CaseQuery {
  status?: CaseStatus;
  /** Page size, 1..1000. Default 100. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface CasePage {
  /** Newest first (the order cases were opened in, reversed). */
  cases: Case[];
  next_cursor?: string;
}

export interface SummaryQuery {
  /** Width of the `alerts_over_time` buckets, ms (e.g. 3,600,000 for hours). */
  bucketMs: number;
  /** Inclusive lower bound on alert ts for `alerts_over_time` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on alert ts for `alerts_over_time` (ISO 8601). */
  until?: string;
}

/** Counts for an overview page; every figure is counted by the store, none estimated. */
export interface StoreSummary {
  events: number;
  decisions_by_outcome: Record<string, number>;
  alerts_by_kind: Record<string, number>;
  alerts_by_severity: Record<string, number>;
  /** Alerts per bucket and kind; only non-empty buckets, oldest first. */
  alerts_over_time: { bucket_start: string; kind: string; count: number }[];
  notifications: number;
  cases_by_status: Record<string, number>;
}

/** One event an alert cites as evidence, with the decision kabuguard answered for it (if any). */
export interface EvidenceItem {
  seq: number;
  event: KgEvent;
  decision?: DecisionRecord;
}

export interface AlertPage {
  alerts: Alert[];
  next_cursor?: string;
}

export interface StoredEvent {
  /** Store-assigned, strictly increasing processing sequence. */
  seq: number;
  t: number;
  event: KgEvent;
}

export interface ProcessedItem {
  event: KgEvent;
  t: number;
  decision?: DecisionRecord;
  alerts: Alert[];
  notifications: Notification[];
}

/**
 * Async so that PostgreSQL can implement it too; the SQLite implementation resolves immediately.
 */
export interface ServiceStore {
  /** The stored decision when an event with this id was already recorded (idempotency across restarts). */
  findEvent(id: string): Promise<{ seq: number; decision?: DecisionRecord } | undefined>;
  /**
   * Record processed events with their decisions, alerts and notifications in one transaction, so a
   * crash leaves all of a batch or none of it. Returns each event's sequence number, or undefined
   * for an id already stored (not recorded again).
   */
  recordBatch(items: ProcessedItem[]): Promise<(number | undefined)[]>;
  listAlerts(q: AlertQuery): Promise<AlertPage>;
  /**
   * Notifications in the order they were recorded (an outbox: a poller that keeps the last
   * `next_cursor` sees every later notification exactly once). `since` filters on notification `ts`.
   */
  listNotifications(q: NotificationQuery): Promise<{ notifications: Notification[]; next_cursor?: string }>;
  getDecision(decisionId: string): Promise<DecisionRecord | undefined>;
  getAlert(alertId: string): Promise<Alert | undefined>;
  /** The recorded events among `eventIds` (at most 1000), in processing order, each with its decision. */
  getEvidence(eventIds: string[]): Promise<EvidenceItem[]>;
  summarize(q: SummaryQuery): Promise<StoreSummary>;
  listCases(q: CaseQuery): Promise<CasePage>;
  getCase(caseId: string): Promise<Case | undefined>;
  /** The case of a subject that is not closed yet (there is at most one). */
  findOpenCase(subject: Case['subject']): Promise<Case | undefined>;
  /** An id no case has yet (`case_<n>`); a concurrent writer may take it first, which `saveCase` then refuses. */
  newCaseId(): Promise<string>;
  /**
   * Write a case whose stored log has `expectedLogLength` entries (0: a new case). The log is
   * append-only: only entries beyond `expectedLogLength` are added. Returns false, writing nothing,
   * when the stored case moved on meanwhile (optimistic concurrency), when a new case's id is taken,
   * or when its subject already has a case that is not closed.
   */
  saveCase(c: Case, expectedLogLength: number): Promise<boolean>;
  /** Engine state as of sequence `seq` (serialized by the caller with v8.serialize). */
  saveSnapshot(seq: number, state: Buffer): Promise<void>;
  loadSnapshot(): Promise<{ seq: number; state: Buffer } | undefined>;
  /** Events recorded after `seq`, in sequence order: rebuilds engine state after a restart. */
  eventsAfter(seq: number): AsyncIterable<StoredEvent>;
  close(): Promise<void>;
}
