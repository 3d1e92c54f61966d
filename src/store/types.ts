/**
 * What the service needs from storage. The embedded default is SQLite (`SqliteStore`); the
 * at-scale deployment implements the same interface on PostgreSQL. Adapters depend on this
 * interface, never on a concrete store.
 */
import type { KgEvent } from '../events/schema.js';
import type { Alert, DecisionRecord, Notification } from '../engine/types.js';

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
  /** Engine state as of sequence `seq` (serialized by the caller with v8.serialize). */
  saveSnapshot(seq: number, state: Buffer): Promise<void>;
  loadSnapshot(): Promise<{ seq: number; state: Buffer } | undefined>;
  /** Events recorded after `seq`, in sequence order: rebuilds engine state after a restart. */
  eventsAfter(seq: number): AsyncIterable<StoredEvent>;
  close(): Promise<void>;
}
