/**
 * What the service needs from storage. The embedded default is SQLite (`SqliteStore`); the
 * at-scale deployment implements the same interface on PostgreSQL. Adapters depend on this
 * interface, never on a concrete store.
 */
import type { KgEvent } from '../events/schema.js';
import type { Alert, DecisionRecord } from '../engine/types.js';

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

export interface ServiceStore {
  /** True when an event with this id was already recorded (idempotency across restarts). */
  hasEvent(id: string): boolean;
  /**
   * Record one processed event with its decision and alerts in one transaction, so a crash leaves
   * either all of it or none. Returns the event's sequence number, or undefined if the id exists.
   */
  recordProcessed(event: KgEvent, t: number, decision: DecisionRecord | undefined, alerts: Alert[]): number | undefined;
  /** Several events in one transaction (batch ingestion); same semantics as recordProcessed. */
  recordBatch(items: { event: KgEvent; t: number; decision?: DecisionRecord; alerts: Alert[] }[]): (number | undefined)[];
  listAlerts(q: AlertQuery): AlertPage;
  getDecision(decisionId: string): DecisionRecord | undefined;
  /** Engine state as of sequence `seq` (serialized by the caller). */
  saveSnapshot(seq: number, state: Buffer): void;
  loadSnapshot(): { seq: number; state: Buffer } | undefined;
  /** Events recorded after `seq`, in sequence order: rebuilds engine state after a restart. */
  eventsAfter(seq: number): Iterable<StoredEvent>;
  close(): void;
}
