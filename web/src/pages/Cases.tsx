import { qs } from '../api';
import { jst } from '../format';
import { go, href } from '../router';
import type { Case } from '../types';
import { ErrorBox, Head, LinkRow, LoadMore, Status, useCursorList } from './common';

const TABS = ['', 'open', 'investigating', 'confirmed', 'false_positive', 'closed'];

export const subjectOf = (c: Case): string => ('campaign_id' in c.subject ? `campaign ${c.subject.campaign_id}` : `account ${c.subject.account_id}`);

export function Cases({ params }: { params: URLSearchParams }) {
  const status = params.get('status') ?? '';
  const list = useCursorList<Case>(`/v1/cases${qs({ limit: 200, status })}`, 'cases');
  return (
    <>
      <h1>Cases</h1>
      <p className="muted">Open a case from an alert or a campaign. Each case moves open → investigating → confirmed or false positive → closed, and keeps an audit trail.</p>
      <div className="seg">
        {TABS.map((t) => (
          <button key={t} className={t === status ? 'on' : ''} onClick={() => go('cases', { status: t || undefined })}>
            {t ? t.replace('_', ' ') : 'all'}
          </button>
        ))}
      </div>
      {list.error ? <ErrorBox error={list.error} /> : null}
      <table>
        <Head cols={['case', 'subject', 'status', 'assignee', 'opened (JST)', 'accounts', 'alerts', 'last action']} />
        <tbody>
          {list.rows.map((c) => {
            const last = c.log[c.log.length - 1];
            return (
              <LinkRow key={c.case_id} to={`cases/${c.case_id}`}>
                <td>
                  <a href={href(`cases/${c.case_id}`)}>{c.case_id}</a>
                </td>
                <td>{subjectOf(c)}</td>
                <td>
                  <Status s={c.status} />
                </td>
                <td>{c.assignee ?? <span className="muted">unassigned</span>}</td>
                <td className="nowrap">{jst(c.opened_at)}</td>
                <td>{c.accounts.length}</td>
                <td>{c.alert_ids.length}</td>
                <td className="why">{last ? `${last.actor}: ${last.action} ${last.detail}` : ''}</td>
              </LinkRow>
            );
          })}
        </tbody>
      </table>
      {!list.loading && list.rows.length === 0 && !list.error ? <p className="muted">No case{status ? ` is ${status.replace('_', ' ')}` : ' yet'}.</p> : null}
      <LoadMore list={list} />
    </>
  );
}
