import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, qs } from '../api';
import { jst, label } from '../format';
import { go, href } from '../router';
import type { Alert, Summary } from '../types';
import { useApi } from '../useApi';
import { ErrorBox, Severity } from './common';

const FILTERS = ['kind', 'severity', 'account_id', 'symbol', 'campaign_id'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function Alerts({ params }: { params: URLSearchParams }) {
  const filters: Filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]));
  const key = qs(filters);
  const kinds = useApi<Summary>('/v1/summary?bucket=day');
  const [rows, setRows] = useState<Alert[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);

  const load = async (after?: string) => {
    setLoading(true);
    try {
      const page = await api<{ alerts: Alert[]; next_cursor?: string }>(`/v1/alerts${qs({ ...filters, limit: 100, cursor: after })}`);
      setRows((r) => (after ? [...r, ...page.alerts] : page.alerts));
      setCursor(page.next_cursor);
      setError(undefined);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setRows([]);
    void load();
  }, [key]);

  return (
    <>
      <h1>Alerts</h1>
      <FilterBar filters={filters} kinds={Object.keys(kinds.data?.alerts_by_kind ?? {}).sort()} />
      {error ? <ErrorBox error={error} /> : null}
      <table className="alerts">
        <thead>
          <tr>
            <th>time (JST)</th>
            <th>kind</th>
            <th>severity</th>
            <th>account</th>
            <th>symbol / IP</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.alert_id} className="clickable" onClick={() => go(`alerts/${a.alert_id}`)}>
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
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 && !error ? <p className="muted">No alert matches these filters.</p> : null}
      {cursor ? (
        <button onClick={() => void load(cursor)} disabled={loading}>
          Load more
        </button>
      ) : null}
      {loading ? <p className="muted">loading…</p> : null}
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
