/**
 * A small in-memory ServiceStore for the server tests. Its "disk" is a separate object so a test can
 * start a second server on the same data (a restart) or on a copy taken earlier (a crash).
 */
import type { Alert, DecisionRecord, Notification } from '../../src/engine/types.js';
import { subjectKey, type Case } from '../../src/cases/CaseBook.js';
import type { AlertPage, AlertQuery, CaseQuery, EvidenceItem, ProcessedItem, ServiceStore, StoredEvent, StoreSummary, SummaryQuery } from '../../src/store/types.js';

type NotificationQuery = Parameters<ServiceStore['listNotifications']>[0];

export interface MemoryDisk {
  events: StoredEvent[];
  ids: Map<string, { seq: number; decision?: DecisionRecord }>;
  decisions: Map<string, DecisionRecord>;
  alerts: Alert[];
  notifications: { seq: number; n: Notification }[];
  snapshot?: { seq: number; state: Buffer };
  nextSeq: number;
  cases: Case[];
}

export function createDisk(): MemoryDisk {
  return { events: [], ids: new Map(), decisions: new Map(), alerts: [], notifications: [], nextSeq: 1, cases: [] };
}

/** What a crash at this moment would leave on disk. */
export function copyDisk(d: MemoryDisk): MemoryDisk {
  return {
    events: [...d.events],
    ids: new Map(d.ids),
    decisions: new Map(d.decisions),
    alerts: [...d.alerts],
    notifications: [...d.notifications],
    snapshot: d.snapshot,
    nextSeq: d.nextSeq,
    cases: [...d.cases],
  };
}

export class MemoryStore implements ServiceStore {
  /** Make the next `recordBatch` throw (a full disk, a lost connection). */
  failNextWrite = false;
  /** Make every write take this long (a slow disk), so requests are still in flight when a test acts. */
  writeDelayMs = 0;
  /** While set, every write waits for it (a stalled disk the test releases). */
  gate?: Promise<void>;
  closed = false;
  writes = 0;
  writesStarted = 0;

  constructor(readonly disk: MemoryDisk = createDisk()) {}

  async findEvent(id: string) {
    return this.disk.ids.get(id);
  }

