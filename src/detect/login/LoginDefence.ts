import type { AccountChangeEvent, CashEvent, DecisionEvent, KgEvent, LoginEvent, OrderEvent } from '../../events/schema.js';
import type { Alert, AlertContext, AssessContext, Detector, ObserveContext, Reason, RuleResult } from '../../engine/types.js';
import type { SessionInfo } from '../../engine/WorldState.js';
import { UNKNOWN_IP, type IpInfo } from '../../intel/IpIntel.js';
import { networkOf } from '../../intel/parseIp.js';
import { defaultPolicy, type Policy } from '../../policy/index.js';
import { addToHistory, historyCount, newHistory, type AccountHistory } from './AccountHistory.js';
import { draftNotification } from './draftNotification.js';
import { extractLoginFeatures, F, hash31, hashAsn, type LoginFeatures } from './loginFeatures.js';
import { parseUserAgent, type UserAgentInfo } from './parseUserAgent.js';
import { addToGlobal, asnShareForClient, DEFAULT_RISK_WEIGHTS, globalKey, newGlobalCounts, scoreLoginRisk, type GlobalCounts, type LoginRisk, type RiskWeights, type SourceEvidence } from './scoreLoginRisk.js';
import { FailureWave, type WaveState } from './FailureWave.js';
import { DEFAULT_SOURCE_THRESHOLDS, SourceTracker, type SourceKind, type SourceStat, type SourceThresholds } from './SourceTracker.js';

export interface LoginDefenceOptions {
  /** Decision policy (see `src/policy`). Default: `defaultPolicy()` (JSDA/JFSA 2025). */
  policy?: Policy;
  /** IP → ASN/country/hosting lookup, e.g. `loadIpIntel().lookup`. Default: everything unknown. */
  ipLookup?: (ip: string) => IpInfo;
  /** Risk model weights. Default `DEFAULT_RISK_WEIGHTS`. */
  weights?: Partial<RiskWeights>;
  /** Stuffing thresholds per source kind. Default `DEFAULT_SOURCE_THRESHOLDS`. */
  sourceThresholds?: Partial<Record<SourceKind, SourceThresholds>>;
  /**
   * A challenged login's network and device enter the history only after this long without a hold
   * or alert on the account (we never see whether the step-up passed). Default 7 days.
   */
  trustAfterMs?: number;
  /**
   * How long after a risky login its session's actions count toward an account takeover. Default
   * 48 h: a slow crew keeps the relayed session open and acts the next day.
   */
  episodeMs?: number;
}

/** Plain-data state of one account. */
interface AccountDef {
  hist: AccountHistory;
  /** Successful but challenged logins waiting to be trusted: feature hashes and time. */
  pend?: { t: number; h: number[] }[];
  /** Consecutive password failures: per device key, and for the whole account. */
  lock?: { dev: Record<string, { n: number; until: number }>; n: number; until: number };
  bank?: { t: number; id: string; risky: boolean };
  ep?: Episode;
  /** Last account_takeover alert on the account from any detector, epoch ms. */
  atoT?: number;
  /** Last hold or alert on the account (blocks trusting pending logins), epoch ms. */
  flagT?: number;
  last?: { t: number; country: string; asn: number; id: string; ip: string };
}

/** A risky login and what its session did since: the evidence of a takeover. */
interface Episode {
  t: number;
  session: string;
  score: number;
  ev: string[];
  actions: Record<string, number>;
  reasons: Reason[];
  ip: string;
  asn: number;
  ua: string;
  device?: string;
  stuffing: string[];
  alerted: boolean;
  /** The login came from a device already in the customer's trusted history. */
  ownDevice?: boolean;
  /** Symbols whose whole position the session sold. */
  soldOut?: string[];
}

const EPISODE_EV_CAP = 40;
/**
 * How far back a newly recognised stuffing address's successful logins are named. A low-and-slow
 * run is recognised hours after its first hits (address counts decay over 3 h, an episode ends
 * after 6 h quiet, a failure wave needs a baseline), and the same address may carry a run over a
 * day; 48 h covers that and matches the session horizon of a takeover episode, while proxy and
 * dynamic addresses are reassigned within days, so older successes through them say little.
 */
const STUFFED_LOOKBACK_MS = 48 * 3600_000;
/** Successes kept per address for the look-back (a stuffing address enters few accounts). */
const STUFFED_PER_IP = 8;
/** A network used by at least this share of all trusted logins is an everyday one (a big carrier or ISP). */
const COMMON_NETWORK_SHARE = 0.05;
/** How long an address or device used in a takeover stays suspect. */
const BAD_INFRA_MS = 14 * 86_400_000;
const STRONG_ACTIONS: ReadonlySet<string> = new Set(['contact_change', 'bank_change', 'withdrawal', 'liquidation', 'session_mismatch']);
/** Stuffing evidence specific to the attacker (not a network or client string shared with customers). */
const DIRECT_STUFFING: ReadonlySet<string> = new Set(['STUFFING_IP', 'PASSWORD_SPRAY', 'STUFFING_DEVICE']);
/** Session actions that name a takeover on their own after a risky login. */
const SELF_EVIDENT_ACTIONS: ReadonlySet<string> = new Set(['contact_change', 'bank_change', 'session_mismatch']);
/**
 * Login reasons that are evidence about the attacker, not only novelty to this customer. Failure
 * rates of a whole ASN or client string and shared sources flagged as stuffing are left out: they
 * carry honest customers too.
 */
const ATTACK_SIDE_CODES: ReadonlySet<string> = new Set(['KNOWN_ATTACKER_INFRA', 'DEVICE_SHARED', 'IP_SHARED', 'AUTOMATED_CLIENT', 'IP_FAILURES', 'TOR_EXIT', 'VPN_NETWORK', 'HOSTING_NETWORK', 'STUFFING_WAVE']);
/**
 * Evidence that the password came from the attacker's own machine: its address, device or password
 * seen failing or succeeding across other accounts, or a script. The customer's own failures (a
 * forgotten password) are not in it.
 */
const STOLEN_CREDENTIAL_CODES: ReadonlySet<string> = new Set(['KNOWN_ATTACKER_INFRA', 'DEVICE_SHARED', 'IP_SHARED', 'AUTOMATED_CLIENT', 'TOR_EXIT', 'STUFFING_WAVE', ...DIRECT_STUFFING]);
const PHISHING_RESISTANT = new Set(['passkey', 'pki']);
const SENSITIVE_FIELDS = new Set(['email', 'phone', 'notification', 'mfa', 'password', 'bank_account']);

/** Weight of each kind of session action in the takeover evidence (combined as independent signals). */
const ACTION_WEIGHT: Record<string, number> = {
  contact_change: 0.5,
  bank_change: 0.6,
  withdrawal: 0.5,
  liquidation: 0.45,
  sell: 0.15,
  buy: 0.1,
  session_mismatch: 0.8,
  impossible_travel: 0.3,
};

/**
 * Login and account defence as one detector (one state, one snapshot): credential stuffing and
 * spraying sources, per-login risk, lockout that attackers cannot turn against customers, session
 * integrity, risky account changes and withdrawals, takeover alerts, and customer notifications.
 * Pure: IP intelligence arrives as a function, time as `ctx.t`.
 */
export class LoginDefence implements Detector {
  readonly name = 'login';
  private policy: Policy;
  private lookup: (ip: string) => IpInfo;
  private weights: RiskWeights;
  private trustAfterMs: number;
  private episodeMs: number;

