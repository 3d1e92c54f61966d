/** The API's JSON shapes, as the console reads them (names as in src/engine/types.ts and src/cases). */

export interface Reason {
  code: string;
  detail: string;
}

export interface Alert {
  alert_id: string;
  ts: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  score: number;
  account_id?: string;
  symbol?: string;
  ip?: string;
  campaign_id?: string;
  window?: { start: string; end: string };
  reasons: Reason[];
  event_ids: string[];
  detector?: string;
  data?: Record<string, unknown>;
}

export interface DecisionRecord {
  decision_id: string;
  decision: string;
  required_auth?: string;
  score: number;
  reasons: Reason[];
  rules: Record<string, string>;
  event_id: string;
  type: string;
  account_id?: string;
  ts: string;
}

export type KgEvent = { type: string; id: string; ts: string; account_id?: string } & Record<string, unknown>;

export interface EvidenceItem {
  seq: number;
  event: KgEvent;
  decision?: DecisionRecord;
}

export interface AlertDetail {
  alert: Alert;
  evidence: EvidenceItem[];
  evidence_missing: number;
  campaign_id_now?: string;
}

export interface Summary {
  events: number;
  decisions_by_outcome: Record<string, number>;
  alerts_by_kind: Record<string, number>;
  alerts_by_severity: Record<string, number>;
  alerts_over_time: { bucket_start: string; kind: string; count: number }[];
  notifications: number;
  cases_by_status: Record<string, number>;
}

export interface CampaignSummary {
  campaign_id: string;
  first_ts: string;
  last_ts: string;
  alerts: number;
  alert_kinds: Record<string, number>;
  accounts: string[];
  hijacked_accounts: string[];
  beneficiary_accounts: string[];
  symbols: string[];
  networks: string[];
  devices: string[];
  asns: string[];
  yen_moved: number;
  yen_protected: number;
  beneficiary_profit_jpy: number;
}

export type CaseStatus = 'open' | 'investigating' | 'confirmed' | 'false_positive' | 'closed';

export interface Restitution {
  loss_jpy: number;
  fees_jpy: number;
  compensation_jpy: number;
  residual_jpy: number;
}

export interface Case {
  case_id: string;
  subject: { campaign_id: string } | { account_id: string };
  status: CaseStatus;
  opened_at: string;
  assignee?: string;
  accounts: string[];
  alert_ids: string[];
  restitution: Record<string, Restitution>;
  log: { seq: number; at: string; actor: string; action: string; detail: string }[];
}

export interface Notification {
  notification_id: string;
  ts: string;
  account_id: string;
  template: string;
  message: string;
  event_ids: string[];
}

/** The status machine of src/cases/CaseBook.ts, to offer only the moves the server allows. */
export const NEXT_STATUS: Record<CaseStatus, CaseStatus[]> = {
  open: ['investigating'],
  investigating: ['confirmed', 'false_positive'],
  confirmed: ['closed'],
  false_positive: ['closed'],
  closed: [],
};
