/**
 * Behaviour every `ServiceStore` must show, written once and run against each implementation (SQLite,
 * PostgreSQL, and any a deployment adds) so the service can switch stores without changing meaning.
 * Plain `node:assert`, no test framework: a store's own test file wraps each case in its runner.
 */
import assert from 'node:assert/strict';
import type { LoginEvent, MarketTradeEvent } from '../events/schema.js';
import type { Alert, DecisionRecord, Notification } from '../engine/types.js';
import { CaseBook } from '../cases/CaseBook.js';
import type { ProcessedItem, ServiceStore } from './types.js';

export interface StoreConformanceCase {
  name: string;
  /** `open` returns a new, empty store; the case closes it. */
  run(open: () => Promise<ServiceStore>): Promise<void>;
}

const T0 = Date.parse('2025-04-01T00:00:00.000Z');
const iso = (t: number): string => new Date(t).toISOString();

/** A login with its decision, `alerts` alerts and one notification; event `i` happens at T0 + i s. */
export function sampleItem(i: number, opts: { id?: string; account?: string; alerts?: Partial<Alert>[] } = {}): ProcessedItem {
  const t = T0 + i * 1000;
  const id = opts.id ?? `ev${i}`;
  const account = opts.account ?? `A${i % 3}`;
  const event: LoginEvent = {
    type: 'login',
    id,
    ts: iso(t),
    account_id: account,
    login_id_fp: `fp-${account}`,
    ip: '198.51.100.7',
    user_agent: 'Mozilla/5.0',
    channel: 'web',
    outcome: 'success',
    mfa: 'sms',
    session_id: `s-${id}`,
  };
  const decision: DecisionRecord = {
    decision_id: `dec_${id}`,
    decision: i % 2 ? 'step_up' : 'allow',
    required_auth: i % 2 ? 'passkey' : undefined,
    score: (i % 10) / 10,
    reasons: [{ code: 'NEW_ASN', detail: 'AS64500 never seen for this account' }],
    latency_us: 12,
    rules: { login_risk: i % 2 ? 'hit' : 'no_hit' },
    event_id: id,
    type: 'login',
    account_id: account,
    ts: event.ts,
  };
  if (decision.required_auth === undefined) delete decision.required_auth;
  // Through JSON so that an override `{account_id: undefined}` means "no such field", as stored.
  const alerts: Alert[] = (opts.alerts ?? []).map((a, k) =>
    JSON.parse(
      JSON.stringify({
        alert_id: `al_${id}_${k}`,
        ts: event.ts,
        kind: 'account_takeover',
        severity: 'high',
        score: 0.9,
        account_id: account,
        reasons: [{ code: 'NEW_DEVICE', detail: 'first login from this device' }],
        event_ids: [id],
        ...a,
      }),
    ),
  );
  const notifications: Notification[] = [
    { notification_id: `nt_${id}`, ts: event.ts, account_id: account, template: 'LOGIN_NEW_DEVICE', message: 'ログインがありました', event_ids: [id] },
  ];
  return { event, t, decision, alerts, notifications };
}

function marketItem(i: number): ProcessedItem {
  const t = T0 + i * 1000;
  const event: MarketTradeEvent = { type: 'market_trade', id: `mt${i}`, ts: iso(t), symbol: '7992.T', price: 105, qty: 100 };
  return { event, t, alerts: [], notifications: [] };
}