  private accounts = new Map<string, AccountDef>();
  private global: GlobalCounts = newGlobalCounts();
  private sources: SourceTracker;
  private wave = new FailureWave();
  /** All-network decayed attempts/failures, the baseline for ASN and client failure rates. */
  private base = { t: 0, att: 0, fail: 0 };
  /** IP → {first alert, last implicated} of its current stuffing episode. */
  private ipAlerted = new Map<string, { a: number; last: number }>();
  private hijacked = new Map<string, number>();
  /** `ip:…` / `dev:…` → the takeover it served (time, account). */
  private badInfra = new Map<string, { t: number; account: string }>();
  /** Address → accounts whose sessions it used away from their login network. */
  private sessionIps = new Map<string, string[]>();
  /** Address → recent successful logins through it that looked like an attacker's (look-back when it is flagged). */
  private recentSucc = new Map<string, RecentSuccess[]>();
  /** Cache of parsed user agents (derived data, not state: not snapshotted). */
  private uaCache = new Map<string, UserAgentInfo>();
  /** Computed in `assess`, reused in `observe` of the same event. */
  private memo?: { id: string; x: LoginFeatures; risk: LoginRisk; stuffing: Reason[] };

  constructor(opts: LoginDefenceOptions = {}) {
    this.policy = opts.policy ?? defaultPolicy();
    this.lookup = opts.ipLookup ?? (() => UNKNOWN_IP);
    this.weights = {
      ...DEFAULT_RISK_WEIGHTS,
      ...opts.weights,
      novelty: { ...DEFAULT_RISK_WEIGHTS.novelty, ...opts.weights?.novelty },
      globalRarity: { ...DEFAULT_RISK_WEIGHTS.globalRarity, ...opts.weights?.globalRarity },
    };
    this.trustAfterMs = opts.trustAfterMs ?? 7 * 86_400_000;
    this.episodeMs = opts.episodeMs ?? 48 * 3600_000;
    this.sources = new SourceTracker({ ...DEFAULT_SOURCE_THRESHOLDS, ...opts.sourceThresholds });
  }

  // ───────────────────────────── decisions ─────────────────────────────

  assess(ev: DecisionEvent, ctx: AssessContext): RuleResult[] | undefined {
    switch (ev.type) {
      case 'login':
        return this.assessLogin(ev, ctx.t);
      case 'order':
        return this.assessOrder(ev, ctx);
      case 'account_change':
        return this.assessChange(ev, ctx);
      case 'cash':
        return this.assessCash(ev, ctx);
    }
  }

  private assessLogin(ev: LoginEvent, t: number): RuleResult[] {
    const p = this.policy.login;
    const { x, risk, stuffing } = this.evaluateLogin(ev, t);
    const acct = ev.account_id ? this.accounts.get(ev.account_id) : undefined;
    const out: RuleResult[] = [];
    const strongMfa = PHISHING_RESISTANT.has(ev.mfa);

    // Risk score: step up or deny by the policy thresholds.
    const riskRule: RuleResult = { rule: 'login.risk', outcome: 'no_hit', score: risk.score, reasons: risk.reasons };
    if (risk.score > p.deny_above && risk.scoreWithoutShared > p.deny_above) {
      Object.assign(riskRule, { outcome: 'hit', decision: 'deny' });
    } else if (risk.score > p.step_up_above) {
      if (strongMfa && p.trust_phishing_resistant_mfa) {
        riskRule.reasons = [...risk.reasons, { code: 'PHISHING_RESISTANT_MFA', detail: `risk ${risk.score.toFixed(2)} above ${p.step_up_above}, but the login used ${ev.mfa}` }];
      } else {
        Object.assign(riskRule, { outcome: 'hit', decision: 'step_up', required_auth: p.required_auth });
        riskRule.reasons = [...risk.reasons, { code: 'RISK_ABOVE_STEP_UP', detail: `risk ${risk.score.toFixed(2)} above login.step_up_above ${p.step_up_above}` }];
      }
    }
    out.push(riskRule);

    if (stuffing.length > 0) {
      const success = ev.outcome === 'success';
      const direct = stuffing.some((r) => DIRECT_STUFFING.has(r.code) || r.code === 'STUFFING_WAVE');
      const decision = success ? p.stuffing_success : p.stuffing_attempt;
      // A passkey cannot be stuffed: the customer behind a shared stuffing network still gets in.
      const exempt = success && strongMfa && decision === 'step_up';
      // A shared network or client string flagged as stuffing carries honest customers too: when
      // one of them gets in with the right password, the flag is one more piece of risk (in the
      // score above), not a challenge by itself. An attempt that fails through it is the list.
      const sharedOnly = success && !direct;
      out.push({
        rule: 'login.stuffing',
        outcome: decision === 'allow' || exempt || sharedOnly ? 'no_hit' : 'hit',
        decision,
        required_auth: decision === 'step_up' ? p.required_auth : undefined,
        // The attacker's own address, device or sprayed password says more than a shared source,
        // and a failed attempt through a stuffing source more than a success.
        score: sharedOnly ? risk.score : Math.max(risk.score, stuffing.some((r) => DIRECT_STUFFING.has(r.code)) ? (success ? 0.97 : 0.9) : success ? 0.7 : 0.8),
        reasons: stuffing,
      });
    }

    // Lockout: only the password path of this account on this device (or on devices the account
    // never trusted, after account-wide failures); passkeys stay open so attackers cannot lock out
    // the customer at will.
    if (acct?.lock && !strongMfa) {
      const dk = deviceKey(ev, x);
      const d = acct.lock.dev[dk];
      const knownDevice = x.device !== '' && historyCount(acct.hist, F.device, x.h[F.device]) > 0;
      if (d && d.until > t) {
        out.push({ rule: 'login.lockout', outcome: 'hit', decision: 'deny', score: risk.score, reasons: [{ code: 'PASSWORD_LOCKED_DEVICE', detail: `${d.n} consecutive password failures on this device; password login locked, passkey still allowed` }] });
      } else if (acct.lock.until > t && !knownDevice) {
        out.push({ rule: 'login.lockout', outcome: 'hit', decision: 'deny', score: risk.score, reasons: [{ code: 'PASSWORD_LOCKED_ACCOUNT', detail: `${acct.lock.n} consecutive password failures on this account; password login locked for unknown devices, passkey and known devices still allowed` }] });
      }
    }

    const travel = acct && ev.outcome === 'success' ? this.impossibleTravel(acct, x, t) : undefined;
    if (travel) {
      out.push({ rule: 'login.travel', outcome: strongMfa ? 'no_hit' : 'hit', decision: 'step_up', required_auth: p.required_auth, score: Math.max(risk.score, 0.55), reasons: [travel] });
    }
    return out;
  }

  private evaluateLogin(ev: LoginEvent, t: number): { x: LoginFeatures; risk: LoginRisk; stuffing: Reason[] } {
    if (this.memo?.id === ev.id) return this.memo;
    const x = extractLoginFeatures(ev, t, this.lookup(ev.ip), this.parseUa(ev.user_agent));
    const acct = ev.account_id ? this.accounts.get(ev.account_id) : undefined;
    const stuffing: Reason[] = [];
    const clusters: string[] = [];
    // A network, ASN or client string is shared with honest customers: its flag does not apply to a
    // customer on a device and network the account already trusts.
    const known = acct !== undefined && acct.hist.n > 0 && (historyCount(acct.hist, F.device, x.h[F.device]) > 0 || historyCount(acct.hist, F.asn, x.h[F.asn]) > 0);
    for (const [kind, key] of this.sourceKeys(ev, x)) {
      if (known && CLUSTER_KINDS.has(kind)) continue;
      const s = this.sources.isFlagged(kind, key, t);
      if (!s) continue;
      // An address marked during a failure wave is weaker evidence than one that failed on many accounts itself.
      const r = { code: s.via === 'wave' ? 'STUFFING_WAVE' : STUFFING_CODE[kind], detail: `${describeSource(kind, key, x)} is a credential-stuffing source: ${s.why}` };
      stuffing.push(r);
      if (CLUSTER_KINDS.has(kind)) clusters.push(r.detail);
    }
    const risk = scoreLoginRisk(x, acct?.hist, this.global, this.sourceEvidence(ev, x, acct, t, clusters), this.weights);
    this.memo = { id: ev.id, x, risk, stuffing };
    return this.memo;
  }

