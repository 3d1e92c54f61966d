import { useState } from 'react';
import { jst, label, yen } from '../format';
import { href } from '../router';
import type { CampaignSummary } from '../types';
import { useApi } from '../useApi';
import { ErrorBox, LinkRow } from './common';

export function Campaigns() {
  // A credential-stuffing source alone is a campaign without accounts; the desk starts from the others.
  const [all, setAll] = useState(false);
  const r = useApi<{ campaigns: CampaignSummary[]; total: number }>(`/v1/campaigns?limit=200&min_accounts=${all ? 0 : 1}`);
  return (
    <>
      <h1>Campaigns</h1>
      <p className="muted">
        Alerts linked by shared accounts, networks, devices, symbols and time: hijacked accounts, the symbols they were made to buy, the beneficiaries who sold into
        it. Largest yen at stake first.{' '}
        <label className="inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> include campaigns without accounts (e.g. a stuffing source)
        </label>
      </p>
      {r.error ? <ErrorBox error={r.error} /> : null}
      {r.data ? (
        <>
          <table>
            <thead>
              <tr>
                <th>campaign</th>
                <th>first → last alert (JST)</th>
                <th>alerts</th>
                <th>hijacked</th>
                <th>beneficiaries</th>
                <th>symbols</th>
                <th>networks</th>
                <th className="num">yen moved</th>
                <th className="num">yen protected</th>
                <th className="num">beneficiary profit</th>
              </tr>
            </thead>
            <tbody>
              {r.data.campaigns.map((c) => (
                <LinkRow key={c.campaign_id} to={`campaigns/${c.campaign_id}`}>
                  <td>
                    <a href={href(`campaigns/${c.campaign_id}`)}>{c.campaign_id}</a>
                  </td>
                  <td className="nowrap">
                    {jst(c.first_ts)} → {jst(c.last_ts).slice(5)}
                  </td>
                  <td title={Object.entries(c.alert_kinds).map(([k, v]) => `${label(k)} ${v}`).join(', ')}>{c.alerts}</td>
                  <td>{c.hijacked_accounts.length}</td>
                  <td>{c.beneficiary_accounts.length}</td>
                  <td>{c.symbols.join(' ') || '–'}</td>
                  <td>{c.networks.length + c.asns.length}</td>
                  <td className="num">{yen(c.yen_moved)}</td>
                  <td className="num good">{yen(c.yen_protected)}</td>
                  <td className="num">{yen(c.beneficiary_profit_jpy)}</td>
                </LinkRow>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            {r.data.campaigns.length} of {r.data.total} shown
          </p>
        </>
      ) : (
        <p className="muted">loading…</p>
      )}
    </>
  );
}
