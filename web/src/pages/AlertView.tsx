import { useState } from 'react';
import { ApiError } from '../api';
import { defang } from '../defang';
import { jst, label, yen } from '../format';
import { href } from '../router';
import type { AlertDetail, KgEvent } from '../types';
import { useApi } from '../useApi';
import { openCase } from './actions';
import { Decision, ErrorBox, Fact, Head, Severity } from './common';

/** The fields of an event worth a glance, by event type (contract §1). */
function eventSummary(e: KgEvent): string {
  const f = (k: string) => (e[k] === undefined || e[k] === null ? undefined : String(e[k]));
  const parts: (string | undefined)[] = [];
  switch (e.type) {
    case 'login':
      parts.push(f('outcome'), f('ip'), f('mfa') && `mfa ${f('mfa')}`, f('channel'), f('user_agent')?.slice(0, 60));
      break;
    case 'order':
      parts.push(f('action'), f('side'), f('symbol'), f('qty') && `${f('qty')} sh`, f('order_type'), f('limit_price') && `@ ¥${f('limit_price')}`, f('ip'));
      break;
    case 'execution':
      parts.push(f('side'), f('symbol'), f('qty') && `${f('qty')} sh`, f('price') && `@ ¥${f('price')}`);
      break;
    case 'market_trade':
      parts.push(f('symbol'), f('qty') && `${f('qty')} sh`, f('price') && `@ ¥${f('price')}`, f('aggressor'));
      break;
    case 'cash':
      parts.push(f('direction'), typeof e.amount === 'number' ? yen(e.amount) : f('amount'), f('ip'));
      break;
    case 'account_change':
      parts.push(f('field'), f('ip'));
      break;
    case 'url_report':
      parts.push(f('url') && defang(f('url')!), f('source'));
      break;
    default:
      break;
  }
  return parts.filter(Boolean).join(' · ');
}

function showData(k: string, v: unknown): string {
  if (typeof v === 'number' && /jpy|yen/i.test(k)) return yen(v);
  // A phishing alert's URL and its site's registered domain: shown so nobody opens one by accident.
  if ((k === 'url' || k === 'domain') && typeof v === 'string') return defang(v);
  if (k === 'matched_urls' && Array.isArray(v)) return v.map((u) => defang(String(u))).join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function AlertView({ id }: { id: string }) {
  const r = useApi<AlertDetail>(`/v1/alerts/${encodeURIComponent(id)}`);
  const [actionError, setActionError] = useState<ApiError>();
  if (r.error) return <ErrorBox error={r.error} />;
  if (!r.data) return <p className="muted">loading…</p>;
  const { alert: a, evidence, evidence_missing } = r.data;
  const act = (subject: { campaign_id: string } | { account_id: string }) => () =>
    openCase(subject, [a.alert_id]).catch((err: unknown) => setActionError(err as ApiError));
  const campaign = r.data.campaign_id_now ?? a.campaign_id;
  return (
    <>
      <p className="crumbs">
        <a href="#/alerts">Alerts</a> / {a.alert_id}
      </p>
      <h1>
        {label(a.kind)} <Severity s={a.severity} score={a.score} />
      </h1>
      <dl className="facts">
        <Fact term="time (JST)">{jst(a.ts, true)}</Fact>
        {a.window ? <Fact term="window">{jst(a.window.start, true)} → {jst(a.window.end, true)}</Fact> : null}
        {a.account_id ? <Fact term="account"><a href={href('alerts', { account_id: a.account_id })}>{a.account_id}</a></Fact> : null}
        {a.symbol ? <Fact term="symbol"><a href={href('alerts', { symbol: a.symbol })}>{a.symbol}</a></Fact> : null}
        {a.ip ? <Fact term="IP">{a.ip}</Fact> : null}
        {campaign ? (
          <Fact term="campaign">
            <a href={href(`campaigns/${campaign}`)}>{campaign}</a>
            {r.data.campaign_id_now && r.data.campaign_id_now !== a.campaign_id ? <span className="muted"> (raised as {a.campaign_id}, since merged)</span> : null}
          </Fact>
        ) : null}
        {a.detector ? <Fact term="detector">{a.detector}</Fact> : null}
      </dl>
      <div className="actions">
        {a.account_id ? <button onClick={act({ account_id: a.account_id })}>Open case on account {a.account_id}</button> : null}
        {campaign ? <button onClick={act({ campaign_id: campaign })}>Open case on campaign</button> : null}
      </div>
      {actionError ? <ErrorBox error={actionError} /> : null}
      <section className="panel">
        <h2>Why</h2>
        <ul className="reasons">
          {a.reasons.map((x, i) => (
            <li key={i}>
              <code>{x.code}</code> {x.detail}
            </li>
          ))}
        </ul>
        {a.data && Object.keys(a.data).length ? (
          <dl className="facts">
            {Object.entries(a.data).map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{label(k)}</dt>
                <dd>{showData(k, v)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </section>
      <section className="panel">
        <h2>
          Evidence: {evidence.length} event{evidence.length === 1 ? '' : 's'}
          {evidence_missing > 0 ? <span className="muted"> ({evidence_missing} cited but not in this store)</span> : null}
        </h2>
        <table className="evidence">
          <Head cols={['time (JST)', 'type', 'account', 'what', 'kabuguard decided']} />
          <tbody>
            {evidence.map(({ event: e, decision: d }) => (
              <tr key={e.id}>
                <td className="nowrap">{jst(e.ts, true)}</td>
                <td>{label(e.type)}</td>
                <td>{e.account_id ?? '–'}</td>
                <td className="why">{eventSummary(e)}</td>
                <td>
                  {d ? (
                    <>
                      <Decision d={d.decision} />
                      {d.required_auth ? <span className="muted"> {d.required_auth}</span> : null}
                      {d.reasons.length ? <div className="small muted">{d.reasons.map((x) => x.code).join(', ')}</div> : null}
                    </>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
