import { useState } from 'react';
import type { ApiError } from '../api';
import { jst, label, yen } from '../format';
import { href } from '../router';
import type { Alert, CampaignSummary } from '../types';
import { useApi } from '../useApi';
import { openCase } from './actions';
import { ErrorBox, Severity } from './common';

function Chips({ items, link }: { items: string[]; link?: (x: string) => string }) {
  if (items.length === 0) return <span className="muted">–</span>;
  return (
    <span className="chips">
      {items.map((x) => (link ? <a key={x} className="chip" href={link(x)}>{x}</a> : <span key={x} className="chip">{x}</span>))}
    </span>
  );
}

export function CampaignView({ id }: { id: string }) {
  const r = useApi<CampaignSummary>(`/v1/campaigns/${encodeURIComponent(id)}`);
  const alerts = useApi<{ alerts: Alert[] }>(`/v1/alerts?campaign_id=${encodeURIComponent(id)}&limit=200`);
  const [actionError, setActionError] = useState<ApiError>();
  if (r.error) return <ErrorBox error={r.error} />;
  const c = r.data;
  if (!c) return <p className="muted">loading…</p>;
  const byAccount = (x: string) => href('alerts', { account_id: x });
  return (
    <>
      <p className="crumbs">
        <a href="#/campaigns">Campaigns</a> / {c.campaign_id}
      </p>
      <h1>Campaign {c.campaign_id}</h1>
      <div className="tiles">
        <div className="tile">
          <div className="k">Yen moved</div>
          <div className="v">{yen(c.yen_moved)}</div>
          <div className="n">hijacked accounts' orders let through</div>
        </div>
        <div className="tile">
          <div className="k">Yen protected</div>
          <div className="v good">{yen(c.yen_protected)}</div>
          <div className="n">held or blocked before execution</div>
        </div>
        <div className="tile">
          <div className="k">Beneficiary profit</div>
          <div className="v">{yen(c.beneficiary_profit_jpy)}</div>
          <div className="n">estimated</div>
        </div>
        <div className="tile">
          <div className="k">Alerts</div>
          <div className="v">{c.alerts}</div>
          <div className="n">
            {jst(c.first_ts)} → {jst(c.last_ts)} JST
          </div>
        </div>
      </div>
      <div className="actions">
        <button onClick={() => openCase({ campaign_id: c.campaign_id }, (alerts.data?.alerts ?? []).map((a) => a.alert_id)).catch((e: unknown) => setActionError(e as ApiError))}>
          Open case on this campaign
        </button>
      </div>
      {actionError ? <ErrorBox error={actionError} /> : null}
      <section className="panel">
        <dl className="facts wide">
          <dt>hijacked accounts</dt>
          <dd>
            <Chips items={c.hijacked_accounts} link={byAccount} />
          </dd>
          <dt>beneficiary accounts</dt>
          <dd>
            <Chips items={c.beneficiary_accounts} link={byAccount} />
          </dd>
          <dt>other accounts</dt>
          <dd>
            <Chips items={c.accounts.filter((a) => !c.hijacked_accounts.includes(a) && !c.beneficiary_accounts.includes(a))} link={byAccount} />
          </dd>
          <dt>symbols</dt>
          <dd>
            <Chips items={c.symbols} link={(s) => href('alerts', { symbol: s })} />
          </dd>
          <dt>networks</dt>
          <dd>
            <Chips items={c.networks} />
          </dd>
          <dt>ASNs</dt>
          <dd>
            <Chips items={c.asns} />
          </dd>
          <dt>devices</dt>
          <dd>
            <Chips items={c.devices} />
          </dd>
          <dt>alert kinds</dt>
          <dd>{Object.entries(c.alert_kinds).map(([k, v]) => `${label(k)} ${v}`).join(' · ')}</dd>
        </dl>
      </section>
      <section className="panel">
        <h2>Alerts raised under this campaign id</h2>
        <table>
          <tbody>
            {(alerts.data?.alerts ?? []).map((a) => (
              <tr key={a.alert_id}>
                <td className="nowrap">
                  <a href={href(`alerts/${a.alert_id}`)}>{jst(a.ts)}</a>
                </td>
                <td>{label(a.kind)}</td>
                <td>
                  <Severity s={a.severity} />
                </td>
                <td>{[a.account_id, a.symbol].filter(Boolean).join(' ')}</td>
                <td className="why">{a.reasons[0]?.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
