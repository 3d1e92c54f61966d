import { FEATURES } from './loginFeatures.js';

/**
 * One account's trusted login history: per feature, up to `MAX_VALUES` values with their counts,
 * stored flat as `[feature, hash, count, …]` (about 60 numbers for a typical customer). Only logins
 * we trust enter it (successful and not challenged, or confirmed later), so an attacker who relayed
 * the customer's SMS code does not teach us that his network is the customer's.
 */
export interface AccountHistory {
  /** Trusted logins counted (decayed by halving when it grows past `MAX_LOGINS`). */
  n: number;
  /** Last trusted login, epoch ms. */
  t: number;
  v: number[];
}

const MAX_VALUES = 6;
// Halving keeps recent habits weighing more than years-old ones and the counts small.
const MAX_LOGINS = 64;

export function newHistory(): AccountHistory {
  return { n: 0, t: 0, v: [] };
}

/** Count of `hash` for `feature` in the history (0 if unseen). */
export function historyCount(h: AccountHistory, feature: number, hash: number): number {
  const v = h.v;
  for (let i = 0; i < v.length; i += 3) if (v[i] === feature && v[i + 1] === hash) return v[i + 2];
  return 0;
}

/** Add one trusted login's feature hashes (index = feature). */
export function addToHistory(h: AccountHistory, hashes: number[], t: number): void {
  if (h.n >= MAX_LOGINS) {
    h.n /= 2;
    for (let i = 2; i < h.v.length; i += 3) h.v[i] /= 2;
  }
  h.n++;
  h.t = Math.max(h.t, t);
  for (let f = 0; f < FEATURES.length; f++) {
    const hash = hashes[f];
    let found = -1;
    let count = 0;
    let weakest = -1;
    for (let i = 0; i < h.v.length; i += 3) {
      if (h.v[i] !== f) continue;
      count++;
      if (h.v[i + 1] === hash) found = i;
      if (weakest < 0 || h.v[i + 2] < h.v[weakest + 2]) weakest = i;
    }
    if (found >= 0) h.v[found + 2]++;
    else if (count < MAX_VALUES) h.v.push(f, hash, 1);
    else {
      // Full: the rarest old value gives way (a network used once a year ago says little).
      h.v[weakest + 1] = hash;
      h.v[weakest + 2] = 1;
    }
  }
}
