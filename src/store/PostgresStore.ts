import pg from 'pg';
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

export interface PostgresStoreOptions {
  /** Connection string, e.g. `postgres://kabuguard@db:5432/kabuguard`. Ignored when `pool` is given. */
  connectionString?: string;
  /** A pool owned by the caller (not ended by `close`). Default: a new pool of up to 10 connections. */
  pool?: pg.Pool;
  /** Schema holding the tables, created when missing: lower-case letters, digits, `_`. Default `kabuguard`. */
  schema?: string;
}

/**
 * Migrations of one schema, in order; `schema_migrations` records which ran. Append only: a released
 * migration is never edited, a change is a new entry. `{s}` is the quoted schema name.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE {s}.events (
     id text PRIMARY KEY,
     seq bigint NOT NULL UNIQUE,
     t bigint NOT NULL,
     type text NOT NULL,
     account_id text,
     body jsonb NOT NULL
   );
   CREATE TABLE {s}.decisions (
     decision_id text PRIMARY KEY,
     event_id text NOT NULL UNIQUE,
     seq bigint NOT NULL,
     account_id text,
     decision text NOT NULL,
     body jsonb NOT NULL
   );
   CREATE TABLE {s}.alerts (
     alert_id text COLLATE "C" PRIMARY KEY,
     seq bigint NOT NULL,
     ts_ms bigint NOT NULL,
     kind text NOT NULL,
     severity text NOT NULL,
     account_id text,
     symbol text,
     campaign_id text,
     body jsonb NOT NULL
   );
   CREATE INDEX alerts_ts ON {s}.alerts (ts_ms, alert_id);
   CREATE INDEX alerts_kind ON {s}.alerts (kind, ts_ms, alert_id);
   CREATE INDEX alerts_account ON {s}.alerts (account_id, ts_ms, alert_id);
   CREATE INDEX alerts_symbol ON {s}.alerts (symbol, ts_ms, alert_id);
   CREATE INDEX alerts_campaign ON {s}.alerts (campaign_id, ts_ms, alert_id);
   CREATE INDEX alerts_severity ON {s}.alerts (severity, ts_ms, alert_id);
   CREATE TABLE {s}.notifications (
     n bigserial PRIMARY KEY,
     notification_id text NOT NULL UNIQUE,
     seq bigint NOT NULL,
     ts_ms bigint NOT NULL,
     account_id text NOT NULL,
     body jsonb NOT NULL
   );
   CREATE INDEX notifications_account ON {s}.notifications (account_id, n);
   CREATE TABLE {s}.snapshots (
     seq bigint PRIMARY KEY,
     state bytea NOT NULL,
     saved_at timestamptz NOT NULL DEFAULT now()
   );`,
  // Cases of the console. The log is its own insert-only table so the audit trail is append-only on disk too.
  `CREATE TABLE {s}.cases (
     n bigserial PRIMARY KEY,
     case_id text NOT NULL UNIQUE,
     subject text NOT NULL,
     status text NOT NULL,
     version int NOT NULL,
     body jsonb NOT NULL
   );
   CREATE UNIQUE INDEX cases_open_subject ON {s}.cases (subject) WHERE status <> 'closed';
   CREATE INDEX cases_status ON {s}.cases (status, n);
   CREATE TABLE {s}.case_log (
     case_id text NOT NULL REFERENCES {s}.cases (case_id),
     seq int NOT NULL,
     body jsonb NOT NULL,
     PRIMARY KEY (case_id, seq)
   );`,
];

const EVENTS_PAGE = 1000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `ServiceStore` on PostgreSQL for the at-scale deployment (several service instances, one database).
 *
 * Batches from all instances are serialized by a transaction-scoped advisory lock: sequence numbers
 * are then handed out in commit order, which `eventsAfter` relies on (a snapshot at seq S plus the
 * events after S must be the whole history; with concurrent commits an event with a smaller seq
 * could become visible after S was read). A batch of hundreds of events holds the lock for about one
 * round trip, so batching, not parallel writers, is what scales ingestion.
 */