  async recordBatch(items: ProcessedItem[]): Promise<(number | undefined)[]> {
    if (this.closed) throw new Error('store is closed');
    this.writesStarted++;
    if (this.writeDelayMs) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    if (this.gate) await this.gate;
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('disk full');
    }
    this.writes++;
    const d = this.disk;
    return items.map((it) => {
      if (d.ids.has(it.event.id)) return undefined;
      const seq = d.nextSeq++;
      d.events.push({ seq, t: it.t, event: it.event });
      d.ids.set(it.event.id, { seq, decision: it.decision });
      if (it.decision) d.decisions.set(it.decision.decision_id, it.decision);
      d.alerts.push(...it.alerts);
      for (const n of it.notifications) d.notifications.push({ seq, n });
      return seq;
    });
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const limit = q.limit ?? 100;
    let rows = this.disk.alerts.filter(
      (a) =>
        (q.kind === undefined || a.kind === q.kind) &&
        (q.account_id === undefined || a.account_id === q.account_id) &&
        (q.symbol === undefined || a.symbol === q.symbol) &&
        (q.campaign_id === undefined || a.campaign_id === q.campaign_id) &&
        (q.severity === undefined || a.severity === q.severity) &&
        (q.since === undefined || Date.parse(a.ts) >= Date.parse(q.since)) &&
        (q.until === undefined || Date.parse(a.ts) < Date.parse(q.until)),
    );
    const key = (a: Alert): [number, string] => [Date.parse(a.ts), a.alert_id];
    const cmp = (x: [number, string], y: [number, string]): number => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
    rows.sort((a, b) => -cmp(key(a), key(b)));
    if (q.cursor) {
      let after: [number, string];
      try {
        after = JSON.parse(Buffer.from(q.cursor, 'base64url').toString());
      } catch {
        throw new RangeError('cursor: not a cursor this store issued');
      }
      rows = rows.filter((a) => cmp(key(a), after) < 0);
    }
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      alerts: page,
      next_cursor: rows.length > limit && last ? Buffer.from(JSON.stringify(key(last))).toString('base64url') : undefined,
    };
  }

  async listNotifications(q: NotificationQuery) {
    const limit = q.limit ?? 100;
    const after = q.cursor ? Number(q.cursor) : 0;
    const rows = this.disk.notifications.filter(
      (r) => r.seq > after && (q.account_id === undefined || r.n.account_id === q.account_id) && (q.since === undefined || Date.parse(r.n.ts) >= Date.parse(q.since)),
    );
    const page = rows.slice(0, limit);
    return { notifications: page.map((r) => r.n), next_cursor: rows.length > limit ? String(page[page.length - 1]!.seq) : undefined };
  }

  async getDecision(id: string) {
    return this.disk.decisions.get(id);
  }

  async getAlert(id: string) {
    return this.disk.alerts.find((a) => a.alert_id === id);
  }

  async getEvidence(ids: string[]): Promise<EvidenceItem[]> {
    const want = new Set(ids);
    return this.disk.events
      .filter((e) => want.has(e.event.id))
      .map((e) => {
        const decision = this.disk.ids.get(e.event.id)?.decision;
        return decision ? { seq: e.seq, event: e.event, decision } : { seq: e.seq, event: e.event };
      });
  }

  async summarize(q: SummaryQuery): Promise<StoreSummary> {
    const tally = <T>(xs: T[], key: (x: T) => string): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
      return out;
    };
    const inRange = this.disk.alerts.filter((a) => (q.since === undefined || Date.parse(a.ts) >= Date.parse(q.since)) && (q.until === undefined || Date.parse(a.ts) < Date.parse(q.until)));
    const buckets = tally(inRange, (a) => `${Math.floor(Date.parse(a.ts) / q.bucketMs) * q.bucketMs}|${a.kind}`);
    return {
      events: this.disk.events.length,
      decisions_by_outcome: tally([...this.disk.decisions.values()], (d) => d.decision),
      alerts_by_kind: tally(this.disk.alerts, (a) => a.kind),
      alerts_by_severity: tally(this.disk.alerts, (a) => a.severity),
      alerts_over_time: Object.entries(buckets)
        .map(([k, count]) => ({ b: Number(k.split('|')[0]), kind: k.split('|')[1]!, count }))
        .sort((x, y) => x.b - y.b || x.kind.localeCompare(y.kind))
        .map((r) => ({ bucket_start: new Date(r.b).toISOString(), kind: r.kind, count: r.count })),
      notifications: this.disk.notifications.length,
      cases_by_status: tally(this.disk.cases, (c) => c.status),
    };
  }

  async listCases(q: CaseQuery) {
    const limit = q.limit ?? 100;
    const before = q.cursor ? Number(q.cursor) : Infinity;
    const rows = this.disk.cases.map((c, i) => ({ c, n: i + 1 })).filter((r) => r.n < before && (q.status === undefined || r.c.status === q.status)).reverse();
    const page = rows.slice(0, limit);
    return { cases: page.map((r) => r.c), next_cursor: rows.length > limit ? String(page[page.length - 1]!.n) : undefined };
  }

  async getCase(id: string) {
    return this.disk.cases.find((c) => c.case_id === id);
  }

  async findOpenCase(subject: Case['subject']) {
    return this.disk.cases.find((c) => c.status !== 'closed' && subjectKey(c.subject) === subjectKey(subject));
  }

  async newCaseId() {
    return `case_${this.disk.cases.length + 1}`;
  }

  async saveCase(c: Case, expected: number) {
    const i = this.disk.cases.findIndex((x) => x.case_id === c.case_id);
    if (expected === 0) {
      if (i >= 0 || (await this.findOpenCase(c.subject))) return false;
      this.disk.cases.push(c);
      return true;
    }
    if (i < 0 || this.disk.cases[i]!.log.length !== expected) return false;
    this.disk.cases[i] = c;
    return true;
  }

  async saveSnapshot(seq: number, state: Buffer) {
    this.disk.snapshot = { seq, state };
  }

  async loadSnapshot() {
    return this.disk.snapshot;
  }

  async *eventsAfter(seq: number): AsyncIterable<StoredEvent> {
    for (const e of this.disk.events) if (e.seq > seq) yield e;
  }

  async close() {
    this.closed = true;
  }
}
