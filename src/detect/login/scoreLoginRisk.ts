import type { AccountHistory } from './AccountHistory.js';
import { historyCount } from './AccountHistory.js';
import { F, FEATURES, GLOBAL_FEATURES, hash31, type LoginFeatures } from './loginFeatures.js';
import type { Reason } from '../../engine/types.js';

/** Global popularity of feature values among trusted logins of all accounts. */
export interface GlobalCounts {
  /** Trusted logins counted per feature. */
  total: number[];
  /** `feature * 2^31 + hash` → count. */
  counts: Map<number, number>;
}

export const globalKey = (feature: number, hash: number): number => feature * 2147483648 + hash;

export function newGlobalCounts(): GlobalCounts {
  return { total: FEATURES.map(() => 0), counts: new Map() };
}

/** Weights whose evidence is about a network or client many honest customers share. */
const SHARED_EVIDENCE: ReadonlySet<string> = new Set(['asnExcessFailRatio', 'uaExcessFailRatio', 'stuffingCluster']);

/** Hash of the device feature of a login that sent no device id (the only device value counted globally). */
export const NO_DEVICE_HASH = hash31('');

export function addToGlobal(g: GlobalCounts, hashes: number[]): void {
  for (const f of GLOBAL_FEATURES) {
    g.total[f]++;
    const k = globalKey(f, hashes[f]);
    g.counts.set(k, (g.counts.get(k) ?? 0) + 1);
  }
  // Device ids are too many to count one by one, but how often customers come without one is
  // one number, and an attack tool that keeps no cookie stands out against it.
  g.total[F.device]++;
  if (hashes[F.device] === NO_DEVICE_HASH) {
    const k = globalKey(F.device, NO_DEVICE_HASH);
    g.counts.set(k, (g.counts.get(k) ?? 0) + 1);
  }
  const k = asnClientKey(hashes[F.asn], hashes[F.ua]);
  g.counts.set(k, (g.counts.get(k) ?? 0) + 1);
}

/**
 * Key of the (ASN, exact user agent) pair in the global counts: which networks the customers with
 * a given client actually use (phones on carriers, desktops on home ISPs). Kept under a pseudo
 * feature index past the real ones.
 */
export const asnClientKey = (asnHash: number, uaHash: number): number => globalKey(FEATURES.length, ((Math.imul(asnHash, 0x01000193) ^ uaHash) >>> 1) & 0x3fffffff);

/**
 * Share of trusted logins with this exact user agent that came from this ASN, or undefined when
 * fewer than `minLogins` trusted logins carried the user agent (too few to say).
 */
export function asnShareForClient(g: GlobalCounts, asnHash: number, uaHash: number, minLogins = 100): number | undefined {
  const withClient = g.counts.get(globalKey(F.ua, uaHash)) ?? 0;
  if (withClient < minLogins) return undefined;
  return (g.counts.get(asnClientKey(asnHash, uaHash)) ?? 0) / withClient;
}

/** Attack-side evidence about the login's sources, gathered by the caller from the SourceTracker. */
export interface SourceEvidence {
  /** Failed attempts from this IP recently (decayed). */
  ipFailures: number;
  /** Other accounts logged into from this IP recently. */
  ipOtherAccounts: number;
  /** Other accounts logged into from this device id recently. */
  deviceOtherAccounts: number;
  /** Failure share of the ASN's recent attempts beyond the all-network share (0 when not enough data). */
  asnExcessFailRatio: number;
  /** Failure share of the user agent's recent attempts beyond the all-network share. */
  uaExcessFailRatio: number;
  /** Recent failed password attempts on this account from other devices. */
  accountFailures: number;
  /** The address or device was used in a takeover of another account (what it was), else undefined. */
  knownAttacker?: string;
  /** Shared sources of this login (network, ASN, client string) currently flagged as stuffing, described. */
  stuffingClusters: string[];
  /** The typed login id matched no account. */
  unknownLoginId: boolean;
}

/** Weights of the risk model; defaults tuned on simulator seeds 1–3 only. */
export interface RiskWeights {
  /** Per feature (see FEATURES): weight of ln((n + 1) / (count + 1)), "new or rare for this account". */
  novelty: Record<(typeof FEATURES)[number], number>;
  /** Per feature: weight of ln(1 / global share) of a value new to the account ("rare for anyone"). */
  globalRarity: Partial<Record<(typeof FEATURES)[number], number>>;
  /** Factor on the surprise of a value seen before but rarely in this account's history. */
  seenDiscount: number;
  hosting: number;
  vpn: number;
  tor: number;
  automated: number;
  ipFailures: number;
  ipOtherAccounts: number;
  deviceOtherAccounts: number;
  asnExcessFailRatio: number;
  uaExcessFailRatio: number;
  accountFailures: number;
  knownAttacker: number;
  /** Per shared source (network, ASN, client) flagged as stuffing while this login came through it. */
  stuffingCluster: number;
  /** The typed login id matched no account: combo lists are full of ids a broker never issued. */
  unknownLoginId: number;
  /** Weight of ln(1 / share of trusted logins without a device id), for a login without one. */
  noDevice: number;
  /** Log-odds at which the score is 0.5, and its scale. */
  center: number;
  scale: number;
}