export class PostgresStore implements ServiceStore {
  private readonly s: string;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    readonly schema: string,
  ) {
    this.s = `"${schema}"`;
  }

  /** Connect, create the schema when missing and bring it up to date. */
  static async open(opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = opts.schema ?? 'kabuguard';
    if (!SCHEMA_NAME.test(schema)) {
      throw new RangeError(`schema: ${JSON.stringify(schema)} is not a plain identifier (lower-case letters, digits and _, at most 63)`);
    }
    const pool = opts.pool ?? new pg.Pool({ connectionString: opts.connectionString, max: 10 });
    const store = new PostgresStore(pool, !opts.pool, schema);
    try {
      await store.migrate();
    } catch (err) {
      if (!opts.pool) await pool.end();
      throw err;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Two instances starting together must not both run a migration.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kabuguard-migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.s}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${this.s}.schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const r = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.s}.schema_migrations`);
      const version = r.rows[0].v ?? 0;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `schema ${this.schema}: version ${version} is newer than this kabuguard understands (${MIGRATIONS.length}); upgrade kabuguard or use another schema`,
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) {
        await c.query(MIGRATIONS[v].replaceAll('{s}', this.s));
        await c.query(`INSERT INTO ${this.s}.schema_migrations (version) VALUES ($1)`, [v + 1]);
      }
    });
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  async findEvent(id: string): Promise<{ seq: number; decision?: DecisionRecord } | undefined> {
    const r = await this.pool.query<{ seq: string; body: DecisionRecord | null }>(
      `SELECT e.seq, d.body FROM ${this.s}.events e LEFT JOIN ${this.s}.decisions d ON d.event_id = e.id WHERE e.id = $1`,
      [id],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return row.body ? { seq: Number(row.seq), decision: row.body } : { seq: Number(row.seq) };
  }

  async recordBatch(items: ProcessedItem[]): Promise<(number | undefined)[]> {
    if (items.length === 0) return [];
    // Checked before the transaction: a bad item must fail the batch without a round trip.
    const alertTs = items.map((it) => it.alerts.map(alertTsMs));
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kabuguard-record:${this.schema}`]);
      const ids = items.map((it) => it.event.id);
      const existing = await c.query<{ id: string }>(`SELECT id FROM ${this.s}.events WHERE id = ANY($1::text[])`, [ids]);
      const known = new Set(existing.rows.map((r) => r.id));
      const max = await c.query<{ s: string | null }>(`SELECT max(seq) AS s FROM ${this.s}.events`);
      let seq = Number(max.rows[0].s ?? 0);
      const out: (number | undefined)[] = [];
      const ev: unknown[][] = [[], [], [], [], [], []];
      const dec: unknown[][] = [[], [], [], [], [], []];
      const al: unknown[][] = [[], [], [], [], [], [], [], [], []];
      const nt: unknown[][] = [[], [], [], [], []];
      items.forEach((it, i) => {
        const e = it.event;
        if (known.has(e.id)) {
          out.push(undefined);
          return;
        }
        known.add(e.id);
        seq++;
        out.push(seq);
        push(ev, e.id, seq, it.t, e.type, 'account_id' in e ? (e.account_id ?? null) : null, JSON.stringify(e));
        const d = it.decision;
        if (d) push(dec, d.decision_id, d.event_id, seq, d.account_id, d.decision, JSON.stringify(d));
        it.alerts.forEach((a, k) => {
          push(al, a.alert_id, seq, alertTs[i][k], a.kind, a.severity, a.account_id ?? null, a.symbol ?? null, a.campaign_id ?? null, JSON.stringify(a));
        });
        for (const n of it.notifications) push(nt, n.notification_id, seq, Date.parse(n.ts), n.account_id, JSON.stringify(n));
      });
      if (ev[0].length === 0) return out;
      await c.query(
        `INSERT INTO ${this.s}.events (id, seq, t, type, account_id, body)
         SELECT id, seq, t, type, account_id, body::jsonb FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[])
           AS u(id, seq, t, type, account_id, body)`,
        ev,
      );
      if (dec[0].length > 0) {
        await c.query(
          `INSERT INTO ${this.s}.decisions (decision_id, event_id, seq, account_id, decision, body)
           SELECT decision_id, event_id, seq, account_id, decision, body::jsonb
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(decision_id, event_id, seq, account_id, decision, body)
           ON CONFLICT DO NOTHING`,
          dec,
        );
      }
      if (al[0].length > 0) {
        await c.query(
          `INSERT INTO ${this.s}.alerts (alert_id, seq, ts_ms, kind, severity, account_id, symbol, campaign_id, body)
           SELECT alert_id, seq, ts_ms, kind, severity, account_id, symbol, campaign_id, body::jsonb
             FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
               AS u(alert_id, seq, ts_ms, kind, severity, account_id, symbol, campaign_id, body)
           ON CONFLICT DO NOTHING`,
          al,
        );
      }
      if (nt[0].length > 0) {
        // ORDER BY ordinality: the outbox number `n` follows recording order within the batch too.
        await c.query(
          `INSERT INTO ${this.s}.notifications (notification_id, seq, ts_ms, account_id, body)
           SELECT notification_id, seq, ts_ms, account_id, body::jsonb
             FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY
               AS u(notification_id, seq, ts_ms, account_id, body, ord)
             ORDER BY ord
           ON CONFLICT DO NOTHING`,
          nt,
        );
      }
      return out;
    });
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const n = normalizeAlertQuery(q);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number): string => {
      params.push(v);
      return `$${params.length}`;
    };
    for (const f of n.filters) where.push(`${f.column} = ${p(f.value)}`);
    if (n.sinceMs !== undefined) where.push(`ts_ms >= ${p(n.sinceMs)}`);
    if (n.untilMs !== undefined) where.push(`ts_ms < ${p(n.untilMs)}`);
    if (n.after) where.push(`(ts_ms, alert_id) ${n.order === 'asc' ? '>' : '<'} (${p(n.after.tsMs)}, ${p(n.after.alertId)})`);
    const dir = n.order === 'asc' ? 'ASC' : 'DESC';
    // alert_id is COLLATE "C" (byte order): the same tie-break as SQLite whatever the database locale.
    const r = await this.pool.query<{ ts_ms: string; alert_id: string; body: Alert }>(
      `SELECT ts_ms, alert_id, body FROM ${this.s}.alerts ${whereClause(where)}
       ORDER BY ts_ms ${dir}, alert_id ${dir} LIMIT ${p(n.limit + 1)}`,
      params,
    );
    const { page, last } = takePage(r.rows, n.limit);
    return {
      alerts: page.map((row) => row.body),
      next_cursor: last ? encodeAlertCursor({ order: n.order, tsMs: Number(last.ts_ms), alertId: last.alert_id }) : undefined,
    };
  }

  async listNotifications(q: NotificationQuery): Promise<{ notifications: Notification[]; next_cursor?: string }> {
    const n = normalizeNotificationQuery(q);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (n.account_id !== undefined) where.push(`account_id = ${p(n.account_id)}`);
    if (n.sinceMs !== undefined) where.push(`ts_ms >= ${p(n.sinceMs)}`);
    if (n.afterN !== undefined) where.push(`n > ${p(n.afterN)}`);
    const r = await this.pool.query<{ n: string; body: Notification }>(
      `SELECT n, body FROM ${this.s}.notifications ${whereClause(where)} ORDER BY n LIMIT ${p(n.limit + 1)}`,
      params,
    );
    const { page, last } = takePage(r.rows, n.limit);
    return {
      notifications: page.map((row) => row.body),
      next_cursor: last ? encodeNotificationCursor(Number(last.n)) : undefined,
    };
  }

  async getDecision(decisionId: string): Promise<DecisionRecord | undefined> {
    const r = await this.pool.query<{ body: DecisionRecord }>(`SELECT body FROM ${this.s}.decisions WHERE decision_id = $1`, [decisionId]);
    return r.rows[0]?.body;
  }

  async getAlert(alertId: string): Promise<Alert | undefined> {
    const r = await this.pool.query<{ body: Alert }>(`SELECT body FROM ${this.s}.alerts WHERE alert_id = $1`, [alertId]);
    return r.rows[0]?.body;
  }

  async getEvidence(eventIds: string[]): Promise<EvidenceItem[]> {
    checkEvidenceIds(eventIds);
    if (eventIds.length === 0) return [];
    const r = await this.pool.query<{ seq: string; body: EvidenceItem['event']; dbody: DecisionRecord | null }>(
      `SELECT e.seq, e.body, d.body AS dbody FROM ${this.s}.events e LEFT JOIN ${this.s}.decisions d ON d.event_id = e.id
        WHERE e.id = ANY($1::text[]) ORDER BY e.seq`,
      [eventIds],
    );
    return r.rows.map((row) => {
      const item: EvidenceItem = { seq: Number(row.seq), event: row.body };
      if (row.dbody) item.decision = row.dbody;
      return item;
    });
  }

  async summarize(q: SummaryQuery): Promise<StoreSummary> {
    const n = normalizeSummaryQuery(q);
    const counts = async (sql: string): Promise<Record<string, number>> =>
      Object.fromEntries((await this.pool.query<{ k: string; c: string }>(sql)).rows.map((r) => [r.k, Number(r.c)]));
    const params: number[] = [n.bucketMs];
    const where: string[] = [];
    if (n.sinceMs !== undefined) where.push(`ts_ms >= $${params.push(n.sinceMs)}`);
    if (n.untilMs !== undefined) where.push(`ts_ms < $${params.push(n.untilMs)}`);
    const [events, decisions, kinds, severities, buckets, notifications, cases] = await Promise.all([
      // Sequence numbers run 1, 2, 3… without gaps (batches commit under one lock and a failed one
      // rolls back its numbers), so the largest is the count, read from the index.
      this.pool.query<{ s: string | null }>(`SELECT max(seq) AS s FROM ${this.s}.events`),
      counts(`SELECT decision AS k, count(*) AS c FROM ${this.s}.decisions GROUP BY decision`),
      counts(`SELECT kind AS k, count(*) AS c FROM ${this.s}.alerts GROUP BY kind`),
      counts(`SELECT severity AS k, count(*) AS c FROM ${this.s}.alerts GROUP BY severity`),
      this.pool.query<{ b: string; kind: string; c: string }>(
        `SELECT (ts_ms / $1) * $1 AS b, kind, count(*) AS c FROM ${this.s}.alerts ${whereClause(where)}
          GROUP BY b, kind ORDER BY b, kind`,
        params,
      ),
      this.pool.query<{ c: string }>(`SELECT count(*) AS c FROM ${this.s}.notifications`),
      counts(`SELECT status AS k, count(*) AS c FROM ${this.s}.cases GROUP BY status`),
    ]);
    return {
      events: Number(events.rows[0].s ?? 0),
      decisions_by_outcome: decisions,
      alerts_by_kind: kinds,
      alerts_by_severity: severities,
      alerts_over_time: buckets.rows.map((r) => ({ bucket_start: new Date(Number(r.b)).toISOString(), kind: r.kind, count: Number(r.c) })),
      notifications: Number(notifications.rows[0].c),
      cases_by_status: cases,
    };
  }

  async listCases(q: CaseQuery): Promise<CasePage> {
    const n = normalizeCaseQuery(q);
    const params: (string | number)[] = [];
    const where: string[] = [];
    if (n.status !== undefined) where.push(`c.status = $${params.push(n.status)}`);
    if (n.beforeN !== undefined) where.push(`c.n < $${params.push(n.beforeN)}`);
    const r = await this.pool.query<{ n: string; body: Omit<Case, 'log'>; log: CaseLogEntry[] | null }>(
      `SELECT c.n, c.body, (SELECT jsonb_agg(l.body ORDER BY l.seq) FROM ${this.s}.case_log l WHERE l.case_id = c.case_id) AS log
         FROM ${this.s}.cases c ${whereClause(where)} ORDER BY c.n DESC LIMIT $${params.push(n.limit + 1)}`,
      params,
    );
    const { page, last } = takePage(r.rows, n.limit);
    return {
      cases: page.map((row) => ({ ...row.body, log: row.log ?? [] })),
      next_cursor: last ? encodeCaseCursor(Number(last.n)) : undefined,
    };
  }

  async getCase(caseId: string): Promise<Case | undefined> {
    return this.oneCase('c.case_id = $1', caseId);
  }

  async findOpenCase(subject: Case['subject']): Promise<Case | undefined> {
    return this.oneCase(`c.subject = $1 AND c.status <> 'closed'`, subjectKey(subject));
  }

  private async oneCase(where: string, param: string): Promise<Case | undefined> {
    const r = await this.pool.query<{ body: Omit<Case, 'log'>; log: CaseLogEntry[] | null }>(
      `SELECT c.body, (SELECT jsonb_agg(l.body ORDER BY l.seq) FROM ${this.s}.case_log l WHERE l.case_id = c.case_id) AS log
         FROM ${this.s}.cases c WHERE ${where}`,
      [param],
    );
    const row = r.rows[0];
    return row ? { ...row.body, log: row.log ?? [] } : undefined;
  }

  async newCaseId(): Promise<string> {
    const r = await this.pool.query<{ c: string }>(`SELECT count(*) AS c FROM ${this.s}.cases`);
    return `case_${Number(r.rows[0].c) + 1}`;
  }

  async saveCase(c: Case, expectedLogLength: number): Promise<boolean> {
    const { log, ...head } = c;
    if (log.length < expectedLogLength) throw new RangeError(`case ${c.case_id}: its log has ${log.length} entries, fewer than the ${expectedLogLength} stored; a log only grows`);
    return this.tx(async (client) => {
      const written =
        expectedLogLength === 0
          ? await client.query(
              `INSERT INTO ${this.s}.cases (case_id, subject, status, version, body) VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING`,
              [c.case_id, subjectKey(c.subject), c.status, log.length, JSON.stringify(head)],
            )
          : await client.query(`UPDATE ${this.s}.cases SET status = $1, version = $2, body = $3::jsonb WHERE case_id = $4 AND version = $5`, [
              c.status,
              log.length,
              JSON.stringify(head),
              c.case_id,
              expectedLogLength,
            ]);
      if (written.rowCount === 0) return false;
      const added = log.slice(expectedLogLength);
      if (added.length > 0) {
        await client.query(
          `INSERT INTO ${this.s}.case_log (case_id, seq, body) SELECT $1, seq, body::jsonb FROM unnest($2::int[], $3::text[]) AS u(seq, body)`,
          [c.case_id, added.map((e) => e.seq), added.map((e) => JSON.stringify(e))],
        );
      }
      return true;
    });
  }

  async saveSnapshot(seq: number, state: Buffer): Promise<void> {
    // Only the newest snapshot is ever loaded; older ones would only grow the table.
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO ${this.s}.snapshots (seq, state) VALUES ($1, $2) ON CONFLICT (seq) DO UPDATE SET state = EXCLUDED.state, saved_at = now()`,
        [seq, state],
      );
      await c.query(`DELETE FROM ${this.s}.snapshots WHERE seq < $1`, [seq]);
    });
  }

  async loadSnapshot(): Promise<{ seq: number; state: Buffer } | undefined> {
    const r = await this.pool.query<{ seq: string; state: Buffer }>(`SELECT seq, state FROM ${this.s}.snapshots ORDER BY seq DESC LIMIT 1`);
    const row = r.rows[0];
    return row ? { seq: Number(row.seq), state: row.state } : undefined;
  }

  async *eventsAfter(seq: number): AsyncIterable<StoredEvent> {
    let after = seq;
    for (;;) {
      const r = await this.pool.query<{ seq: string; t: string; body: StoredEvent['event'] }>(
        `SELECT seq, t, body FROM ${this.s}.events WHERE seq > $1 ORDER BY seq LIMIT ${EVENTS_PAGE}`,
        [after],
      );
      for (const row of r.rows) yield { seq: Number(row.seq), t: Number(row.t), event: row.body };
      if (r.rows.length < EVENTS_PAGE) return;
      after = Number(r.rows[r.rows.length - 1].seq);
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

function push(cols: unknown[][], ...values: unknown[]): void {
  values.forEach((v, i) => cols[i].push(v));
}

function alertTsMs(a: Alert): number {
  const ms = Date.parse(a.ts);
  if (Number.isNaN(ms)) throw new Error(`alert ${a.alert_id}: ts is not an ISO 8601 time: ${JSON.stringify(a.ts)}`);
  return ms;
}
