import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { jst, label, yen } from '../format';
import { href } from '../router';
import { NEXT_STATUS, type Case } from '../types';
import { useApi } from '../useApi';
import { actorOrThrow } from './actions';
import { subjectOf } from './Cases';
import { ErrorBox, Fact, Head, Status } from './common';

export function CaseView({ id }: { id: string }) {
  const r = useApi<Case>(`/v1/cases/${encodeURIComponent(id)}`);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  if (r.error) return <ErrorBox error={r.error} />;
  const c = r.data;
  if (!c) return <p className="muted">loading…</p>;

  const post = async (path: string, body: Record<string, unknown>) => {
    setBusy(true);
    try {
      await api<Case>(`/v1/cases/${encodeURIComponent(c.case_id)}/${path}`, { method: 'POST', body: { ...body, actor: actorOrThrow() } });
      setError(undefined);
      r.reload();
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const closed = c.status === 'closed';
  const totals = Object.values(c.restitution).reduce((t, x) => ({ loss: t.loss + x.loss_jpy, comp: t.comp + x.compensation_jpy }), { loss: 0, comp: 0 });

  return (
    <>
      <p className="crumbs">
        <a href="#/cases">Cases</a> / {c.case_id}
      </p>
      <h1>
        {c.case_id} <Status s={c.status} />
      </h1>
      <dl className="facts">
        <Fact term="subject">
          {'campaign_id' in c.subject ? <a href={href(`campaigns/${c.subject.campaign_id}`)}>{subjectOf(c)}</a> : <a href={href('alerts', { account_id: c.subject.account_id })}>{subjectOf(c)}</a>}
        </Fact>
        <Fact term="opened (JST)">{jst(c.opened_at, true)}</Fact>
        <Fact term="assignee">{c.assignee ?? <span className="muted">unassigned</span>}</Fact>
        <Fact term="accounts">{c.accounts.join(', ') || '–'}</Fact>
        <Fact term="alerts">
          {c.alert_ids.length === 0
            ? '–'
            : c.alert_ids.slice(0, 30).map((a, i) => (
                <span key={a}>
                  {i ? ', ' : ''}
                  <a href={href(`alerts/${a}`)}>{a}</a>
                </span>
              ))}
          {c.alert_ids.length > 30 ? ` and ${c.alert_ids.length - 30} more` : ''}
        </Fact>
      </dl>
      {error ? <ErrorBox error={error} /> : null}
      {!closed ? (
        <section className="panel">
          <h2>Work the case</h2>
          <div className="actions">
            {NEXT_STATUS[c.status].map((to) => (
              <TransitionButton key={to} to={to} busy={busy} onGo={() => post('transition', { to })} />
            ))}
          </div>
          <OneField label="Assign to" placeholder="name" busy={busy} onSubmit={(v) => post('assign', { assignee: v })} />
          <OneField label="Add a note" placeholder="what you found or did" busy={busy} onSubmit={(v) => post('notes', { text: v })} />
          {c.status === 'confirmed' ? <LossForm accounts={c.accounts} busy={busy} onSubmit={(b) => post('losses', b)} /> : null}
          {c.status !== 'confirmed' ? <p className="muted small">Victim losses are recorded once the case is confirmed.</p> : null}
        </section>
      ) : null}
      <section className="panel">
        <h2>Victim loss and restitution</h2>
        {Object.keys(c.restitution).length ? (
          <table>
            <thead>
              <tr>
                <th>account</th>
                <th className="num">loss</th>
                <th className="num">fees</th>
                <th className="num">compensation</th>
                <th className="num">victim still bears</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(c.restitution).map(([acct, x]) => (
                <tr key={acct}>
                  <td>{acct}</td>
                  <td className="num">{yen(x.loss_jpy)}</td>
                  <td className="num">{yen(x.fees_jpy)}</td>
                  <td className="num good">{yen(x.compensation_jpy)}</td>
                  <td className="num">{yen(x.residual_jpy)}</td>
                </tr>
              ))}
              <tr className="total">
                <td>total</td>
                <td className="num">{yen(totals.loss)}</td>
                <td />
                <td className="num good">{yen(totals.comp)}</td>
                <td />
              </tr>
            </tbody>
          </table>
        ) : (
          <p className="muted">No loss recorded. The default policy pays back 50 % of the loss plus the fees of the unauthorized trades (2025 practice of the online brokers).</p>
        )}
      </section>
      <section className="panel">
        <h2>Audit trail</h2>
        <table className="log">
          <Head cols={['#', 'when (JST)', 'who', 'action', 'detail']} />
          <tbody>
            {c.log.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td className="nowrap">{jst(e.at, true)}</td>
                <td>{e.actor}</td>
                <td>{label(e.action)}</td>
                <td className="why">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

const VERB: Record<string, string> = {
  investigating: 'Start investigating',
  confirmed: 'Confirm takeover / fraud',
  false_positive: 'Mark false positive',
  closed: 'Close case',
};

function TransitionButton({ to, busy, onGo }: { to: string; busy: boolean; onGo: () => Promise<boolean> }) {
  return (
    <button disabled={busy} className={to === 'false_positive' ? 'secondary' : ''} onClick={() => void onGo()}>
      {VERB[to] ?? label(to)}
    </button>
  );
}

function OneField({ label: l, placeholder, busy, onSubmit }: { label: string; placeholder: string; busy: boolean; onSubmit: (v: string) => Promise<boolean> }) {
  const [v, setV] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await onSubmit(v.trim())) setV('');
  };
  return (
    <form className="row" onSubmit={submit}>
      <label>
        {l} <input value={v} placeholder={placeholder} onChange={(e) => setV(e.target.value)} aria-label={l} />
      </label>
      <button type="submit" disabled={busy || !v.trim()}>
        {l.split(' ')[0]}
      </button>
    </form>
  );
}

function LossForm({ accounts, busy, onSubmit }: { accounts: string[]; busy: boolean; onSubmit: (b: Record<string, unknown>) => Promise<boolean> }) {
  const [account, setAccount] = useState(accounts[0] ?? '');
  const [loss, setLoss] = useState('');
  const [fees, setFees] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await onSubmit({ account_id: account, loss_jpy: Number(loss), fees_jpy: fees ? Number(fees) : undefined });
    if (ok) {
      setLoss('');
      setFees('');
    }
  };
  return (
    <form className="row" onSubmit={submit}>
      <label>
        Victim{' '}
        <select value={account} onChange={(e) => setAccount(e.target.value)} aria-label="victim account">
          {accounts.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        loss ¥ <input inputMode="numeric" value={loss} onChange={(e) => setLoss(e.target.value)} aria-label="loss in yen" />
      </label>
      <label>
        fees ¥ <input inputMode="numeric" value={fees} onChange={(e) => setFees(e.target.value)} aria-label="fees in yen" />
      </label>
      <button type="submit" disabled={busy || !account || !loss}>
        Record loss
      </button>
    </form>
  );
}