  /** User agents repeat across millions of logins; parsing one is a dozen regexes. */
  private parseUa(ua: string): UserAgentInfo {
    let u = this.uaCache.get(ua);
    if (!u) {
      if (this.uaCache.size >= 10_000) this.uaCache.clear();
      u = parseUserAgent(ua);
      this.uaCache.set(ua, u);
    }
    return u;
  }

  private sourceEvidence(ev: LoginEvent, x: LoginFeatures, acct: AccountDef | undefined, t: number, stuffingClusters: string[]): SourceEvidence {
    // Distinct other login ids that got in from the same source while it was remembered (an address
    // is forgotten after hours of silence, a device after days): counts, not decayed rates, since a
    // takeover crew works through its victims over days.
    const others = (s: SourceStat | undefined): number => (s ? s.succAcc.length - (s.succAcc.includes(ev.login_id_fp) ? 1 : 0) : 0);
    const ip = this.sources.get('ip', ev.ip, t);
    const dev = x.device ? this.sources.get('dev', x.device, t) : undefined;
    const baseRatio = this.baseFailRatio(t);
    const excess = (s: SourceStat | undefined): number => (s && s.att >= 20 ? Math.max(0, s.fail / s.att - baseRatio) : 0);
    return {
      ipFailures: ip ? ip.fail : 0,
      ipOtherAccounts: others(ip),
      deviceOtherAccounts: others(dev),
      asnExcessFailRatio: x.info.asn ? excess(this.sources.get('asn', String(x.info.asn), t)) : 0,
      uaExcessFailRatio: excess(this.sources.get('ua', String(x.h[F.ua]), t)),
      accountFailures: acct?.lock?.n ?? 0,
      knownAttacker: this.attackerInfra(ev, x, acct, t),
      stuffingClusters,
      unknownLoginId: ev.outcome === 'unknown_account',
    };
  }

  /**
   * Was this address or device used in a takeover of another account (within the memory window)?
   * An address counts only on a network new to this customer: a corporate gateway or mobile NAT
   * address is shared with honest customers who use it every day.
   */
  private attackerInfra(ev: LoginEvent, x: LoginFeatures, acct: AccountDef | undefined, t: number): string | undefined {
    const other = (m: { t: number; account: string } | undefined) => m !== undefined && t - m.t <= BAD_INFRA_MS && m.account !== ev.account_id;
    const byDev = x.device ? this.badInfra.get(`dev:${x.device}`) : undefined;
    if (other(byDev)) return `device ${x.device.slice(0, 16)} was used in the takeover of account ${byDev!.account}`;
    const knownAsn = acct !== undefined && acct.hist.n > 0 && historyCount(acct.hist, F.asn, x.h[F.asn]) > 0;
    const byIp = this.badInfra.get(`ip:${ev.ip}`);
    if (!knownAsn && other(byIp)) return `${ev.ip} was used in the takeover of account ${byIp!.account}`;
    return undefined;
  }

  /** Campaigns reuse their machines and proxies: remember them once a takeover is established. */
  private markAttackerInfra(account: string, ip: string | undefined, device: string | undefined, t: number): void {
    if (this.badInfra.size >= 50_000) for (const [k, v] of this.badInfra) if (t - v.t > BAD_INFRA_MS) this.badInfra.delete(k);
    if (ip) this.badInfra.set(`ip:${ip}`, { t, account });
    if (device) this.badInfra.set(`dev:${device}`, { t, account });
  }

  private baseFailRatio(t: number): number {
    this.decayBase(t);
    return this.base.att > 50 ? this.base.fail / this.base.att : 0.1;
  }

  private decayBase(t: number): void {
    const f = Math.pow(2, -Math.max(0, t - this.base.t) / (6 * 3600_000));
    this.base.att *= f;
    this.base.fail *= f;
    this.base.t = Math.max(this.base.t, t);
  }

  private sourceKeys(ev: LoginEvent, x: LoginFeatures): [SourceKind, string][] {
    const keys: [SourceKind, string][] = [
      ['ip', ev.ip],
      ['net', x.net],
      ['ua', String(x.h[F.ua])],
    ];
    if (x.info.asn) keys.push(['asn', String(x.info.asn)]);
    if (x.device) keys.push(['dev', x.device]);
    if (ev.secret_fp) keys.push(['pw', ev.secret_fp]);
    return keys;
  }

  private impossibleTravel(acct: AccountDef, x: LoginFeatures, t: number): Reason | undefined {
    const l = acct.last;
    if (!l || !l.country || !x.info.country || l.country === x.info.country) return undefined;
    // Country tables place corporate gateways and VPN exits abroad; a network the customer already
    // uses is not travel. The relayed-phishing login comes from a network new to the account.
    if (historyCount(acct.hist, F.asn, x.h[F.asn]) > 0) return undefined;
    const minutes = (t - l.t) / 60_000;
    if (minutes > this.policy.login.impossible_travel_minutes) return undefined;
    return { code: 'IMPOSSIBLE_TRAVEL', detail: `logged in from ${l.country} (${l.ip}) ${Math.round(minutes)} min earlier, now from ${x.info.country} (${x.ip})` };
  }

  /**
   * A session used from another network than the one that logged in, judged by the threat: a stolen
   * cookie or a relayed (AitM) session is replayed from the attacker's network, which is new to the
   * customer. A move between networks the customer already uses, or onto a carrier that many
   * customers with the same client use, is not evidence of theft.
   */
  private sessionMismatch(ev: OrderEvent | AccountChangeEvent | CashEvent, s: SessionInfo | undefined): Reason | undefined {
    if (!s || s.ip === ev.ip) return undefined;
    const a = this.lookup(s.ip);
    const b = this.lookup(ev.ip);
    const sameNet = networkOf(s.ip) === networkOf(ev.ip);
    const sameAsn = a.asn !== 0 && a.asn === b.asn;
    if (sameNet || sameAsn) return undefined;
    const ua = uaOf(ev);
    const uaChanged = ua !== undefined && ua !== s.user_agent;
    const datacenter = b.hosting || b.vpn || b.tor;
    const hist = this.accounts.get(ev.account_id)?.hist;
    const asnHash = hashAsn(b, ev.ip);
    const usedBefore = hist !== undefined && historyCount(hist, F.asn, asnHash) > 0;
    // Under three trusted logins there is no habit to lean on (the first login seen may be the thief's).
    const habit = hist !== undefined && hist.n >= 3 ? hist : undefined;
    const knownNetwork = habit !== undefined && usedBefore;
    // Country tables place VPN exits and cloud proxies abroad and roaming phones at home, so the
    // login address's country is no reference: what counts is a country the customer never logs in
    // from. Without a history, a change from the login's country counts unless the login came
    // through a datacenter or VPN, whose country means nothing.
    const newCountry =
      b.country !== '' &&
      (habit ? historyCount(habit, F.country, hash31(b.country)) === 0 : a.country !== '' && a.country !== b.country && !(a.hosting || a.vpn || a.tor));
    // The same address driving sessions of other customers that logged in elsewhere: a hijacker's
    // workstation replaying stolen cookies.
    const others = this.sessionIps.get(ev.ip);
    const crossAccount = others !== undefined && others.some((acc) => acc !== ev.account_id);
    if (crossAccount) return describeMismatch(ev, s, a, b, { uaChanged, newCountry, datacenter, usedBefore, cross: `address also drives ${others!.length} other customers' sessions` });
    // Home Wi-Fi, office gateway, own VPN, own carrier: the customer's browser moving between them
    // keeps its client. A cookie copied to another client is theft even on a familiar network.
    if (knownNetwork && !uaChanged) return undefined;
    // A phone leaving Wi-Fi (or its owner's VPN) for its carrier lands on a network a large share
    // of all customers, and of the customers with the same client, use: the broker's home market,
    // whatever geo-IP said of the login address. A replayed cookie with a copied client on such a
    // network is missed here, and left to the login and trading evidence.
    if (!uaChanged && !datacenter && this.everydayNetwork(asnHash, ua ?? s.user_agent)) return undefined;
    // Too young an account to know its networks: a new one alone is no evidence.
    if (!uaChanged && !newCountry && !datacenter && !habit) return undefined;
    return describeMismatch(ev, s, a, b, { uaChanged, newCountry, datacenter, usedBefore, cross: '' });
  }