async function withStore(open: () => Promise<ServiceStore>, fn: (s: ServiceStore) => Promise<void>): Promise<void> {
  const s = await open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export const STORE_CONFORMANCE_CASES: StoreConformanceCase[] = [
  {
    name: 'assigns strictly increasing sequence numbers and records a repeated event id only once',
    run: (open) =>
      withStore(open, async (s) => {
        const first = await s.recordBatch([sampleItem(1), sampleItem(2), marketItem(3)]);
        assert.equal(first.length, 3);
        assert.ok(first.every((x) => typeof x === 'number'));
        assert.ok(first[0]! < first[1]! && first[1]! < first[2]!);
        // The same id again, in a later batch and twice inside one batch: stored once.
        const second = await s.recordBatch([sampleItem(1), sampleItem(4), sampleItem(4)]);
        assert.equal(second[0], undefined);
        assert.ok(second[1]! > first[2]!);
        assert.equal(second[2], undefined);
        const found = await s.findEvent('ev1');
        assert.equal(found?.seq, first[0]);
        assert.deepEqual(found?.decision, sampleItem(1).decision);
        assert.deepEqual(await s.findEvent('mt3'), { seq: first[2] });
        assert.equal(await s.findEvent('nope'), undefined);
        // The ignored duplicate did not add a second alert/notification.
        const notes = await s.listNotifications({});
        assert.deepEqual(
          notes.notifications.map((n) => n.notification_id),
          ['nt_ev1', 'nt_ev2', 'nt_ev4'],
        );
      }),
  },
  {
    name: 'records a batch all or nothing: a bad item leaves no trace of the batch',
    run: (open) =>
      withStore(open, async (s) => {
        await s.recordBatch([sampleItem(1)]);
        const bad = sampleItem(3, { alerts: [{ ts: 'yesterday' }] });
        await assert.rejects(s.recordBatch([sampleItem(2), bad]));
        assert.equal(await s.findEvent('ev2'), undefined);
        assert.equal(await s.findEvent('ev3'), undefined);
        assert.equal(await s.getDecision('dec_ev2'), undefined);
        // The store is still usable and numbering continues after the last committed event.
        const [seq] = await s.recordBatch([sampleItem(2)]);
        assert.ok(seq! > (await s.findEvent('ev1'))!.seq);
      }),
  },
  {
    name: 'returns a stored decision by its id',
    run: (open) =>
      withStore(open, async (s) => {
        await s.recordBatch([sampleItem(5)]);
        assert.deepEqual(await s.getDecision('dec_ev5'), sampleItem(5).decision);
        assert.equal(await s.getDecision('dec_missing'), undefined);
      }),
  },
  {
    name: 'filters alerts by kind, account, symbol, campaign, severity and time',
    run: (open) =>
      withStore(open, async (s) => {
        await s.recordBatch([
          sampleItem(1, { account: 'A1', alerts: [{ kind: 'account_takeover', severity: 'high', campaign_id: 'C1' }] }),
          sampleItem(2, { account: 'A2', alerts: [{ kind: 'pump_and_dump', severity: 'critical', symbol: '7992.T', account_id: undefined, campaign_id: 'C1' }] }),
          sampleItem(3, { account: 'A1', alerts: [{ kind: 'credential_stuffing', severity: 'medium', ip: '203.0.113.7' }] }),
          sampleItem(4, { account: 'A3', alerts: [{ kind: 'beneficiary', severity: 'high', symbol: '7992.T', campaign_id: 'C2' }] }),
        ]);
        const ids = async (q: Parameters<ServiceStore['listAlerts']>[0]) => (await s.listAlerts(q)).alerts.map((a) => a.alert_id);
        assert.deepEqual(await ids({}), ['al_ev4_0', 'al_ev3_0', 'al_ev2_0', 'al_ev1_0'], 'newest first by default');
        assert.deepEqual(await ids({ order: 'asc' }), ['al_ev1_0', 'al_ev2_0', 'al_ev3_0', 'al_ev4_0']);
        assert.deepEqual(await ids({ kind: 'pump_and_dump' }), ['al_ev2_0']);
        assert.deepEqual(await ids({ account_id: 'A1' }), ['al_ev3_0', 'al_ev1_0']);
        assert.deepEqual(await ids({ symbol: '7992.T' }), ['al_ev4_0', 'al_ev2_0']);
        assert.deepEqual(await ids({ campaign_id: 'C1' }), ['al_ev2_0', 'al_ev1_0']);
        assert.deepEqual(await ids({ severity: 'high' }), ['al_ev4_0', 'al_ev1_0']);
        assert.deepEqual(await ids({ symbol: '7992.T', campaign_id: 'C2' }), ['al_ev4_0']);
        // since is inclusive, until exclusive; offsets other than Z compare as instants.
        assert.deepEqual(await ids({ since: iso(T0 + 2000), until: iso(T0 + 4000) }), ['al_ev3_0', 'al_ev2_0']);
        assert.deepEqual(await ids({ since: '2025-04-01T09:00:03.000+09:00' }), ['al_ev4_0', 'al_ev3_0']);
        const full = (await s.listAlerts({ kind: 'pump_and_dump' })).alerts[0];
        assert.deepEqual(full, sampleItem(2, { account: 'A2', alerts: [{ kind: 'pump_and_dump', severity: 'critical', symbol: '7992.T', account_id: undefined, campaign_id: 'C1' }] }).alerts[0]);
      }),
  },
  {
    name: 'pages through alerts with a cursor, every alert exactly once, in both orders',
    run: (open) =>
      withStore(open, async (s) => {
        const items: ProcessedItem[] = [];
        // Several alerts share a ts so the cursor must break ties by alert_id.
        for (let i = 0; i < 40; i++) items.push(sampleItem(i, { alerts: [{}, { kind: 'session_hijack' }, { severity: 'low' }] }));
        await s.recordBatch(items);
        for (const order of ['desc', 'asc'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await s.listAlerts({ order, limit: 7, cursor });
            assert.ok(page.alerts.length <= 7);
            seen.push(...page.alerts.map((a) => a.alert_id));
            cursor = page.next_cursor;
            pages++;
          } while (cursor);
          assert.equal(seen.length, 120);
          assert.equal(new Set(seen).size, 120);
          assert.equal(pages, Math.ceil(120 / 7));
          const all = (await s.listAlerts({ order, limit: 1000 })).alerts.map((a) => a.alert_id);
          assert.deepEqual(seen, all);
        }
        const filtered = await s.listAlerts({ kind: 'session_hijack', limit: 30 });
        assert.equal(filtered.alerts.length, 30);
        const rest = await s.listAlerts({ kind: 'session_hijack', limit: 30, cursor: filtered.next_cursor });
        assert.equal(rest.alerts.length, 10);
        assert.equal(rest.next_cursor, undefined);
      }),
  },
  {
    name: 'rejects a malformed alert query with a message naming the parameter',
    run: (open) =>
      withStore(open, async (s) => {
        await assert.rejects(s.listAlerts({ cursor: 'garbage' }), /cursor/);
        await assert.rejects(s.listAlerts({ limit: 0 }), /limit/);
        await assert.rejects(s.listAlerts({ limit: 5000 }), /limit/);
        await assert.rejects(s.listAlerts({ since: 'last tuesday' }), /since/);
        await s.recordBatch([sampleItem(1, { alerts: [{}] }), sampleItem(2, { alerts: [{}] })]);
        const desc = await s.listAlerts({ limit: 1 });
        await assert.rejects(s.listAlerts({ order: 'asc', cursor: desc.next_cursor }), /order/);
      }),
  },
  {
    name: 'lists notifications in recording order, with account and time filters and a cursor',
    run: (open) =>
      withStore(open, async (s) => {
        // Recorded out of event-time order: the outbox still returns them as recorded.
        await s.recordBatch([sampleItem(5), sampleItem(2)]);
        await s.recordBatch([sampleItem(7), sampleItem(3)]);
        const all = await s.listNotifications({});
        assert.deepEqual(
          all.notifications.map((n) => n.notification_id),
          ['nt_ev5', 'nt_ev2', 'nt_ev7', 'nt_ev3'],
        );
        assert.deepEqual(all.notifications[0], sampleItem(5).notifications[0]);
        const p1 = await s.listNotifications({ limit: 3 });
        assert.equal(p1.notifications.length, 3);
        const p2 = await s.listNotifications({ limit: 3, cursor: p1.next_cursor });
        assert.deepEqual(p2.notifications.map((n) => n.notification_id), ['nt_ev3']);
        assert.equal(p2.next_cursor, undefined);
        const a1 = await s.listNotifications({ account_id: 'A1' });
        assert.deepEqual(a1.notifications.map((n) => n.notification_id), ['nt_ev7']);
        const recent = await s.listNotifications({ since: iso(T0 + 4000) });
        assert.deepEqual(recent.notifications.map((n) => n.notification_id), ['nt_ev5', 'nt_ev7']);
      }),
  },
  {
    name: 'keeps the newest engine snapshot',
    run: (open) =>
      withStore(open, async (s) => {
        assert.equal(await s.loadSnapshot(), undefined);
        await s.saveSnapshot(10, Buffer.from([1, 2, 3]));
        await s.saveSnapshot(25, Buffer.from([4, 5, 6, 7]));
        const snap = await s.loadSnapshot();
        assert.equal(snap?.seq, 25);
        assert.deepEqual([...snap!.state], [4, 5, 6, 7]);
      }),
  },
  {
    name: 'streams the events recorded after a sequence number, in order, across many pages',
    run: (open) =>
      withStore(open, async (s) => {
        const items: ProcessedItem[] = [];
        for (let i = 0; i < 2500; i++) items.push(i % 5 ? marketItem(i) : sampleItem(i));
        const seqs = await s.recordBatch(items);
        const all = await collect(s.eventsAfter(0));
        assert.equal(all.length, 2500);
        assert.deepEqual(all.map((e) => e.seq), seqs);
        assert.deepEqual(all[7].event, items[7].event);
        assert.equal(all[7].t, items[7].t);
        const tail = await collect(s.eventsAfter(seqs[2399]!));
        assert.deepEqual(tail.map((e) => e.event.id), items.slice(2400).map((x) => x.event.id));
        assert.deepEqual(await collect(s.eventsAfter(seqs[2499]!)), []);
      }),
  },
  {
    name: 'returns an alert by id and its evidence events in processing order, each with its decision',
    run: (open) =>
      withStore(open, async (s) => {
        await s.recordBatch([sampleItem(1, { alerts: [{ event_ids: ['ev2', 'mt3', 'ev1', 'missing'] }] }), sampleItem(2), marketItem(3)]);
        const alert = await s.getAlert('al_ev1_0');
        assert.deepEqual(alert?.event_ids, ['ev2', 'mt3', 'ev1', 'missing']);
        assert.equal(await s.getAlert('al_nope'), undefined);
        const ev = await s.getEvidence(alert!.event_ids);
        assert.deepEqual(ev.map((e) => e.event.id), ['ev1', 'ev2', 'mt3'], 'recorded ones only, in processing order');
        assert.deepEqual(ev[1].event, sampleItem(2).event);
        assert.deepEqual(ev[1].decision, sampleItem(2).decision);
        assert.equal(ev[2].decision, undefined, 'a market trade takes no decision');
        assert.ok(ev[0].seq < ev[1].seq && ev[1].seq < ev[2].seq);
        assert.deepEqual(await s.getEvidence([]), []);
        await assert.rejects(s.getEvidence(Array.from({ length: 1001 }, (_, i) => `x${i}`)), /event_ids/);
      }),
  },
  {
    name: 'summarizes what it holds: events, decisions by outcome, alerts by kind, severity and time bucket, notifications, cases',
    run: (open) =>
      withStore(open, async (s) => {
        const HOUR = 3_600_000;
        await s.recordBatch([
          sampleItem(1, { alerts: [{ kind: 'account_takeover', severity: 'high' }, { kind: 'pump_and_dump', severity: 'critical' }] }),
          sampleItem(2, { alerts: [{ kind: 'account_takeover', severity: 'medium' }] }),
          sampleItem(3600 + 5, { alerts: [{ kind: 'account_takeover', severity: 'high' }] }),
          marketItem(7),
        ]);
        await s.recordBatch([sampleItem(1)]);
        const book = new CaseBook();
        await s.saveCase(book.open({ account_id: 'A1' }, iso(T0), 'analyst'), 0);
        const sum = await s.summarize({ bucketMs: HOUR });
        assert.equal(sum.events, 4, 'the duplicate is not counted');
        assert.deepEqual(sum.decisions_by_outcome, { allow: 1, step_up: 2 });
        assert.deepEqual(sum.alerts_by_kind, { account_takeover: 3, pump_and_dump: 1 });
        assert.deepEqual(sum.alerts_by_severity, { critical: 1, high: 2, medium: 1 });
        assert.deepEqual(sum.alerts_over_time, [
          { bucket_start: iso(T0), kind: 'account_takeover', count: 2 },
          { bucket_start: iso(T0), kind: 'pump_and_dump', count: 1 },
          { bucket_start: iso(T0 + HOUR), kind: 'account_takeover', count: 1 },
        ]);
        assert.equal(sum.notifications, 3);
        assert.deepEqual(sum.cases_by_status, { open: 1 });
        const late = await s.summarize({ bucketMs: HOUR, since: iso(T0 + HOUR) });
        assert.deepEqual(late.alerts_over_time, [{ bucket_start: iso(T0 + HOUR), kind: 'account_takeover', count: 1 }]);
        assert.equal(late.alerts_by_kind.account_takeover, 3, 'totals are not limited by since/until');
        await assert.rejects(s.summarize({ bucketMs: 10 }), /bucket/);
        await assert.rejects(s.summarize({ bucketMs: 60_000, since: iso(T0), until: iso(T0 + 365 * 24 * HOUR) }), /bucket/);
      }),
  },
  {
    name: 'stores cases with an append-only log, one case per subject until it is closed, refusing stale writes',
    run: (open) =>
      withStore(open, async (s) => {
        assert.equal(await s.newCaseId(), 'case_1');
        const book = new CaseBook({ nextId: () => 'case_1' });
        const opened = book.open({ campaign_id: 'cmp_1' }, iso(T0), 'system', ['V1', 'V2'], ['al_1']);
        assert.equal(await s.saveCase(opened, 0), true);
        assert.deepEqual(await s.getCase('case_1'), opened);
        assert.equal(await s.newCaseId(), 'case_2');
        // A second new case for the same subject, or a case id that is taken, is refused.
        const rival = new CaseBook({ nextId: () => 'case_2' }).open({ campaign_id: 'cmp_1' }, iso(T0), 'other');
        assert.equal(await s.saveCase(rival, 0), false);
        assert.equal(await s.saveCase(opened, 0), false);
        assert.deepEqual(await s.findOpenCase({ campaign_id: 'cmp_1' }), opened);
        assert.equal(await s.findOpenCase({ campaign_id: 'cmp_2' }), undefined);

        const stored = (await s.getCase('case_1'))!;
        const working = new CaseBook({ cases: [stored] });
        working.assign('case_1', 'analyst-a', iso(T0 + 1000), 'lead');
        working.transition('case_1', 'investigating', iso(T0 + 2000), 'analyst-a');
        const moved = working.get('case_1');
        assert.equal(await s.saveCase(moved, stored.log.length), true);
        // Someone else acting on the version read before: refused, nothing written.
        const stale = new CaseBook({ cases: [stored] });
        stale.note('case_1', 'late note', iso(T0 + 3000), 'analyst-b');
        assert.equal(await s.saveCase(stale.get('case_1'), stored.log.length), false);
        const now = (await s.getCase('case_1'))!;
        assert.deepEqual(now, moved);
        assert.equal(now.assignee, 'analyst-a');
        assert.deepEqual(now.log.map((e) => e.action), ['opened', 'assigned', 'status']);

        working.transition('case_1', 'confirmed', iso(T0 + 4000), 'analyst-a');
        working.recordLoss('case_1', 'V1', 1_000_000, 2_000, iso(T0 + 5000), 'analyst-a');
        working.transition('case_1', 'closed', iso(T0 + 6000), 'lead');
        assert.equal(await s.saveCase(working.get('case_1'), now.log.length), true);
        const closed = (await s.getCase('case_1'))!;
        assert.equal(closed.status, 'closed');
        assert.equal(closed.restitution.V1.compensation_jpy, 502_000);
        assert.deepEqual(closed.log.slice(0, 3), now.log, 'earlier entries unchanged');
        // A closed case frees its subject for a new one.
        assert.equal(await s.findOpenCase({ campaign_id: 'cmp_1' }), undefined);
        const again = new CaseBook({ nextId: () => 'case_2' }).open({ campaign_id: 'cmp_1' }, iso(T0 + 7000), 'system');
        assert.equal(await s.saveCase(again, 0), true);
        const acct = new CaseBook({ nextId: () => 'case_3' }).open({ account_id: 'A9' }, iso(T0 + 8000), 'system', ['A9']);
        assert.equal(await s.saveCase(acct, 0), true);

        assert.deepEqual((await s.listCases({})).cases.map((c) => c.case_id), ['case_3', 'case_2', 'case_1'], 'newest first');
        assert.deepEqual((await s.listCases({ status: 'closed' })).cases.map((c) => c.case_id), ['case_1']);
        const p1 = await s.listCases({ limit: 2 });
        assert.deepEqual(p1.cases.map((c) => c.case_id), ['case_3', 'case_2']);
        const p2 = await s.listCases({ limit: 2, cursor: p1.next_cursor });
        assert.deepEqual(p2.cases, [closed]);
        assert.equal(p2.next_cursor, undefined);
        await assert.rejects(s.listCases({ status: 'pending' as never }), /status/);
        await assert.rejects(s.listCases({ cursor: 'garbage' }), /cursor/);
        await assert.rejects(s.saveCase({ ...closed, log: closed.log.slice(0, 2) }, closed.log.length), /only grows/);
      }),
  },
];
