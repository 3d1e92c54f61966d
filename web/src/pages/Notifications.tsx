import { useState, type FormEvent } from 'react';
import { qs } from '../api';
import { jst, label } from '../format';
import { go, href } from '../router';
import type { Notification } from '../types';
import { ErrorBox, Head, LoadMore, useCursorList } from './common';

export function Notifications({ params }: { params: URLSearchParams }) {
  const account = params.get('account_id') ?? undefined;
  const list = useCursorList<Notification>(`/v1/notifications${qs({ account_id: account, limit: 200 })}`, 'notifications');
  const [input, setInput] = useState(account ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go('notifications', { account_id: input.trim() || undefined });
  };
  return (
    <>
      <h1>Customer notifications</h1>
      <p className="muted">What the broker must tell its customers (JSDA: notify logins and important operations), in the order kabuguard recorded them.</p>
      <form className="filters" onSubmit={submit}>
        <input placeholder="account" value={input} onChange={(e) => setInput(e.target.value)} aria-label="account" />
        <button type="submit">Filter</button>
      </form>
      {list.error ? <ErrorBox error={list.error} /> : null}
      <table>
        <Head cols={['time (JST)', 'account', 'template', 'message']} />
        <tbody>
          {list.rows.map((n) => (
            <tr key={n.notification_id}>
              <td className="nowrap">{jst(n.ts)}</td>
              <td>
                <a href={href('alerts', { account_id: n.account_id })}>{n.account_id}</a>
              </td>
              <td>{label(n.template)}</td>
              <td className="why">{n.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <LoadMore list={list} />
    </>
  );
}