// Network weights order ASN above IP (unlike the 0.6/0.3/0.1 of the das-group reference, fitted on
// a web service's logins): brokerage customers churn mobile IPs daily inside one carrier, while the
// hijack wave came from networks the customer had never used.
export const DEFAULT_RISK_WEIGHTS: RiskWeights = {
  novelty: { ip: 0.1, net: 0.15, asn: 0.35, country: 0.3, device: 0.6, ua: 0.1, browser: 0.1, os: 0.15, devtype: 0.15, hour: 0.1, channel: 0.15, mfa: 0.2 },
  globalRarity: { asn: 0.35, country: 0.35, ua: 0.1, browser: 0.15, os: 0.15, devtype: 0.1, hour: 0.05, channel: 0.1, mfa: 0.1 },
  seenDiscount: 0.25,
  hosting: 1.5,
  vpn: 1.5,
  tor: 2.5,
  automated: 2,
  ipFailures: 0.6,
  ipOtherAccounts: 0.8,
  deviceOtherAccounts: 1.5,
  asnExcessFailRatio: 3,
  uaExcessFailRatio: 3,
  accountFailures: 0.4,
  knownAttacker: 6,
  stuffingCluster: 2,
  unknownLoginId: 3,
  noDevice: 0.6,
  center: 7,
  scale: 1,
};

export interface LoginRisk {
  /** 0..1, monotone in `llr`. */
  score: number;
  /** Log-likelihood-ratio-like total (attacker vs this customer). */
  llr: number;
  reasons: Reason[];
  /** Feature names new to the account (empty when the account has no history). */
  novel: string[];
  /**
   * The score without the evidence shared with honest customers (failure rates of the whole ASN or
   * client string, shared sources flagged as stuffing): such evidence may ask for a step-up, but a
   * refusal needs the rest to reach it on its own.
   */
  scoreWithoutShared: number;
}

/**
 * Risk of one login in the spirit of Freeman et al. (NDSS 2016): for each feature, how much less
 * likely the value is for this customer than for anyone, with add-one smoothing so an unseen value
 * costs ln(1 + n) (more history, more surprise) and a value the customer uses often costs nothing;
 * plus, for values new to the customer, how rare they are across all customers. Attack-side evidence
 * learned online (failures and fan-out per IP, device, ASN, client; hosting/VPN/Tor networks) adds to
 * the log-odds. A pure function of its inputs.
 */
