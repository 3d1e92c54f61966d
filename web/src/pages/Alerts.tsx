import { useEffect, useState, type FormEvent } from 'react';
import { qs } from '../api';
import { jst, label } from '../format';
import { go, href } from '../router';
import type { Alert, Summary } from '../types';
import { useApi } from '../useApi';
import { ErrorBox, Head, LinkRow, LoadMore, Severity, useCursorList } from './common';

const FILTERS = ['kind', 'severity', 'account_id', 'symbol', 'campaign_id'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function Alerts({ params }: { params: URLSearchParams }) {
  const filters: Filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]));
  const kinds = useApi<Summary>('/v1/summary?bucket=day');
  const list = useCursorList<Alert>(`/v1/alerts${qs({ ...filters, limit: 100 })}`, 'alerts');

  return (
    <>
      <h1>Alerts</h1>
      <FilterBar filters={filters} kinds={Object.keys(kinds.data?.alerts_by_kind ?? {}).sort()} />
      {list.error ? <ErrorBox error={list.error} /> : null}
      <table className="alerts">
        <Head cols={['time (JST)', 'kind', 'severity', 'account', 'symbol / IP', 'why']} />
        <tbody>
          {list.rows.map((a) => (
            <LinkRow key={a.alert_id} to={`alerts/${a.alert_id}`}>
              <td className="nowrap">
                <a href={href(`alerts/${a.alert_id}`)}>{jst(a.ts)}</a>
              </td>
              <td>{label(a.kind)}</td>
              <td>
                <Severity s={a.severity} score={a.score} />
              </td>
              <td>{a.account_id ?? '–'}</td>
              <td>{[a.symbol, a.ip].filter(Boolean).join(' ') || '–'}</td>
              <td className="why">{a.reasons[0] ? `${a.reasons[0].code}: ${a.reasons[0].detail}` : ''}</td>
            </LinkRow>
          ))}
        </tbody>
      </table>
      {!list.loading && list.rows.length === 0 && !list.error ? <p className="muted">No alert matches these filters.</p> : null}
      <LoadMore list={list} />
    </>
  );
}

function FilterBar({ filters, kinds }: { filters: Filters; kinds: string[] }) {
  const [f, setF] = useState<Filters>(filters);
  useEffect(() => setF(filters), [JSON.stringify(filters)]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    go('alerts', f);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value || undefined });
  return (
    <form className="filters" onSubmit={apply}>
      <select value={f.kind ?? ''} onChange={set('kind')} aria-label="kind">
        <option value="">every kind</option>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {label(k)}
          </option>
        ))}
      </select>
      <select value={f.severity ?? ''} onChange={set('severity')} aria-label="severity">
        <option value="">every severity</option>
        {['critical', 'high', 'medium', 'low'].map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
      <input placeholder="account" value={f.account_id ?? ''} onChange={set('account_id')} aria-label="account" />
      <input placeholder="symbol" value={f.symbol ?? ''} onChange={set('symbol')} aria-label="symbol" />
      <input placeholder="campaign" value={f.campaign_id ?? ''} onChange={set('campaign_id')} aria-label="campaign" />
      <button type="submit">Filter</button>
      <button type="button" className="link" onClick={() => go('alerts')}>
        clear
      </button>
    </form>
  );
}
