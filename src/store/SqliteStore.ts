import Database from 'better-sqlite3';
import type { Alert, DecisionRecord, Notification } from '../engine/types.js';
import { subjectKey, type Case, type CaseLogEntry } from '../cases/CaseBook.js';
import { checkEvidenceIds, normalizeAlertQuery, normalizeCaseQuery, normalizeNotificationQuery, normalizeSummaryQuery } from './normalizeQuery.js';
import { encodeAlertCursor, encodeCaseCursor, encodeNotificationCursor } from './pageCursor.js';
import { takePage } from './takePage.js';
import type {
  AlertPage,
  AlertQuery,
  CasePage,
  CaseQuery,
  EvidenceItem,
  NotificationQuery,
  ProcessedItem,
  ServiceStore,
  StoredEvent,
  StoreSummary,
  SummaryQuery,
} from './types.js';
import { whereClause } from './whereClause.js';

export interface SqliteStoreOptions {
  /**
   * SQLite `synchronous` level. `NORMAL` (default) with WAL survives a crash of the process, and loses
   * at most the last transactions on power loss; `FULL` also survives power loss, at a cost per commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a writer waits for another connection's lock before failing, ms. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * a released migration is never edited, a change is a new entry.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE events (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL UNIQUE,
     t INTEGER NOT NULL,
     type TEXT NOT NULL,
     account_id TEXT,
     json TEXT NOT NULL
   );
   CREATE TABLE decisions (
     decision_id TEXT PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL,
     account_id TEXT,
     decision TEXT NOT NULL,
     json TEXT NOT NULL
   );
   CREATE TABLE alerts (
     alert_id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     ts_ms INTEGER NOT NULL,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     account_id TEXT,
     symbol TEXT,
     campaign_id TEXT,
     json TEXT NOT NULL
   );
   CREATE INDEX alerts_ts ON alerts (ts_ms, alert_id);
   CREATE INDEX alerts_kind ON alerts (kind, ts_ms, alert_id);
   CREATE INDEX alerts_account ON alerts (account_id, ts_ms, alert_id);
   CREATE INDEX alerts_symbol ON alerts (symbol, ts_ms, alert_id);
   CREATE INDEX alerts_campaign ON alerts (campaign_id, ts_ms, alert_id);
   CREATE INDEX alerts_severity ON alerts (severity, ts_ms, alert_id);
   CREATE TABLE notifications (
     n INTEGER PRIMARY KEY,
     notification_id TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL,
     ts_ms INTEGER NOT NULL,
     account_id TEXT NOT NULL,
     json TEXT NOT NULL
   );
   CREATE INDEX notifications_account ON notifications (account_id, n);
   CREATE TABLE snapshots (
     seq INTEGER PRIMARY KEY,
     state BLOB NOT NULL,
     saved_at TEXT NOT NULL
   );`,
  // Cases of the console. The log is its own insert-only table so the audit trail is append-only on disk too.
  `CREATE TABLE cases (
     n INTEGER PRIMARY KEY,
     case_id TEXT NOT NULL UNIQUE,
     subject TEXT NOT NULL,
     status TEXT NOT NULL,
     version INTEGER NOT NULL,
     json TEXT NOT NULL
   );
   CREATE UNIQUE INDEX cases_open_subject ON cases (subject) WHERE status <> 'closed';
   CREATE INDEX cases_status ON cases (status, n);
   CREATE TABLE case_log (
     case_id TEXT NOT NULL REFERENCES cases (case_id),
     seq INTEGER NOT NULL,
     json TEXT NOT NULL,
     PRIMARY KEY (case_id, seq)
   );`,
];

/** Rows of `eventsAfter` read per query: an open cursor must not span an `await`. */
const EVENTS_PAGE = 1000;

/**
 * The embedded `ServiceStore`: one SQLite file in WAL mode (readers never block the writer). Every
 * method is synchronous underneath and resolves immediately.
 */
export class SqliteStore implements ServiceStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly recordTx: (items: ProcessedItem[]) => (number | undefined)[];