export function scoreLoginRisk(
  x: LoginFeatures,
  hist: AccountHistory | undefined,
  global: GlobalCounts,
  src: SourceEvidence,
  w: RiskWeights = DEFAULT_RISK_WEIGHTS,
): LoginRisk {
  let llr = 0;
  let sharedLlr = 0;
  const reasons: Reason[] = [];
  const novel: string[] = [];
  const n = hist?.n ?? 0;
  const knownAsn = hist && n > 0 ? historyCount(hist, F.asn, x.h[F.asn]) > 0 : false;
  let noDeviceShare: number | undefined;
  for (let f = 0; f < FEATURES.length; f++) {
    const c = hist && n > 0 ? historyCount(hist, f, x.h[f]) : 0;
    const name = FEATURES[f];
    // Freeman's p(x | customer): add-one smoothing, so an unseen value costs ln(1 + n).
    const term = Math.log((n + 1) / (c + 1));
    // A value the customer has used before, even once (e.g. a new phone confirmed by passkey), is
    // far from a stranger's: its rarity within the history counts only a little.
    let add = term > 0 ? w.novelty[name] * term * (c === 0 ? 1 : w.seenDiscount) : 0;
    if (c === 0) {
      if (n > 0) novel.push(name);
      // Freeman's p(x): a value new to the customer is more suspicious the rarer it is among all
      // customers. This is also all we know about an account without history.
      const r = w.globalRarity[name] ?? 0;
      if (r > 0 && GLOBAL_FEATURES.has(f) && global.total[f] > 100) {
        const g = global.counts.get(globalKey(f, x.h[f])) ?? 0;
        add += r * Math.min(10, Math.log((global.total[f] + 1) / (g + 1)));
      }
      if (f === F.device && x.h[f] === NO_DEVICE_HASH && w.noDevice > 0 && global.total[f] > 100) {
        const g = global.counts.get(globalKey(f, NO_DEVICE_HASH)) ?? 0;
        const v = w.noDevice * Math.min(10, Math.log((global.total[f] + 1) / (g + 1)));
        add += v;
        if (v > 0) noDeviceShare = g / global.total[f];
      }
    }
    llr += add;
  }
  if (n > 0) {
    if (novel.includes('asn')) reasons.push({ code: 'NEW_ASN', detail: `${x.info.asn ? `AS${x.info.asn}` : 'unknown network'}${x.info.org ? ` (${x.info.org})` : ''} never seen for this account` });
    if (novel.includes('country')) reasons.push({ code: 'NEW_COUNTRY', detail: `country ${x.info.country || 'unknown'} never seen for this account` });
    if (novel.includes('device')) reasons.push({ code: 'NEW_DEVICE', detail: x.device ? `device ${x.device.slice(0, 16)} never seen for this account` : 'no device id, this account always sent one' });
    if (novel.includes('os') || novel.includes('browser')) reasons.push({ code: 'NEW_CLIENT', detail: `${x.ua.browser} on ${x.ua.os} (${x.ua.device}) never seen for this account` });
    if (reasons.length === 0 && novel.includes('net')) reasons.push({ code: 'NEW_NETWORK', detail: `network ${x.net} never seen for this account` });
  }
  // Hosting/VPN is the attacker's norm and rare for customers, but a customer's own corporate VPN is
  // known to its history: only a network new to the account counts.
  if (!knownAsn) {
    if (x.info.tor) add('tor', w.tor, 'TOR_EXIT', `${x.ip} is a listed Tor exit`);
    else if (x.info.vpn) add('vpn', w.vpn, 'VPN_NETWORK', `${x.ip} is in a listed VPN/proxy range${x.info.org ? ` (${x.info.org})` : ''}`);
    else if (x.info.hosting) add('hosting', w.hosting, 'HOSTING_NETWORK', `${x.ip} is in a datacenter network${x.info.org ? ` (${x.info.org})` : ''}`);
  }
  if (x.ua.automated) add('automated', w.automated, 'AUTOMATED_CLIENT', `user agent looks like a script or headless browser (${x.ua.browser})`);
  if (src.ipFailures >= 1) add('ipFailures', w.ipFailures * Math.log1p(src.ipFailures), 'IP_FAILURES', `${Math.round(src.ipFailures)} failed logins from ${x.ip} recently`);
  if (src.ipOtherAccounts >= 1 && !knownAsn) add('ipOtherAccounts', w.ipOtherAccounts * Math.log1p(src.ipOtherAccounts), 'IP_SHARED', `${src.ipOtherAccounts} other account(s) logged in from ${x.ip} recently`);
  if (src.deviceOtherAccounts >= 1) add('deviceOtherAccounts', w.deviceOtherAccounts * Math.log1p(src.deviceOtherAccounts), 'DEVICE_SHARED', `${src.deviceOtherAccounts} other account(s) logged in from this device recently`);
  if (src.asnExcessFailRatio > 0.05) add('asnExcessFailRatio', w.asnExcessFailRatio * src.asnExcessFailRatio, 'ASN_FAILURES', `network AS${x.info.asn} fails ${Math.round(src.asnExcessFailRatio * 100)} points above the usual login failure rate`);
  if (src.uaExcessFailRatio > 0.05) add('uaExcessFailRatio', w.uaExcessFailRatio * src.uaExcessFailRatio, 'CLIENT_FAILURES', `this user agent fails ${Math.round(src.uaExcessFailRatio * 100)} points above the usual login failure rate`);
  if (src.accountFailures >= 1) add('accountFailures', w.accountFailures * Math.log1p(src.accountFailures), 'ACCOUNT_FAILURES', `${Math.round(src.accountFailures)} failed password attempts on this account recently`);
  if (src.knownAttacker) add('knownAttacker', w.knownAttacker, 'KNOWN_ATTACKER_INFRA', src.knownAttacker);
  if (noDeviceShare !== undefined && (n === 0 || novel.includes('device'))) reasons.push({ code: 'NO_DEVICE_ID', detail: `no device id; only ${(noDeviceShare * 100).toFixed(1)} % of trusted logins come without one` });
  for (const c of src.stuffingClusters) add('stuffingCluster', w.stuffingCluster, 'SHARED_STUFFING_SOURCE', c);
  if (src.unknownLoginId) add('unknownLoginId', w.unknownLoginId, 'UNKNOWN_LOGIN_ID', 'the typed login id matches no account');
  const score = 1 / (1 + Math.exp(-(llr - w.center) / w.scale));
  const scoreWithoutShared = 1 / (1 + Math.exp(-(llr - sharedLlr - w.center) / w.scale));
  return { score, llr, reasons, novel, scoreWithoutShared };

  function add(k: string, v: number, code: string, detail: string): void {
    if (v <= 0) return;
    llr += v;
    if (SHARED_EVIDENCE.has(k)) sharedLlr += v;
    reasons.push({ code, detail });
  }
}
