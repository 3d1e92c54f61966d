/**
 * The API's JSON shapes, as the console reads them. Where the server sends a domain object as it is,
 * its type comes from src: `import type` is erased by Vite, so nothing of src reaches the bundle, and
 * `tsc -p web` fails when the two drift apart.
 */
import type { Alert, DecisionRecord } from '../../src/engine/types.js';
import type { CaseStatus } from '../../src/cases/CaseBook.js';

export type { Alert, DecisionRecord, Notification } from '../../src/engine/types.js';
export type { Case } from '../../src/cases/CaseBook.js';
export type { CampaignSummary } from '../../src/detect/campaign/summarizeCampaign.js';
export type { UrlVerdict } from '../../src/phishing/types.js';

/**
 * Any recorded event. The console shows every event type through the same few fields, so it reads
 * them loosely rather than through the contract's discriminated union.
 */
export type KgEvent = { type: string; id: string; ts: string; account_id?: string } & Record<string, unknown>;

/** One event an alert cites (`EvidenceItem` of src/store/types.ts, with the event read loosely). */
export interface EvidenceItem {
  seq: number;
  event: KgEvent;
  decision?: DecisionRecord;
}

/** `GET /v1/alerts/:id` (src/server/routes/consoleQueries.ts). */
export interface AlertDetail {
  alert: Alert;
  evidence: EvidenceItem[];
  evidence_missing: number;
  campaign_id_now?: string;
}

/**
 * `GET /v1/summary`: `StoreSummary` of src/store/types.ts, written out here because that file also
 * declares the store's snapshot methods with node's `Buffer`, which the browser build has no types for.
 */
export interface Summary {
  events: number;
  decisions_by_outcome: Record<string, number>;
  alerts_by_kind: Record<string, number>;
  alerts_by_severity: Record<string, number>;
  alerts_over_time: { bucket_start: string; kind: string; count: number }[];
  notifications: number;
  cases_by_status: Record<string, number>;
}

/**
 * The moves of the status machine in src/cases/CaseBook.ts, so the console offers only what the server
 * allows. A copy, because the console imports only types from src; the server refuses any other move.
 */
export const NEXT_STATUS: Record<CaseStatus, CaseStatus[]> = {
  open: ['investigating'],
  investigating: ['confirmed', 'false_positive'],
  confirmed: ['closed'],
  false_positive: ['closed'],
  closed: [],
};
