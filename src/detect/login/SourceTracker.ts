/**
 * Attack-side evidence learned online across all accounts: for every login source (an IP, its /24,
 * its ASN, a user agent, a device, a submitted-password fingerprint) decayed counts of attempts,
 * failures, unknown login ids and the distinct accounts tried, failed and entered. Credential stuffing
 * and password spraying show up here long before any single account looks odd: one IP failing on
 * many accounts, one password tried on many accounts (spraying), one client string or network
 * dominated by failures, or a spread of many IPs that each try a few (low and slow).
 *
 * State is plain data (Maps of plain objects) so the engine can snapshot it.
 */

export type SourceKind = 'ip' | 'net' | 'asn' | 'ua' | 'dev' | 'pw';

export interface SourceStat {
  /** Last update, epoch ms (counts below are decayed to this time). */
  t: number;
  att: number;
  fail: number;
  unk: number;
  /** Decayed count of distinct login ids attempted / failed / logged into. */
  dAcc: number;
  dFail: number;
  dSucc: number;
  /** Recent distinct login-id fingerprints, newest last (bounded). */
  acc: string[];
  failAcc: string[];
  succAcc: string[];
  /** Epoch ms the source was judged a stuffing source in the current episode, 0 if not. */
  flagged: number;
  /** Last failure, epoch ms (an episode ends after a quiet gap). */
  lastFail: number;
  /** Last trusted successful login from this source, epoch ms (set by the caller, who knows the decision). */
  lastSucc: number;
  /** Evidence of the current episode: failed login event ids (bounded). */
  ev: string[];
  /** For clusters (not `ip`): IPs that failed in the current episode (bounded). */
  ips: string[];
  /** Accounts that failed in the current episode (bounded): the accounts under attack. */
  accts: string[];
  /** Why it was flagged, e.g. `12 accounts failed, 92 % of 26 attempts`. */
  why: string;
  /** Set when the flag came from outside evidence (a failure wave) rather than this source's own counts. */
  via?: 'wave';
}

export interface SourceThresholds {
  /** Decay half-life of the counts, ms. */
  halfLifeMs: number;
  /** Distinct accounts failing needed to flag. */
  minFailedAccounts: number;
  /** Share of attempts that failed needed to flag. */
  minFailRatio: number;
}

/**
 * Defaults per kind. An IP failing on 5 accounts within hours is rare for a customer (even behind a
 * corporate NAT the failures are mostly of one person); a network, ASN or client string needs far more
 * and must be dominated by failures, since busy residential ISPs and common browsers carry thousands
 * of honest typos. A password fingerprint failing on 5 different accounts is spraying whatever its ratio.
 */
export const DEFAULT_SOURCE_THRESHOLDS: Record<SourceKind, SourceThresholds> = {
  ip: { halfLifeMs: 3 * 3600_000, minFailedAccounts: 5, minFailRatio: 0.5 },
  net: { halfLifeMs: 6 * 3600_000, minFailedAccounts: 10, minFailRatio: 0.7 },
  asn: { halfLifeMs: 6 * 3600_000, minFailedAccounts: 25, minFailRatio: 0.75 },
  ua: { halfLifeMs: 6 * 3600_000, minFailedAccounts: 25, minFailRatio: 0.75 },
  // Long memory: one attacker machine entering several customers' accounts over days is the mark
  // of a takeover crew, and devices are not shared between customers.
  dev: { halfLifeMs: 3 * 86_400_000, minFailedAccounts: 5, minFailRatio: 0.5 },
  pw: { halfLifeMs: 24 * 3600_000, minFailedAccounts: 5, minFailRatio: 0 },
};

const ACC_CAP = 24;
const EV_CAP = 50;
const IPS_CAP = 200;
const ACCTS_CAP = 50;

export interface LoginAttempt {
  id: string;
  login_id_fp: string;
  account_id: string | null;
  ip: string;
  outcome: 'success' | 'bad_password' | 'unknown_account' | 'locked' | 'mfa_failed';
}

export class SourceTracker {
  /** kind → key → stats. */
  stats: Record<SourceKind, Map<string, SourceStat>> = { ip: new Map(), net: new Map(), asn: new Map(), ua: new Map(), dev: new Map(), pw: new Map() };
  private lastSweep = 0;

  constructor(
    private readonly thresholds: Record<SourceKind, SourceThresholds> = DEFAULT_SOURCE_THRESHOLDS,
    /** Quiet time after the last failure that ends a stuffing episode. */
    private readonly episodeGapMs = 6 * 3600_000,
  ) {}

  /** Current stats of a source, decayed to `t` (read-only view; undefined if never seen). */
  get(kind: SourceKind, key: string, t: number): SourceStat | undefined {
    const s = this.stats[kind].get(key);
    if (s) this.decay(kind, s, t);
    return s;
  }