  /**
   * A network a large share of all trusted logins come from (a big carrier or ISP), unless the
   * customers with this exact client seldom use it (a desktop browser string on a phone carrier).
   */
  private everydayNetwork(asnHash: number, client: string): boolean {
    if (this.globalShare(F.asn, asnHash) < COMMON_NETWORK_SHARE) return false;
    return (asnShareForClient(this.global, asnHash, hash31(client)) ?? 1) >= COMMON_NETWORK_SHARE;
  }

  /** Share of all trusted logins whose feature had this value (0 before 100 trusted logins, as for rarity). */
  private globalShare(feature: number, hash: number): number {
    const total = this.global.total[feature];
    return total <= 100 ? 0 : (this.global.counts.get(globalKey(feature, hash)) ?? 0) / total;
  }

  /** Remember which accounts' sessions an address drove from outside their login network (bounded). */
  private noteSessionIp(ev: OrderEvent | AccountChangeEvent | CashEvent, s: SessionInfo | undefined): void {
    if (!s || s.ip === ev.ip) return;
    let list = this.sessionIps.get(ev.ip);
    if (!list) {
      if (this.sessionIps.size >= 100_000) this.sessionIps.clear();
      list = [];
      this.sessionIps.set(ev.ip, list);
    }
    if (!list.includes(ev.account_id) && list.length < 20) list.push(ev.account_id);
  }

  private sessionRules(ev: OrderEvent | AccountChangeEvent | CashEvent, ctx: AssessContext): { out: RuleResult[]; risk: number; session?: SessionInfo } {
    const s = ctx.world.sessions.get(ev.session_id);
    const out: RuleResult[] = [];
    const mismatch = this.sessionMismatch(ev, s);
    if (mismatch || this.hijacked.has(ev.session_id)) {
      const hold = this.policy.session.hold_on_mismatch;
      out.push({
        rule: 'session.integrity',
        outcome: hold ? 'hit' : 'no_hit',
        decision: 'hold',
        score: 0.95,
        reasons: [mismatch ?? { code: 'SESSION_HIJACKED', detail: `session ${ev.session_id} was already used from a foreign network` }],
      });
    }
    return { out, risk: s?.risk ?? 0, session: s };
  }

  private assessOrder(ev: OrderEvent, ctx: AssessContext): RuleResult[] {
    const { out, risk } = this.sessionRules(ev, ctx);
    const p = this.policy.order;
    if (ev.action !== 'cancel' && risk > p.step_up_login_risk_above) {
      out.push({ rule: 'order.risky_session', outcome: 'hit', decision: 'step_up', required_auth: p.required_auth, score: risk, reasons: [{ code: 'RISKY_SESSION', detail: `order in a session whose login scored ${risk.toFixed(2)} (above order.step_up_login_risk_above ${p.step_up_login_risk_above})` }] });
    }
    return out;
  }

  private assessChange(ev: AccountChangeEvent, ctx: AssessContext): RuleResult[] {
    const { out, risk } = this.sessionRules(ev, ctx);
    const p = this.policy.account_change;
    if (p.hold_fields.includes(ev.field) && risk > p.hold_login_risk_above) {
      out.push({ rule: 'account_change.risky_session', outcome: 'hit', decision: 'hold', score: risk, reasons: [{ code: 'RISKY_SESSION_CHANGE', detail: `${ev.field} change in a session whose login scored ${risk.toFixed(2)} (above account_change.hold_login_risk_above ${p.hold_login_risk_above})` }] });
    } else if (p.step_up_fields.includes(ev.field)) {
      out.push({ rule: 'account_change.strong_auth', outcome: 'hit', decision: 'step_up', required_auth: p.required_auth, score: risk, reasons: [{ code: 'STRONG_AUTH_REQUIRED', detail: `changing ${ev.field} needs ${p.required_auth} (JSDA guideline 2025: phishing-resistant MFA for withdrawal-account changes)` }] });
    }
    return out;
  }

  private assessCash(ev: CashEvent, ctx: AssessContext): RuleResult[] {
    const { out, risk } = this.sessionRules(ev, ctx);
    if (ev.direction !== 'withdrawal') return out;
    const p = this.policy.cash;
    const bank = this.accounts.get(ev.account_id)?.bank;
    const hours = bank ? (ctx.t - bank.t) / 3600_000 : Infinity;
    if (hours <= p.hold_after_bank_change_hours) {
      out.push({ rule: 'cash.recent_bank_change', outcome: 'hit', decision: 'hold', score: Math.max(risk, bank?.risky ? 0.9 : 0.5), reasons: [{ code: 'RECENT_BANK_CHANGE', detail: `withdrawal ${hours.toFixed(1)} h after the withdrawal bank account changed (event ${bank!.id}; cash.hold_after_bank_change_hours ${p.hold_after_bank_change_hours})` }] });
    }
    if (risk > p.hold_login_risk_above) {
      out.push({ rule: 'cash.risky_session', outcome: 'hit', decision: 'hold', score: risk, reasons: [{ code: 'RISKY_SESSION_WITHDRAWAL', detail: `withdrawal in a session whose login scored ${risk.toFixed(2)} (above cash.hold_login_risk_above ${p.hold_login_risk_above})` }] });
    }
    if (p.step_up_every_withdrawal) {
      out.push({ rule: 'cash.strong_auth', outcome: 'hit', decision: 'step_up', required_auth: p.required_auth, score: risk, reasons: [{ code: 'STRONG_AUTH_REQUIRED', detail: `withdrawals need ${p.required_auth} (JSDA guideline 2025)` }] });
    }
    return out;
  }

  // ───────────────────────────── state and alerts ─────────────────────────────

  observe(ev: KgEvent, ctx: ObserveContext): void {
    if (this.wave.state.pending.length > 0) this.settleWave(ctx);
    switch (ev.type) {
      case 'login':
        this.observeLogin(ev, ctx);
        break;
      case 'order':
      case 'account_change':
      case 'cash':
        this.observeAction(ev, ctx);
        break;
      default:
        break;
    }
  }

  private account(id: string): AccountDef {
    let a = this.accounts.get(id);
    if (!a) {
      a = { hist: newHistory() };
      this.accounts.set(id, a);
    }
    return a;
  }