  constructor(
    readonly path: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
    migrate(this.db, path);
    const db = this.db;
    this.stmt = {
      maxSeq: db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM events'),
      insertEvent: db.prepare('INSERT OR IGNORE INTO events (id, seq, t, type, account_id, json) VALUES (?, ?, ?, ?, ?, ?)'),
      insertDecision: db.prepare('INSERT OR IGNORE INTO decisions (decision_id, event_id, seq, account_id, decision, json) VALUES (?, ?, ?, ?, ?, ?)'),
      insertAlert: db.prepare(
        'INSERT OR IGNORE INTO alerts (alert_id, seq, ts_ms, kind, severity, account_id, symbol, campaign_id, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertNotification: db.prepare('INSERT OR IGNORE INTO notifications (notification_id, seq, ts_ms, account_id, json) VALUES (?, ?, ?, ?, ?)'),
      findEvent: db.prepare<[string], { seq: number }>('SELECT seq FROM events WHERE id = ?'),
      decisionByEvent: db.prepare<[string], { json: string }>('SELECT json FROM decisions WHERE event_id = ?'),
      decisionById: db.prepare<[string], { json: string }>('SELECT json FROM decisions WHERE decision_id = ?'),
      saveSnapshot: db.prepare("INSERT OR REPLACE INTO snapshots (seq, state, saved_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
      pruneSnapshots: db.prepare('DELETE FROM snapshots WHERE seq < ?'),
      loadSnapshot: db.prepare<[], { seq: number; state: Buffer }>('SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1'),
      eventsAfter: db.prepare<[number, number], { seq: number; t: number; json: string }>(
        'SELECT seq, t, json FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      alertById: db.prepare<[string], { json: string }>('SELECT json FROM alerts WHERE alert_id = ?'),
      evidence: db.prepare<[string], { seq: number; json: string; djson: string | null }>(
        'SELECT e.seq, e.json, d.json AS djson FROM events e LEFT JOIN decisions d ON d.event_id = e.id WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.seq',
      ),
      caseById: db.prepare<[string], { json: string }>('SELECT json FROM cases WHERE case_id = ?'),
      caseLog: db.prepare<[string], { json: string }>('SELECT json FROM case_log WHERE case_id = ? ORDER BY seq'),
      openCase: db.prepare<[string], { case_id: string }>("SELECT case_id FROM cases WHERE subject = ? AND status <> 'closed'"),
      countCases: db.prepare<[], { c: number }>('SELECT count(*) AS c FROM cases'),
      insertCase: db.prepare('INSERT OR IGNORE INTO cases (case_id, subject, status, version, json) VALUES (?, ?, ?, ?, ?)'),
      updateCase: db.prepare('UPDATE cases SET status = ?, version = ?, json = ? WHERE case_id = ? AND version = ?'),
      insertCaseLog: db.prepare('INSERT INTO case_log (case_id, seq, json) VALUES (?, ?, ?)'),
    };
    // IMMEDIATE: take the write lock before reading max(seq), so two connections never hand out the same seq.
    this.recordTx = this.db.transaction((items: ProcessedItem[]) => this.recordItems(items)).immediate;
  }

  async findEvent(id: string): Promise<{ seq: number; decision?: DecisionRecord } | undefined> {
    const row = this.stmt.findEvent.get(id);
    if (!row) return undefined;
    const d = this.stmt.decisionByEvent.get(id);
    return d ? { seq: row.seq, decision: JSON.parse(d.json) as DecisionRecord } : { seq: row.seq };
  }

  async recordBatch(items: ProcessedItem[]): Promise<(number | undefined)[]> {
    if (items.length === 0) return [];
    return this.recordTx(items);
  }

  private recordItems(items: ProcessedItem[]): (number | undefined)[] {
    const s = this.stmt;
    let seq = s.maxSeq.get()?.s ?? 0;
    const out: (number | undefined)[] = [];
    for (const it of items) {
      const ev = it.event;
      const accountId = 'account_id' in ev ? (ev.account_id ?? null) : null;
      if (s.insertEvent.run(ev.id, seq + 1, it.t, ev.type, accountId, JSON.stringify(ev)).changes === 0) {
        out.push(undefined);
        continue;
      }
      seq++;
      out.push(seq);
      const d = it.decision;
      if (d) s.insertDecision.run(d.decision_id, d.event_id, seq, d.account_id, d.decision, JSON.stringify(d));
      for (const a of it.alerts) {
        s.insertAlert.run(a.alert_id, seq, alertTsMs(a), a.kind, a.severity, a.account_id ?? null, a.symbol ?? null, a.campaign_id ?? null, JSON.stringify(a));
      }
      for (const n of it.notifications) s.insertNotification.run(n.notification_id, seq, Date.parse(n.ts), n.account_id, JSON.stringify(n));
    }
    return out;
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const n = normalizeAlertQuery(q);
    const { where, params, p } = sqlParams();
    for (const f of n.filters) where.push(`${f.column} = ${p(f.value)}`);
    if (n.sinceMs !== undefined) where.push(`ts_ms >= ${p(n.sinceMs)}`);
    if (n.untilMs !== undefined) where.push(`ts_ms < ${p(n.untilMs)}`);
    const dir = n.order === 'asc' ? 'ASC' : 'DESC';
    if (n.after) where.push(`(ts_ms, alert_id) ${n.order === 'asc' ? '>' : '<'} (${p(n.after.tsMs)}, ${p(n.after.alertId)})`);
    const sql =
      `SELECT ts_ms, alert_id, json FROM alerts ${whereClause(where)} ` +
      `ORDER BY ts_ms ${dir}, alert_id ${dir} LIMIT ?`;
    params.push(n.limit + 1);
    const rows = this.db.prepare<(string | number)[], { ts_ms: number; alert_id: string; json: string }>(sql).all(...params);
    const { page, last } = takePage(rows, n.limit);
    return {
      alerts: page.map((r) => JSON.parse(r.json) as Alert),
      next_cursor: last ? encodeAlertCursor({ order: n.order, tsMs: last.ts_ms, alertId: last.alert_id }) : undefined,
    };
  }

  async listNotifications(q: NotificationQuery): Promise<{ notifications: Notification[]; next_cursor?: string }> {
    const n = normalizeNotificationQuery(q);
    const { where, params, p } = sqlParams();
    if (n.account_id !== undefined) where.push(`account_id = ${p(n.account_id)}`);
    if (n.sinceMs !== undefined) where.push(`ts_ms >= ${p(n.sinceMs)}`);
    if (n.afterN !== undefined) where.push(`n > ${p(n.afterN)}`);
    params.push(n.limit + 1);
    const sql = `SELECT n, json FROM notifications ${whereClause(where)} ORDER BY n LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], { n: number; json: string }>(sql).all(...params);
    const { page, last } = takePage(rows, n.limit);
    return {
      notifications: page.map((r) => JSON.parse(r.json) as Notification),
      next_cursor: last ? encodeNotificationCursor(last.n) : undefined,
    };
  }

  async getDecision(decisionId: string): Promise<DecisionRecord | undefined> {
    const row = this.stmt.decisionById.get(decisionId);
    return row ? (JSON.parse(row.json) as DecisionRecord) : undefined;
  }

  async getAlert(alertId: string): Promise<Alert | undefined> {
    const row = this.stmt.alertById.get(alertId);
    return row ? (JSON.parse(row.json) as Alert) : undefined;
  }

  async getEvidence(eventIds: string[]): Promise<EvidenceItem[]> {
    checkEvidenceIds(eventIds);
    if (eventIds.length === 0) return [];
    return this.stmt.evidence.all(JSON.stringify(eventIds)).map((r) => {
      const item: EvidenceItem = { seq: r.seq, event: JSON.parse(r.json) };
      if (r.djson) item.decision = JSON.parse(r.djson) as DecisionRecord;
      return item;
    });
  }

  async summarize(q: SummaryQuery): Promise<StoreSummary> {
    const n = normalizeSummaryQuery(q);
    const db = this.db;
    const counts = (sql: string): Record<string, number> =>
      Object.fromEntries(db.prepare<[], { k: string; c: number }>(sql).all().map((r) => [r.k, r.c]));
    const { where, params, p } = sqlParams();
    const bucket = `(ts_ms / CAST(${p(n.bucketMs)} AS INTEGER)) * CAST(${p(n.bucketMs)} AS INTEGER)`;
    if (n.sinceMs !== undefined) where.push(`ts_ms >= ${p(n.sinceMs)}`);
    if (n.untilMs !== undefined) where.push(`ts_ms < ${p(n.untilMs)}`);
    const buckets = db
      .prepare<(string | number)[], { b: number; kind: string; c: number }>(
        `SELECT ${bucket} AS b, kind, count(*) AS c FROM alerts ${whereClause(where)} GROUP BY b, kind ORDER BY b, kind`,
      )
      .all(...params);
    return {
      // Sequence numbers run 1, 2, 3… without gaps (a failed batch rolls back its numbers), so the
      // largest is the count, read from the index instead of scanning the table.
      events: this.stmt.maxSeq.get()?.s ?? 0,
      decisions_by_outcome: counts('SELECT decision AS k, count(*) AS c FROM decisions GROUP BY decision'),
      alerts_by_kind: counts('SELECT kind AS k, count(*) AS c FROM alerts GROUP BY kind'),
      alerts_by_severity: counts('SELECT severity AS k, count(*) AS c FROM alerts GROUP BY severity'),
      alerts_over_time: buckets.map((r) => ({ bucket_start: new Date(r.b).toISOString(), kind: r.kind, count: r.c })),
      notifications: db.prepare<[], { c: number }>('SELECT count(*) AS c FROM notifications').get()?.c ?? 0,
      cases_by_status: counts('SELECT status AS k, count(*) AS c FROM cases GROUP BY status'),
    };
  }

  async listCases(q: CaseQuery): Promise<CasePage> {
    const n = normalizeCaseQuery(q);
    const { where, params, p } = sqlParams();
    if (n.status !== undefined) where.push(`status = ${p(n.status)}`);
    if (n.beforeN !== undefined) where.push(`n < ${p(n.beforeN)}`);
    params.push(n.limit + 1);
    const rows = this.db
      .prepare<(string | number)[], { n: number; case_id: string; json: string }>(
        `SELECT n, case_id, json FROM cases ${whereClause(where)} ORDER BY n DESC LIMIT ?`,
      )
      .all(...params);
    const { page, last } = takePage(rows, n.limit);
    return {
      cases: page.map((r) => this.withLog(r.case_id, r.json)),
      next_cursor: last ? encodeCaseCursor(last.n) : undefined,
    };
  }

  async getCase(caseId: string): Promise<Case | undefined> {
    const row = this.stmt.caseById.get(caseId);
    return row ? this.withLog(caseId, row.json) : undefined;
  }

  async findOpenCase(subject: Case['subject']): Promise<Case | undefined> {
    const row = this.stmt.openCase.get(subjectKey(subject));
    return row ? this.getCase(row.case_id) : undefined;
  }

  async newCaseId(): Promise<string> {
    return `case_${(this.stmt.countCases.get()?.c ?? 0) + 1}`;
  }

  async saveCase(c: Case, expectedLogLength: number): Promise<boolean> {
    const { log, ...head } = c;
    if (log.length < expectedLogLength) throw new RangeError(`case ${c.case_id}: its log has ${log.length} entries, fewer than the ${expectedLogLength} stored; a log only grows`);
    return this.db.transaction(() => {
      const s = this.stmt;
      const json = JSON.stringify(head);
      const written =
        expectedLogLength === 0
          ? s.insertCase.run(c.case_id, subjectKey(c.subject), c.status, log.length, json).changes
          : s.updateCase.run(c.status, log.length, json, c.case_id, expectedLogLength).changes;
      if (written === 0) return false;
      for (const e of log.slice(expectedLogLength)) s.insertCaseLog.run(c.case_id, e.seq, JSON.stringify(e));
      return true;
    }).immediate();
  }

  private withLog(caseId: string, json: string): Case {
    const log = this.stmt.caseLog.all(caseId).map((r) => JSON.parse(r.json) as CaseLogEntry);
    return { ...(JSON.parse(json) as Omit<Case, 'log'>), log };
  }

  async saveSnapshot(seq: number, state: Buffer): Promise<void> {
    // Only the newest snapshot is ever loaded; older ones would only grow the file.
    this.db.transaction(() => {
      this.stmt.saveSnapshot.run(seq, state);
      this.stmt.pruneSnapshots.run(seq);
    })();
  }

  async loadSnapshot(): Promise<{ seq: number; state: Buffer } | undefined> {
    return this.stmt.loadSnapshot.get();
  }

  async *eventsAfter(seq: number): AsyncIterable<StoredEvent> {
    let after = seq;
    for (;;) {
      const rows = this.stmt.eventsAfter.all(after, EVENTS_PAGE);
      for (const r of rows) yield { seq: r.seq, t: r.t, event: JSON.parse(r.json) };
      if (rows.length < EVENTS_PAGE) return;
      after = rows[rows.length - 1].seq;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Bring the schema up to date; refuse a file written by a newer kabuguard rather than guess. */
function migrate(db: Database.Database, path: string): void {
  // The version is read inside the write transaction, so two processes opening a new file at once
  // cannot both run the same migration.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `${path}: schema version ${version} is newer than this kabuguard understands (${MIGRATIONS.length}); upgrade kabuguard or use another store file`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function alertTsMs(a: Alert): number {
  const ms = Date.parse(a.ts);
  if (Number.isNaN(ms)) throw new Error(`alert ${a.alert_id}: ts is not an ISO 8601 time: ${JSON.stringify(a.ts)}`);
  return ms;
}

/** Conditions and their `?` parameters, collected in the order the SQL text names them. */
function sqlParams(): { where: string[]; params: (string | number)[]; p: (v: string | number) => string } {
  const params: (string | number)[] = [];
  return {
    where: [],
    params,
    p: (v) => {
      params.push(v);
      return '?';
    },
  };
}
