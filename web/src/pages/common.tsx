import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api';
import { label } from '../format';
import { go } from '../router';

export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div className="error" role="alert">
      <b>{error.code}</b>: {error.message}
      {error.field ? <> (field <code>{error.field}</code>)</> : null}
    </div>
  );
}

export function Severity({ s, score }: { s: string; score?: number }) {
  return (
    <span className={`badge sev-${s}`}>
      {s}
      {score !== undefined ? ` ${score.toFixed(2)}` : ''}
    </span>
  );
}

export function Decision({ d }: { d: string }) {
  return <span className={`badge dec-${d}`}>{label(d)}</span>;
}

export function Status({ s }: { s: string }) {
  return <span className={`badge st-${s}`}>{label(s)}</span>;
}

/** The header row of a table of plain-text column names. */
export function Head({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th key={c}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

/** A row that opens `to` (a hash route) when clicked anywhere; its first cell should still hold a real link, for the keyboard. */
export function LinkRow({ to, children }: { to: string; children: ReactNode }) {
  return (
    <tr className="clickable" onClick={() => go(to)}>
      {children}
    </tr>
  );
}

/** One term of a `<dl className="facts">`. */
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

export interface CursorList<T> {
  rows: T[];
  error?: ApiError;
  loading: boolean;
  /** Fetch the next page; unset on the last page. */
  more?: () => void;
  /** Start again from the first page (after an action added rows). */
  reload: () => void;
}

/**
 * A list the API pages with `next_cursor` (`GET /v1/alerts`, `/v1/notifications`, `/v1/cases`): the
 * first page whenever `path` changes or on `reload()`, the next on `more()`. A page that answers after
 * the list started again is dropped, so a slow answer to old filters never mixes into the new list.
 */
export function useCursorList<T>(path: string, field: string): CursorList<T> {
  const [state, setState] = useState<{ rows: T[]; cursor?: string; error?: ApiError; loading: boolean }>({ rows: [], loading: true });
  // Bumped whenever the list starts again; an answer to an earlier start is stale.
  const epoch = useRef(0);
  const [generation, setGeneration] = useState(0);
  const load = useCallback(
    async (after?: string) => {
      const mine = epoch.current;
      setState((s) => ({ ...s, loading: true }));
      try {
        const page = await api<{ next_cursor?: string } & Record<string, unknown>>(after ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(after)}` : path);
        if (epoch.current !== mine) return;
        const got = page[field] as T[];
        setState((s) => ({ rows: after ? [...s.rows, ...got] : got, cursor: page.next_cursor, loading: false }));
      } catch (err) {
        if (epoch.current !== mine) return;
        setState((s) => ({ ...s, error: err as ApiError, loading: false }));
      }
    },
    [path, field],
  );
  useEffect(() => {
    epoch.current++;
    setState({ rows: [], loading: true });
    void load();
  }, [load, generation]);
  const { cursor } = state;
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { rows: state.rows, error: state.error, loading: state.loading, more: cursor ? () => void load(cursor) : undefined, reload };
}

/** The "Load more" button of a `useCursorList`, and a note while a page is on its way. */
export function LoadMore({ list }: { list: Pick<CursorList<unknown>, 'more' | 'loading'> }) {
  return (
    <>
      {list.more ? (
        <button onClick={list.more} disabled={list.loading}>
          Load more
        </button>
      ) : null}
      {list.loading ? <p className="muted">loading…</p> : null}
    </>
  );
}