  private observeLogin(ev: LoginEvent, ctx: ObserveContext): void {
    const t = ctx.t;
    const { x, risk, stuffing } = this.evaluateLogin(ev, t);
    this.memo = undefined;
    const failed = ev.outcome === 'bad_password' || ev.outcome === 'unknown_account';
    this.decayBase(t);
    this.base.att++;
    if (failed) this.base.fail++;

    // Attack-side evidence across all accounts, and stuffing episodes.
    const attempt = { id: ev.id, login_id_fp: ev.login_id_fp, account_id: ev.account_id, ip: ev.ip, outcome: ev.outcome };
    const implicated: [SourceKind, string, SourceStat][] = [];
    for (const [kind, key] of this.sourceKeys(ev, x)) {
      const started = this.sources.record(kind, key, attempt, t);
      if (started && CLUSTER_KINDS.has(kind)) this.addClusterBacklog(kind, key, x, ev.ip);
      const s = this.sources.isFlagged(kind, key, t);
      if (s && failed) implicated.push([kind, key, s]);
    }
    const acct = ev.account_id ? this.account(ev.account_id) : undefined;
    const knownDevice = acct !== undefined && x.device !== '' && historyCount(acct.hist, F.device, x.h[F.device]) > 0;
    // An IP or password fingerprint that itself failed on many accounts is proof enough; a shared
    // network or client string only makes the attempt a candidate, judged once we know whether a
    // success followed (a customer who mistyped retries and gets in).
    const direct = implicated.filter(([kind]) => kind === 'ip' || kind === 'pw' || kind === 'dev');
    for (const [kind, key, s] of direct) this.raiseStuffing(kind, key, s, x, ev.ip, ctx);
    const waveOn = this.wave.record(ev.outcome, t);
    if (failed && direct.length === 0 && !knownDevice && (waveOn || implicated.length > 0)) {
      const cluster = implicated[0];
      this.wave.addCandidate({
        id: ev.id,
        ip: ev.ip,
        t,
        device: x.device,
        login_id_fp: ev.login_id_fp,
        unknown: ev.outcome === 'unknown_account',
        why: cluster ? `${describeSource(cluster[0], cluster[1], x)} is a stuffing source (${cluster[2].why})` : undefined,
      });
    }

    if (!ev.account_id || !acct) return;
    const decision = ctx.decision?.decision ?? 'allow';
    const strongMfa = PHISHING_RESISTANT.has(ev.mfa);

    if (ev.outcome === 'bad_password' && !strongMfa) this.countFailure(acct, ev, x, ctx);
    if (ev.outcome !== 'success') return;

    acct.lock = undefined;
    const trusted = decision === 'allow' || (strongMfa && decision !== 'deny');
    const hadHistory = acct.hist.n > 0;
    // Only a login that looks like the list's hit is kept for the look-back: no passkey (a list
    // cannot pass one), a device the account never trusted (or none), and an address and /24 the
    // account never logged in from. The customer's own phone behind a carrier NAT or an office
    // gateway that a stuffing run later shares is left out.
    const listHit = !strongMfa && !knownDevice && historyCount(acct.hist, F.ip, x.h[F.ip]) === 0 && historyCount(acct.hist, F.net, x.h[F.net]) === 0;
    if (listHit) this.noteSuccess(ev, t);
    if (trusted) {
      const ipStat = this.sources.get('ip', ev.ip, t);
      if (ipStat) ipStat.lastSucc = t;
      const devStat = x.device ? this.sources.get('dev', x.device, t) : undefined;
      if (devStat) devStat.lastSucc = t;
      this.maturePending(acct, t, strongMfa ? x.h[F.device] : undefined);
      addToHistory(acct.hist, x.h, t);
      addToGlobal(this.global, x.h);
    } else {
      acct.pend ??= [];
      if (acct.pend.length >= 3) acct.pend.shift();
      acct.pend.push({ t, h: x.h });
    }

    // Country tables put VPN exits and corporate gateways abroad, so "impossible travel" alone is
    // weak: it steps the login up and counts toward a takeover, but raises no alert by itself.
    const travel = this.impossibleTravel(acct, x, t);
    acct.last = { t, country: x.info.country, asn: x.info.asn, id: ev.id, ip: ev.ip };

    // A risky login opens (or replaces) the takeover episode of the account.
    if (!trusted || risk.score > this.policy.login.step_up_above || stuffing.length > 0 || travel) {
      acct.ep = {
        t,
        session: ev.session_id!,
        score: Math.max(risk.score, ctx.decision?.score ?? 0),
        ev: [ev.id],
        actions: travel ? { impossible_travel: 1 } : {},
        reasons: [...risk.reasons, ...stuffing, ...(travel ? [travel] : [])],
        ip: ev.ip,
        asn: x.info.asn,
        ua: ev.user_agent,
        device: ev.device_id,
        stuffing: stuffing.map((r) => r.code),
        alerted: false,
        ownDevice: knownDevice || undefined,
      };
    }

    if (decision === 'deny' && acct.ep?.session === ev.session_id) this.raiseStolenCredentials(ev.account_id, acct, x, ctx);
    // The address is already a named stuffing source (its alert is out): a stepped-up hit is named now.
    const flaggedIp = listHit && this.ipAlerted.has(ev.ip) ? this.sources.isFlagged('ip', ev.ip, t) : undefined;
    if (flaggedIp) this.nameStuffedAccounts(ev.ip, flaggedIp.ev, flaggedIp.why, ctx);

    if (hadHistory && (risk.novel.includes('device') || risk.novel.includes('asn'))) {
      const newDevice = risk.novel.includes('device');
      ctx.notify(
        draftNotification(newDevice ? 'LOGIN_NEW_DEVICE' : 'LOGIN_NEW_NETWORK', ev.account_id, [ev.id], {
          when: ev.ts,
          where: `${x.info.country || '?'} ${x.info.org || x.net}`.trim(),
          client: `${x.ua.browser} / ${x.ua.os}`,
        }),
      );
    }
  }

  private countFailure(acct: AccountDef, ev: LoginEvent, x: LoginFeatures, ctx: ObserveContext): void {
    const p = this.policy.login;
    const t = ctx.t;
    acct.lock ??= { dev: {}, n: 0, until: 0 };
    const dk = deviceKey(ev, x);
    const d = (acct.lock.dev[dk] ??= { n: 0, until: 0 });
    d.n++;
    acct.lock.n++;
    const lockMs = p.lock_hours * 3600_000;
    let locked = false;
    if (d.n === p.lock_after_device_failures) {
      d.until = t + lockMs;
      locked = true;
    }
    if (acct.lock.n === p.lock_after_account_failures) {
      acct.lock.until = t + lockMs;
      locked = true;
    }
    if (locked && ev.account_id) {
      ctx.notify(draftNotification('PASSWORD_LOGIN_LOCKED', ev.account_id, [ev.id], { when: ev.ts }));
    }
  }

  /** Trust challenged logins that stayed quiet long enough, or whose device later proved itself with a passkey. */
  private maturePending(acct: AccountDef, t: number, passkeyDevice: number | undefined): void {
    if (!acct.pend) return;
    const keep: { t: number; h: number[] }[] = [];
    for (const p of acct.pend) {
      const quiet = t - p.t >= this.trustAfterMs && !(acct.flagT !== undefined && acct.flagT >= p.t);
      const proven = passkeyDevice !== undefined && p.h[F.device] === passkeyDevice && !(acct.flagT !== undefined && acct.flagT >= p.t);
      if (quiet || proven) {
        addToHistory(acct.hist, p.h, p.t);
        addToGlobal(this.global, p.h);
      } else if (t - p.t < 4 * this.trustAfterMs) keep.push(p);
    }
    acct.pend = keep.length ? keep : undefined;
  }

