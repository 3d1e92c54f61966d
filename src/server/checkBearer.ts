import { createHash, timingSafeEqual } from 'node:crypto';

/** Longest Authorization header looked at; anything longer is refused unread. */
export const MAX_AUTHORIZATION_CHARS = 1024;

/**
 * Build a checker for `Authorization: Bearer <token>`. Both sides are hashed first so the comparison
 * takes the same time whatever the length or content of the guess (no timing oracle on the token).
 */
export function checkBearer(token: string): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_CHARS) return false;
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(createHash('sha256').update(m[1]!).digest(), expected);
  };
}
