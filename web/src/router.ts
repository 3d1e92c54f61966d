import { useEffect, useState } from 'react';

export interface Route {
  /** Path segments after `#/`, e.g. ['alerts', 'al_123']. */
  parts: string[];
  params: URLSearchParams;
}

function parse(): Route {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, query] = h.split('?');
  return { parts: (path ?? '').split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query ?? '') };
}

/** Hash routes (`#/alerts?kind=…`): the server serves one page, and a link can be pasted into a case note. */
export function useRoute(): Route {
  const [r, setR] = useState(parse);
  useEffect(() => {
    const on = () => setR(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

export const go = (path: string, params: Record<string, string | undefined> = {}): void => {
  location.hash = href(path, params);
};