  private raiseStuffing(kind: SourceKind, key: string, s: SourceStat, x: LoginFeatures, current: string, ctx: ObserveContext): void {
    // The source's own address list is bounded; the address of this attempt is always a source.
    const ips = kind === 'ip' ? [key] : s.ips.includes(current) ? [...s.ips] : [...s.ips, current];
    for (const ip of ips) {
      const prev = this.ipAlerted.get(ip);
      if (prev && ctx.t - prev.last <= 6 * 3600_000) {
        prev.last = ctx.t;
        continue;
      }
      this.ipAlerted.set(ip, { a: ctx.t, last: ctx.t });
      const ipStat = this.sources.get('ip', ip, ctx.t);
      const evidence = kind === 'ip' ? s.ev : (ipStat?.ev.length ? ipStat.ev : s.ev);
      ctx.raise({
        kind: 'credential_stuffing',
        severity: kind === 'ip' || kind === 'pw' ? 'high' : 'medium',
        score: kind === 'ip' || kind === 'pw' ? 0.95 : 0.85,
        ip,
        window: { start: new Date(s.flagged).toISOString(), end: new Date(ctx.t).toISOString() },
        reasons: [{ code: STUFFING_CODE[kind], detail: `${describeSource(kind, key, x)}: ${s.why}` }],
        event_ids: evidence.slice(0, 50),
        data: {
          source: `${kind}:${kind === 'ua' ? 'hash' + key : key}`,
          asn: kind === 'asn' ? Number(key) : undefined,
          accounts_failed: Math.round(s.dFail),
          attempts: Math.round(s.att),
          unknown_login_ids: Math.round(s.unk),
          accounts_under_attack: [...s.accts],
          cluster_ips: kind === 'ip' ? undefined : s.ips.length,
        },
      });
      this.nameStuffedAccounts(ip, evidence, `${describeSource(kind, key, x)}: ${s.why}`, ctx);
    }
    this.sweepIpAlerts(ctx.t);
  }

  /**
   * When a shared source is found to be stuffing, the addresses that failed through it before the
   * flag become candidates too (a low-and-slow run is mostly over before any threshold is crossed).
   */
  private addClusterBacklog(kind: SourceKind, key: string, x: LoginFeatures, current: string): void {
    const s = this.sources.stats[kind].get(key);
    if (!s) return;
    const why = `${describeSource(kind, key, x)} is a stuffing source (${s.why})`;
    for (const ip of s.ips) {
      if (ip === current) continue;
      const st = this.sources.stats.ip.get(ip);
      if (!st || st.lastFail === 0) continue;
      this.wave.addCandidate({ id: st.ev[st.ev.length - 1] ?? '', ip, t: st.lastFail, device: '', login_id_fp: '', unknown: st.unk > 0, why });
    }
  }

  /** Judge wave candidates whose settle time passed: no later success → the IP is a stuffing source. */
  private settleWave(ctx: ObserveContext): void {
    for (const c of this.wave.takeSettled(ctx.t)) {
      const ip = this.sources.get('ip', c.ip, ctx.t);
      if (ip && ip.lastSucc > c.t) continue;
      // Many failures on one single account from one address is a customer who forgot the password
      // (or a guesser the lockout stops), not a list of credentials.
      if (ip && ip.failAcc.length === 1 && ip.fail >= 2.5) continue;
      // Every login id that failed from the address got in from it afterwards: customers who
      // mistyped and retried (even if the retry was stepped up), not a list.
      if (ip && ip.failAcc.length > 0 && ip.failAcc.every((fp) => ip.succAcc.includes(fp))) continue;
      const dev = c.device ? this.sources.get('dev', c.device, ctx.t) : undefined;
      if (dev && dev.lastSucc > c.t) continue;
      const prev = this.ipAlerted.get(c.ip);
      if (prev && ctx.t - prev.last <= 6 * 3600_000) {
        prev.last = ctx.t;
        continue;
      }
      const context = c.why ?? `during a login-failure wave (${this.wave.state.why})`;
      const why = `${context}; a ${c.unknown ? 'login with an unknown id' : 'failed password'} from ${c.ip} was never followed by a success from that address or device`;
      this.sources.flag('ip', c.ip, ctx.t, why);
      this.ipAlerted.set(c.ip, { a: ctx.t, last: ctx.t });
      ctx.raise({
        kind: 'credential_stuffing',
        severity: 'medium',
        score: 0.8,
        ip: c.ip,
        ts: new Date(ctx.t).toISOString(),
        window: { start: new Date(c.t).toISOString(), end: new Date(ctx.t).toISOString() },
        reasons: [{ code: c.why ? 'STUFFING_CLUSTER' : 'STUFFING_WAVE', detail: why }],
        event_ids: ip?.ev.length ? ip.ev.slice(0, 50) : [c.id],
        data: { source: c.why ? 'cluster' : 'wave', wave_since: new Date(this.wave.state.since || c.t).toISOString(), unknown_login_id: c.unknown },
      });
      this.nameStuffedAccounts(c.ip, ip?.ev.length ? ip.ev : [c.id], why, ctx);
    }
  }

  /** Remember a successful login through an address for the look-back (bounded per address and in time). */
  private noteSuccess(ev: LoginEvent, t: number): void {
    let list = this.recentSucc.get(ev.ip);
    if (!list) {
      if (this.recentSucc.size >= 100_000) this.sweepRecentSuccesses(t);
      list = [];
      this.recentSucc.set(ev.ip, list);
    }
    while (list.length > 0 && (t - list[0].t > STUFFED_LOOKBACK_MS || list.length >= STUFFED_PER_IP)) list.shift();
    list.push({ t, account: ev.account_id!, fp: ev.login_id_fp, id: ev.id, ts: ev.ts, device: ev.device_id, session: ev.session_id });
  }

  private sweepRecentSuccesses(t: number): void {
    for (const [ip, list] of this.recentSucc) if (t - list[list.length - 1].t > STUFFED_LOOKBACK_MS) this.recentSucc.delete(ip);
    if (this.recentSucc.size >= 100_000) this.recentSucc.clear();
  }

  /**
   * The address was just recognised as a credential-stuffing source: the accounts it entered in the
   * look-back window had their password typed from a list, even if their login looked harmless
   * then and the attacker did nothing since. Name each once (the password must be replaced); the
   * decisions already made stay as they were.
   */
  private nameStuffedAccounts(ip: string, flagEvidence: string[], why: string, ctx: ObserveContext): void {
    const list = this.recentSucc.get(ip);
    if (!list) return;
    this.recentSucc.delete(ip);
    const failed = this.sources.stats.ip.get(ip)?.failAcc ?? [];
    for (const s of list) {
      if (ctx.t - s.t > STUFFED_LOOKBACK_MS) continue;
      // An address flagged for failures on this customer's own login id only (a wave or a shared
      // client string made it a candidate) is a customer who mistyped and retried, not a list.
      if (!failed.some((fp) => fp !== s.fp)) continue;
      const acct = this.accounts.get(s.account);
      if (!acct || (acct.atoT !== undefined && ctx.t - acct.atoT <= STUFFED_LOOKBACK_MS)) continue;
      acct.atoT = ctx.t;
      acct.flagT = ctx.t;
      this.markAttackerInfra(s.account, undefined, s.device, ctx.t);
      ctx.raise({
        kind: 'account_takeover',
        severity: 'high',
        score: 0.9,
        account_id: s.account,
        ip,
        ts: new Date(ctx.t).toISOString(),
        window: { start: s.ts, end: new Date(ctx.t).toISOString() },
        reasons: [
          { code: 'STUFFING_SOURCE_SUCCESS', detail: `the right password was entered at ${s.ts} from ${ip}, now recognised as a credential-stuffing source; replace the password` },
          { code: 'STUFFING_IP', detail: why },
        ],
        event_ids: [s.id, ...flagEvidence.filter((id) => id !== s.id).slice(0, 30)],
        data: { session_id: s.session, ip, device_id: s.device, login_event_id: s.id, login_ts: s.ts, stuffing_source: true, linked_stuffing: ['STUFFING_IP'] },
      });
      ctx.notify(draftNotification('PASSWORD_RESET_REQUIRED', s.account, [s.id], { when: s.ts }));
    }
  }

