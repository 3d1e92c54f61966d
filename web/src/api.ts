/** The console's only way to the server: the JSON API under /v1 with the user's bearer token. */

const TOKEN_KEY = 'kabuguard.token';
const ACTOR_KEY = 'kabuguard.actor';

/** Fired when the server refuses the token, so the console asks for it again. */
export const UNAUTHORIZED_EVENT = 'kabuguard:unauthorized';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The token comes from `#token=…` in the address (then removed from it) or what the user typed.
 * It lives in sessionStorage: closing the tab forgets it.
 */
export function takeTokenFromAddress(): void {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return;
  try {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
  } catch {
    // A mangled link (a stray `%`): the token gate asks for the token instead of the page failing to start.
  }
  history.replaceState(null, '', location.pathname + location.search + '#/');
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (t: string): void => sessionStorage.setItem(TOKEN_KEY, t);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);
/** The reviewer's name, recorded as the actor of case actions (the token is shared by the desk). */
export const getActor = (): string => localStorage.getItem(ACTOR_KEY) ?? '';
export const setActor = (a: string): void => localStorage.setItem(ACTOR_KEY, a);

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? getToken() ?? ''}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `the server answered ${res.status} with something that is not JSON`);
  }
  if (res.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? `HTTP ${res.status}`, e?.field);
  }
  return json as T;
}

/** A query string from the set values only. */
export function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
