import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, qs } from '../api';
import { jst, label } from '../format';
import { go, href } from '../router';
import type { Notification } from '../types';
import { ErrorBox } from './common';

export function Notifications({ params }: { params: URLSearchParams }) {
  const account = params.get('account_id') ?? undefined;
  const [rows, setRows] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [input, setInput] = useState(account ?? '');
  const load = async (after?: string) => {
    try {
      const page = await api<{ notifications: Notification[]; next_cursor?: string }>(`/v1/notifications${qs({ account_id: account, limit: 200, cursor: after })}`);
      setRows((r) => (after ? [...r, ...page.notifications] : page.notifications));
      setCursor(page.next_cursor);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  useEffect(() => {
    void load();
  }, [account]);
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
      {error ? <ErrorBox error={error} /> : null}
      <table>
        <thead>
          <tr>
            <th>time (JST)</th>
            <th>account</th>
            <th>template</th>
            <th>message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
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
      {cursor ? <button onClick={() => void load(cursor)}>Load more</button> : null}
    </>
  );
}