  private sweepIpAlerts(t: number): void {
    if (this.ipAlerted.size < 10_000) return;
    for (const [ip, v] of this.ipAlerted) if (t - v.last > 6 * 3600_000) this.ipAlerted.delete(ip);
  }

  private observeAction(ev: OrderEvent | AccountChangeEvent | CashEvent, ctx: ObserveContext): void {
    const t = ctx.t;
    const acct = this.account(ev.account_id);
    const d = ctx.decision;
    const s = ctx.world.sessions.get(ev.session_id);
    const held = d?.decision === 'hold' || d?.decision === 'block';
    this.noteSessionIp(ev, s);

    if (ev.type === 'account_change') {
      ctx.notify(draftNotification('ACCOUNT_CHANGED', ev.account_id, [ev.id], { when: ev.ts, field: ev.field }));
      if (ev.field === 'bank_account') acct.bank = { t, id: ev.id, risky: (s?.risk ?? 0) > this.policy.account_change.hold_login_risk_above };
    }
    if (held) {
      acct.flagT = t;
      ctx.notify(draftNotification('HOLD_PLACED', ev.account_id, [ev.id], { when: ev.ts, what: describeAction(ev) }));
    }

    const mismatch = d?.reasons.find((r) => r.code === 'SESSION_MISMATCH');
    if (mismatch && !this.hijacked.has(ev.session_id)) {
      this.hijacked.set(ev.session_id, t);
      if (this.hijacked.size > 10_000) for (const [k, v] of this.hijacked) if (t - v > 7 * 86_400_000) this.hijacked.delete(k);
      acct.flagT = t;
      this.markAttackerInfra(ev.account_id, ev.ip, undefined, t);
      ctx.raise({
        kind: 'session_hijack',
        severity: 'high',
        score: 0.95,
        account_id: ev.account_id,
        ip: ev.ip,
        reasons: [mismatch],
        event_ids: s ? [s.login_event_id, ev.id] : [ev.id],
        data: { session_id: ev.session_id, login_ip: s?.ip, ip: ev.ip, asn: this.lookup(ev.ip).asn || undefined, user_agent: uaOf(ev) },
      });
      // A hijacked session is a takeover episode even if its login looked clean.
      let ep = acct.ep;
      if (!ep || ep.session !== ev.session_id) {
        ep = { t, session: ev.session_id, score: s?.risk ?? 0, ev: s ? [s.login_event_id] : [], actions: {}, reasons: [], ip: ev.ip, asn: this.lookup(ev.ip).asn, ua: uaOf(ev) ?? '', stuffing: [], alerted: false };
        acct.ep = ep;
      }
      ep.actions.session_mismatch = 1;
      ep.reasons.push(mismatch);
    }

    const ep = acct.ep;
    if (!ep || ep.session !== ev.session_id || t - ep.t > this.episodeMs) return;
    if (ep.ev.length < EPISODE_EV_CAP) ep.ev.push(ev.id);
    const action = classifyAction(ev, ctx, ep);
    if (action) ep.actions[action] = (ep.actions[action] ?? 0) + 1;
    this.evaluateTakeover(ev.account_id, acct, ctx);
  }

  /**
   * The right password arrived from attacker infrastructure (a stuffing source, an address or device
   * seen in other takeovers, a script) and we refused the login: the account is not entered, but
   * its password is in the attacker's hands and must be replaced, so the takeover is named now.
   * A refusal for novelty alone (a customer abroad on a new laptop) or a lockout raises nothing.
   */
  private raiseStolenCredentials(account_id: string, acct: AccountDef, x: LoginFeatures, ctx: ObserveContext): void {
    const ep = acct.ep!;
    if (ep.alerted || (acct.atoT !== undefined && ctx.t - acct.atoT <= this.episodeMs)) return;
    const evidence = ep.reasons.filter((r) => STOLEN_CREDENTIAL_CODES.has(r.code));
    if (evidence.length === 0) return;
    ep.alerted = true;
    acct.atoT = ctx.t;
    acct.flagT = ctx.t;
    this.markAttackerInfra(account_id, ep.ip, ep.device, ctx.t);
    ctx.raise({
      kind: 'account_takeover',
      severity: 'high',
      score: Math.round(ep.score * 1000) / 1000,
      account_id,
      ip: ep.ip,
      window: { start: new Date(ep.t).toISOString(), end: new Date(ctx.t).toISOString() },
      reasons: [
        { code: 'CREDENTIALS_COMPROMISED', detail: `the account's password was entered correctly from attacker infrastructure (login refused, risk ${ep.score.toFixed(2)}); replace the password` },
        ...evidence.slice(0, 6),
      ],
      event_ids: [...ep.ev],
      data: { session_id: ep.session, ip: ep.ip, asn: ep.asn || undefined, user_agent: ep.ua, device_id: ep.device, stuffing_source: ep.stuffing.length > 0, linked_stuffing: ep.stuffing, login_refused: true, client: `${x.ua.browser} / ${x.ua.os}` },
    });
  }

  /** Raise `account_takeover` once per episode when the login risk and the session's actions add up. */
  private evaluateTakeover(account_id: string, acct: AccountDef, ctx: ObserveContext): void {
    const ep = acct.ep!;
    if (ep.alerted) return;
    if (acct.atoT !== undefined && acct.atoT >= ep.t - this.episodeMs) {
      ep.alerted = true; // another detector already raised it for this episode
      return;
    }
    const kinds = Object.keys(ep.actions);
    if (kinds.length === 0) return;
    // Ordinary trading after a new-device login is what customers do; a takeover shows in what
    // only a thief needs: new contact details, a new bank account, cash out, a sell-off, a session
    // used from elsewhere. Everyday trading after even a very unusual login (a customer abroad or
    // behind a VPN) is not enough. Selling everything or withdrawing to the customer's own bank
    // account after a login that is only new to the customer (first login from the office, a
    // trip) is held by the decisions, not named a takeover, unless a second thief's move follows
    // or the login carried evidence about the attacker (infrastructure seen on other accounts,
    // failures, a script, a listed datacenter or VPN); the trading detector names it when the
    // cash then buys a thin name.
    const attackSide = ep.reasons.some((r) => ATTACK_SIDE_CODES.has(r.code)) || ep.stuffing.some((c) => DIRECT_STUFFING.has(c));
    const strongKinds = kinds.filter((k) => STRONG_ACTIONS.has(k));
    // A thief changes contact details to cut the customer off, so the change names a takeover on
    // its own; but from the customer's own device (a cookie in the trusted history, which a
    // relaying phishing site or a password list cannot present), a traveller or a customer on a new
    // network changing a setting is the likelier story: it needs a second thief's move or
    // attacker-side evidence.
    const selfEvident = kinds.some((k) => SELF_EVIDENT_ACTIONS.has(k) && !(k === 'contact_change' && ep.ownDevice));
    const strong = selfEvident || strongKinds.length >= 2 || (strongKinds.length === 1 && attackSide);
    if (!strong) return;
    let clean = 1 - ep.score;
    for (const k of kinds) clean *= 1 - (ACTION_WEIGHT[k] ?? 0);
    if (ep.stuffing.some((c) => DIRECT_STUFFING.has(c))) clean *= 0.5;
    const score = 1 - clean;
    if (score < this.policy.alerts.account_takeover_min_score) return;
    ep.alerted = true;
    acct.atoT = ctx.t;
    acct.flagT = ctx.t;
    this.markAttackerInfra(account_id, ep.ip, ep.device, ctx.t);
    const reasons: Reason[] = [
      { code: 'RISKY_LOGIN', detail: `login scored ${ep.score.toFixed(2)}` },
      ...ep.reasons.slice(0, 6),
      { code: 'SESSION_ACTIONS', detail: kinds.map((k) => `${k}×${ep.actions[k]}`).join(', ') },
    ];
    ctx.raise({
      kind: 'account_takeover',
      severity: score >= 0.9 ? 'critical' : 'high',
      score: Math.round(score * 1000) / 1000,
      account_id,
      ip: ep.ip,
      window: { start: new Date(ep.t).toISOString(), end: new Date(ctx.t).toISOString() },
      reasons,
      event_ids: [...ep.ev],
      data: { session_id: ep.session, ip: ep.ip, asn: ep.asn || undefined, user_agent: ep.ua, device_id: ep.device, stuffing_source: ep.stuffing.length > 0, linked_stuffing: ep.stuffing, actions: ep.actions },
    });
  }

