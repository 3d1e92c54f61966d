import { hash, timingSafeEqual } from 'node:crypto';

/** Longest Authorization header looked at; anything longer is refused unread. */
export const MAX_AUTHORIZATION_CHARS = 1024;

/**
 * Build a checker for `Authorization: Bearer <token>`. Both sides are hashed first so the comparison
 * takes the same time whatever the length or content of the guess (no timing oracle on the token).
 */
export function checkBearer(token: string): (header: string | undefined) => boolean {
  const expected = hash('sha256', token, 'buffer');
  return (header) => {
    if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_CHARS) return false;
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(hash('sha256', m[1]!, 'buffer'), expected);
  };
}
