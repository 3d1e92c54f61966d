import { useState } from 'react';
import { HBars, StackedBars } from '../charts';
import { count, DECISION_COLORS, DECISION_ORDER, jst, KIND_COLORS, SEVERITY_ORDER, yen, yenShort } from '../format';
import { go, href } from '../router';
import type { CampaignSummary, Summary } from '../types';
import { useApi } from '../useApi';
import { ErrorBox, LinkRow } from './common';

const SEVERITY_COLORS = { critical: '#8c1c13', high: '#d62728', medium: '#ff7f0e', low: '#9a9a9a' };
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 };

/** Fill the buckets without alerts so time reads left to right at an even pace. */
function toSeries(rows: Summary['alerts_over_time'], bucket: 'hour' | 'day') {
  if (rows.length === 0) return { buckets: [], series: {} };
  const step = BUCKET_MS[bucket];
  const times = rows.map((r) => Date.parse(r.bucket_start));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const buckets: string[] = [];
  for (let t = first; t <= last; t += step) buckets.push(new Date(t).toISOString());
  const totals: Record<string, number> = {};
  for (const r of rows) totals[r.kind] = (totals[r.kind] ?? 0) + r.count;
  const kinds = Object.keys(totals).sort((a, b) => totals[b]! - totals[a]!);
  const series: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, buckets.map(() => 0)]));
  for (const r of rows) series[r.kind]![Math.round((Date.parse(r.bucket_start) - first) / step)] += r.count;
  return { buckets, series };
}

export function Overview() {
  const [bucket, setBucket] = useState<'hour' | 'day'>('hour');
  const s = useApi<Summary>(`/v1/summary?bucket=${bucket}`);
  const camps = useApi<{ campaigns: CampaignSummary[]; total: number }>('/v1/campaigns?limit=1000&min_accounts=1');
  if (s.error) return <ErrorBox error={s.error} />;
  const d = s.data;
  if (!d) return <p className="muted">loading…</p>;
  const alerts = Object.values(d.alerts_by_kind).reduce((a, b) => a + b, 0);
  const decisions = Object.values(d.decisions_by_outcome).reduce((a, b) => a + b, 0);
  const stopped = decisions - (d.decisions_by_outcome.allow ?? 0);
  const activeCases = Object.entries(d.cases_by_status).reduce((a, [k, v]) => (k === 'closed' ? a : a + v), 0);
  const chart = toSeries(d.alerts_over_time, bucket);
  const all = camps.data?.campaigns ?? [];
  const moved = all.reduce((t, c) => t + c.yen_moved, 0);
  const held = all.reduce((t, c) => t + c.yen_protected, 0);
  const top = all.slice(0, 5);
  return (
    <>
      <h1>Overview</h1>
      <div className="tiles">
        <Tile k="Events recorded" v={count(d.events)} n="logins, orders, cash, the market tape…" />
        <Tile k="Alerts" v={count(alerts)} n={`${count(d.alerts_by_severity.critical ?? 0)} critical · ${count(d.alerts_by_severity.high ?? 0)} high`} link="alerts" />
        <Tile
          k="Yen protected"
          v={camps.data ? yenShort(held) : '…'}
          n={
            camps.data
              ? `${held + moved > 0 ? ((100 * held) / (held + moved)).toFixed(1) : '0'} % of the ${yenShort(held + moved)} that accounts flagged as hijacked ordered was held or blocked (${all.length} campaign${all.length === 1 ? '' : 's'})`
              : ''
          }
          link="campaigns"
          good
        />
        <Tile k="Decisions not allowed" v={count(stopped)} n={`of ${count(decisions)} decisions: step-up, hold, block, deny`} />
        <Tile k="Cases being worked" v={count(activeCases)} n={`${count(d.cases_by_status.closed ?? 0)} closed`} link="cases" />
        <Tile k="Customer notifications" v={count(d.notifications)} n="JSDA: logins and important operations" link="notifications" />
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>Alerts over time (JST), by kind</h2>
          <div className="seg">
            {(['hour', 'day'] as const).map((b) => (
              <button key={b} className={b === bucket ? 'on' : ''} onClick={() => setBucket(b)}>
                per {b}
              </button>
            ))}
          </div>
        </div>
        {chart.buckets.length ? <StackedBars buckets={chart.buckets} series={chart.series} colors={KIND_COLORS} title="alerts over time by kind" /> : <p className="muted">no alerts yet</p>}
      </section>
      <div className="cols">
        <section className="panel">
          <h2>Decisions by outcome</h2>
          <HBars data={d.decisions_by_outcome} colors={DECISION_COLORS} order={DECISION_ORDER} />
        </section>
        <section className="panel">
          <h2>Alerts by severity</h2>
          <HBars data={d.alerts_by_severity} colors={SEVERITY_COLORS} order={SEVERITY_ORDER} onPick={(k) => go('alerts', { severity: k })} />
        </section>
        <section className="panel">
          <h2>Alerts by kind</h2>
          <HBars data={d.alerts_by_kind} colors={KIND_COLORS} onPick={(k) => go('alerts', { kind: k })} />
        </section>
      </div>
      <section className="panel">
        <h2>Campaigns with the most yen at stake</h2>
        {top.length ? (
          <table>
            <thead>
              <tr>
                <th>campaign</th>
                <th>first alert (JST)</th>
                <th>hijacked</th>
                <th>beneficiaries</th>
                <th>symbols</th>
                <th className="num">yen moved</th>
                <th className="num">yen protected</th>
              </tr>
            </thead>
            <tbody>
              {top.map((c) => (
                <LinkRow key={c.campaign_id} to={`campaigns/${c.campaign_id}`}>
                  <td>
                    <a href={href(`campaigns/${c.campaign_id}`)}>{c.campaign_id}</a>
                  </td>
                  <td>{jst(c.first_ts)}</td>
                  <td>{c.hijacked_accounts.length}</td>
                  <td>{c.beneficiary_accounts.length}</td>
                  <td>{c.symbols.join(' ') || '–'}</td>
                  <td className="num">{yen(c.yen_moved)}</td>
                  <td className="num good">{yen(c.yen_protected)}</td>
                </LinkRow>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">{camps.error ? camps.error.message : 'no campaign with accounts yet'}</p>
        )}
      </section>
    </>
  );
}

function Tile({ k, v, n, link, good }: { k: string; v: string; n: string; link?: string; good?: boolean }) {
  const body = (
    <>
      <div className="k">{k}</div>
      <div className={good ? 'v good' : 'v'}>{v}</div>
      <div className="n">{n}</div>
    </>
  );
  return link ? (
    <a className="tile" href={`#/${link}`}>
      {body}
    </a>
  ) : (
    <div className="tile">{body}</div>
  );
}