  /** Mark a source as a stuffing source from outside evidence (e.g. an orphan failure in a wave). */
  flag(kind: SourceKind, key: string, t: number, why: string): void {
    const s = this.stats[kind].get(key);
    if (!s || s.flagged) return;
    s.flagged = t;
    s.lastFail = Math.max(s.lastFail, t);
    s.why = why;
    s.via = 'wave';
  }

  /** Is the source in a stuffing episode at time `t`? */
  isFlagged(kind: SourceKind, key: string, t: number): SourceStat | undefined {
    const s = this.stats[kind].get(key);
    if (!s || !s.flagged) return undefined;
    if (t - s.lastFail > this.episodeGapMs) return undefined;
    return s;
  }

  /**
   * Count one login attempt against a source; returns true when this attempt made the source a
   * stuffing source (start of an episode).
   */
  record(kind: SourceKind, key: string, a: LoginAttempt, t: number): boolean {
    const map = this.stats[kind];
    let s = map.get(key);
    if (!s) {
      s = { t, att: 0, fail: 0, unk: 0, dAcc: 0, dFail: 0, dSucc: 0, acc: [], failAcc: [], succAcc: [], flagged: 0, lastFail: 0, lastSucc: 0, ev: [], ips: [], accts: [], why: '' };
      map.set(key, s);
    } else {
      this.decay(kind, s, t);
    }
    const failed = a.outcome !== 'success';
    if (s.flagged && failed && t - s.lastFail > this.episodeGapMs) {
      // A new episode: the old evidence belongs to the old alert.
      s.flagged = 0;
      s.via = undefined;
      s.ev = [];
      s.ips = [];
      s.accts = [];
    }
    s.att++;
    if (pushDistinct(s.acc, a.login_id_fp)) s.dAcc++;
    if (a.outcome === 'success') {
      if (pushDistinct(s.succAcc, a.login_id_fp)) s.dSucc++;
    } else if (a.outcome === 'bad_password' || a.outcome === 'unknown_account') {
      // `locked` and `mfa_failed` are not guesses: a lock is our own answer, an MFA failure means the
      // password was right (counted for the account, not as stuffing of the source).
      s.fail++;
      if (a.outcome === 'unknown_account') s.unk++;
      if (pushDistinct(s.failAcc, a.login_id_fp)) s.dFail++;
      s.lastFail = t;
      if (s.ev.length < EV_CAP) s.ev.push(a.id);
      if (kind !== 'ip' && s.ips.length < IPS_CAP && !s.ips.includes(a.ip)) s.ips.push(a.ip);
      if (a.account_id && s.accts.length < ACCTS_CAP && !s.accts.includes(a.account_id)) s.accts.push(a.account_id);
    }
    if (!s.flagged && failed) {
      const th = this.thresholds[kind];
      const ratio = s.fail / s.att;
      const unkRatio = s.unk / s.att;
      // Unknown login ids are the mark of a combo list: customers mistype passwords far more often
      // than they mistype their id, so a source trying many unknown ids flags at the ratio bar alone.
      if (s.dFail >= th.minFailedAccounts - 0.01 && (ratio >= th.minFailRatio || unkRatio >= 0.3)) {
        s.flagged = t;
        s.why = `${Math.round(s.dFail)} accounts failed, ${Math.round(ratio * 100)} % of ${Math.round(s.att)} attempts failed, ${Math.round(s.unk)} unknown login ids`;
        return true;
      }
    }
    this.sweep(t);
    return false;
  }

  private decay(kind: SourceKind, s: SourceStat, t: number): void {
    const dt = t - s.t;
    if (dt <= 0) return;
    const f = Math.pow(2, -dt / this.thresholds[kind].halfLifeMs);
    s.att *= f;
    s.fail *= f;
    s.unk *= f;
    s.dAcc *= f;
    s.dFail *= f;
    s.dSucc *= f;
    s.t = t;
  }

  /** Forget sources that went quiet (bounded memory: only recently active sources are kept). */
  private sweep(t: number): void {
    if (t - this.lastSweep < 3600_000) return;
    this.lastSweep = t;
    for (const kind of Object.keys(this.stats) as SourceKind[]) {
      const horizon = Math.max(4 * this.thresholds[kind].halfLifeMs, this.episodeGapMs);
      for (const [k, s] of this.stats[kind]) if (t - s.t > horizon && t - s.lastFail > this.episodeGapMs) this.stats[kind].delete(k);
    }
  }
}

/** Push `v` if absent (bounded, oldest dropped); true if it was new. */
function pushDistinct(list: string[], v: string): boolean {
  if (list.includes(v)) return false;
  if (list.length >= ACC_CAP) list.shift();
  list.push(v);
  return true;
}
