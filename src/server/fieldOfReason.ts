/**
 * The first field a validation reason names. `validateEvent` and the stores phrase reasons as
 * "field `ip`: …" or "limit: …"; the 400 body carries the field separately so clients need not parse.
 */
export function fieldOfReason(reason: string): string | undefined {
  const m = /^field `([^`]+)`/.exec(reason) ?? /^([a-z_][a-z0-9_]*): /i.exec(reason);
  if (!m || m[1] === '(root)') return undefined;
  return m[1];
}