  onAlert(alert: Alert, ctx: AlertContext): void {
    if ((alert.kind !== 'account_takeover' && alert.kind !== 'session_hijack') || !alert.account_id) return;
    const acct = this.account(alert.account_id);
    if (alert.kind === 'account_takeover') acct.atoT = ctx.t;
    acct.flagT = ctx.t;
    const device = typeof alert.data?.device_id === 'string' ? alert.data.device_id : undefined;
    this.markAttackerInfra(alert.account_id, alert.ip, device, ctx.t);
  }

  snapshot(): LoginDefenceState {
    return { accounts: this.accounts, global: this.global, sources: this.sources.stats, wave: this.wave.state, base: this.base, ipAlerted: this.ipAlerted, hijacked: this.hijacked, sessionIps: this.sessionIps, badInfra: this.badInfra, recentSucc: this.recentSucc };
  }

  restore(state: unknown): void {
    const s = state as LoginDefenceState;
    this.accounts = s.accounts;
    this.global = s.global;
    this.sources.stats = s.sources;
    this.wave.state = s.wave;
    this.base = s.base;
    this.ipAlerted = s.ipAlerted;
    this.hijacked = s.hijacked;
    this.sessionIps = s.sessionIps;
    this.badInfra = s.badInfra;
    // Snapshots taken before the look-back existed restore with an empty one.
    this.recentSucc = s.recentSucc ?? new Map();
    this.memo = undefined;
  }

  /** Accounts with state (for the memory benchmark). */
  get accountCount(): number {
    return this.accounts.size;
  }
}

interface LoginDefenceState {
  accounts: Map<string, AccountDef>;
  global: GlobalCounts;
  sources: SourceTracker['stats'];
  wave: WaveState;
  base: { t: number; att: number; fail: number };
  ipAlerted: Map<string, { a: number; last: number }>;
  hijacked: Map<string, number>;
  sessionIps: Map<string, string[]>;
  badInfra: Map<string, { t: number; account: string }>;
  recentSucc?: Map<string, RecentSuccess[]>;
}

/** A successful login kept for the stuffing look-back. */
interface RecentSuccess {
  t: number;
  account: string;
  /** Login id fingerprint (the address's failures are counted by it). */
  fp: string;
  id: string;
  ts: string;
  device?: string;
  session?: string;
}

const uaOf = (ev: OrderEvent | AccountChangeEvent | CashEvent): string | undefined => (ev.type === 'cash' ? undefined : ev.user_agent);

function describeMismatch(
  ev: OrderEvent | AccountChangeEvent | CashEvent,
  s: SessionInfo,
  a: IpInfo,
  b: IpInfo,
  why: { uaChanged: boolean; newCountry: boolean; datacenter: boolean; usedBefore: boolean; cross: string },
): Reason {
  const what = [
    why.uaChanged ? 'client changed' : '',
    why.newCountry ? `country ${a.country || '?'}→${b.country}, new to this customer` : '',
    why.datacenter ? 'datacenter/VPN network' : '',
    why.cross,
    !why.usedBefore ? 'network never used by this customer' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { code: 'SESSION_MISMATCH', detail: `session ${s.session_id} logged in from ${s.ip}${a.asn ? ` (AS${a.asn})` : ''}, now used from ${ev.ip}${b.asn ? ` (AS${b.asn})` : ''}: ${what}` };
}

/** Source kinds shared by many honest customers. */
const CLUSTER_KINDS: ReadonlySet<SourceKind> = new Set(['net', 'asn', 'ua']);

const STUFFING_CODE: Record<SourceKind, string> = {
  ip: 'STUFFING_IP',
  net: 'STUFFING_NETWORK',
  asn: 'STUFFING_ASN',
  ua: 'STUFFING_CLIENT',
  dev: 'STUFFING_DEVICE',
  pw: 'PASSWORD_SPRAY',
};

function describeSource(kind: SourceKind, key: string, x: LoginFeatures): string {
  switch (kind) {
    case 'ip':
      return `IP ${key}`;
    case 'net':
      return `network ${key}`;
    case 'asn':
      return `AS${key}${x.info.asn === Number(key) && x.info.org ? ` (${x.info.org})` : ''}`;
    case 'ua':
      return 'user agent';
    case 'dev':
      return `device ${key.slice(0, 16)}`;
    case 'pw':
      return 'one password tried on many accounts';
  }
}

/** Lockout key: the device cookie, else client string + network (what an attacker must change to retry). */
function deviceKey(ev: LoginEvent, x: LoginFeatures): string {
  return ev.device_id ? `d:${ev.device_id}` : `u:${hash31(ev.user_agent + '|' + x.net)}`;
}

function classifyAction(ev: OrderEvent | AccountChangeEvent | CashEvent, ctx: ObserveContext, ep: Episode): string | undefined {
  switch (ev.type) {
    case 'account_change':
      if (ev.field === 'bank_account') return 'bank_change';
      return SENSITIVE_FIELDS.has(ev.field) ? 'contact_change' : undefined;
    case 'cash':
      return ev.direction === 'withdrawal' ? 'withdrawal' : undefined;
    case 'order': {
      if (ev.action === 'cancel') return undefined;
      if (ev.side === 'buy') return 'buy';
      // Selling one whole position is ordinary; emptying the portfolio is the hijacker's first move.
      const a = ctx.world.accounts.get(ev.account_id);
      const held = a?.holdings.get(ev.symbol) ?? 0;
      if (!(held > 0 && ev.qty >= 0.9 * held)) return 'sell';
      ep.soldOut ??= [];
      if (!ep.soldOut.includes(ev.symbol)) ep.soldOut.push(ev.symbol);
      return ep.soldOut.length >= 2 || (a?.holdings.size ?? 0) <= 1 ? 'liquidation' : 'sell';
    }
  }
}

function describeAction(ev: OrderEvent | AccountChangeEvent | CashEvent): string {
  switch (ev.type) {
    case 'order':
      return `${ev.side} ${ev.qty} ${ev.symbol}`;
    case 'account_change':
      return `change of ${ev.field}`;
    case 'cash':
      return `${ev.direction} ¥${ev.amount_jpy.toLocaleString('ja-JP')}`;
  }
}
