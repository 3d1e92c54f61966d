import { useState, type FormEvent } from 'react';
import { api, ApiError, getActor } from '../api';
import { defang } from '../defang';
import { jst, label } from '../format';
import { href } from '../router';
import type { Alert, UrlVerdict } from '../types';
import { ErrorBox, Head, LinkRow, LoadMore, useCursorList } from './common';

const MAX_URLS = 100;

export function Phishing() {
  const reported = useCursorList<Alert>('/v1/alerts?kind=phishing_url&limit=200', 'alerts');
  const [text, setText] = useState('');
  const [verdicts, setVerdicts] = useState<UrlVerdict[]>();
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState<string>();
  const urls = text
    .split(/\s+/)
    .map((u) => u.trim())
    .filter(Boolean);

  const check = async (e: FormEvent) => {
    e.preventDefault();
    setNote(undefined);
    try {
      setVerdicts((await api<{ verdicts: UrlVerdict[] }>('/v1/phish/urls', { method: 'POST', body: { urls: urls.slice(0, MAX_URLS) } })).verdicts);
      setError(undefined);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  // Recorded as url_report events: the phishing detector then raises alerts, linked into campaigns like any other.
  const record = async () => {
    const stamp = new Date().toISOString();
    const events = urls.slice(0, MAX_URLS).map((url, i) => ({ type: 'url_report', id: `console-${Date.now().toString(36)}-${i}`, ts: stamp, url, source: `console:${getActor() || 'unnamed'}` }));
    try {
      const r = await api<{ accepted: number; rejected: number; errors: { line: number; reason: string }[] }>('/v1/events', { method: 'POST', body: events });
      setNote(`${r.accepted} recorded${r.rejected ? `, ${r.rejected} refused: ${r.errors.map((x) => x.reason).join('; ')}` : ''}`);
      setError(undefined);
      reported.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <>
      <h1>Phishing</h1>
      <p className="muted">
        URLs that impersonate Japanese brokers: reported by customers, mail gateways or feeds (<code>url_report</code> events), and the kits behind them. URLs are
        shown defanged and never as links.
      </p>
      <section className="panel">
        <h2>Check URLs</h2>
        <form onSubmit={check}>
          <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} aria-label="URLs to check" placeholder="one URL per line" />
          <div className="row">
            <button type="submit" disabled={urls.length === 0}>
              Check
            </button>
            <button type="button" className="secondary" disabled={urls.length === 0} onClick={() => void record()}>
              Record as reports
            </button>
            {urls.length > MAX_URLS ? <span className="muted">only the first {MAX_URLS} are sent</span> : null}
            {note ? <span className="muted">{note}</span> : null}
          </div>
        </form>
        {error ? <ErrorBox error={error} /> : null}
        {verdicts ? (
          <table className="verdicts">
            <Head cols={['URL', 'verdict', 'brand', 'score', 'kit', 'why']} />
            <tbody>
              {verdicts.map((v, i) => (
                <tr key={i}>
                  <td>
                    <code>{defang(v.url)}</code>
                  </td>
                  <td>
                    <span className={`badge verdict-${v.verdict}`}>{v.verdict}</span>
                  </td>
                  <td>{v.brand ?? '–'}</td>
                  <td>{v.score.toFixed(2)}</td>
                  <td>{v.cluster_id ?? '–'}</td>
                  <td className="why">{v.reasons.map((r) => r.code).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="panel">
        <h2>Reported phishing URLs</h2>
        {reported.error ? <ErrorBox error={reported.error} /> : null}
        <table>
          <Head cols={['time (JST)', 'URL', 'brand', 'verdict', 'kit', 'source']} />
          <tbody>
            {reported.rows.map((a) => {
              const d = (a.data ?? {}) as Record<string, unknown>;
              return (
                <LinkRow key={a.alert_id} to={`alerts/${a.alert_id}`}>
                  <td className="nowrap">
                    <a href={href(`alerts/${a.alert_id}`)}>{jst(a.ts)}</a>
                  </td>
                  <td>
                    <code>{defang(String(d.url ?? ''))}</code>
                  </td>
                  <td>{d.brand ? String(d.brand) : '–'}</td>
                  <td>
                    <span className={`badge verdict-${String(d.verdict)}`}>{label(String(d.verdict ?? a.severity))}</span>
                  </td>
                  <td>{d.cluster_id ? String(d.cluster_id) : '–'}</td>
                  <td>{d.source ? String(d.source) : '–'}</td>
                </LinkRow>
              );
            })}
          </tbody>
        </table>
        {!reported.loading && reported.rows.length === 0 && !reported.error ? <p className="muted">No phishing URL reported yet.</p> : null}
        <LoadMore list={reported} />
      </section>
    </>
  );
}
