/**
 * Lexical URL analysis (contract §5 `kabuguard phish url`): which broker a URL imitates, how sure we
 * are, and why. Pure and synchronous; about 10 µs a URL.
 *
 * Why lexical tools miss broker phishing (SOURCES.md): the broker's name sits in a *subdomain* of a
 * throwaway domain (`monex-co-jp.<random>.cn`), is misspelt (`raketun-sec`, `moneix`), transliterated
 * into pinyin by Simplified-Chinese kits (`latianzq` = 乐天证券), moved into the path
 * (`/www.sbisec.co.jp/ETGate/`) or absent. So every label is tokenised and matched, not only the
 * registered domain, and brand-less URLs are left to the kit memory.
 */
import { loadBrandCatalogue, type AliasEntry, type Brand, type BrandCatalogue } from './brandCatalogue.js';
import { foldLookalikes, skeletonOf } from './confusables.js';
import { boundedEditDistance } from './editDistance.js';
import { findZone, loadHostLists, type HostLists } from './hostLists.js';
import type { BrandCandidate, KitMemory } from './KitMemory.js';
import { alphaTokens, looksRandom } from './lexicalFeatures.js';
import { parsePhishUrl, PhishInputError, type PhishUrlParts } from './parsePhishUrl.js';
import type { Reason, UrlVerdict } from './types.js';

export interface AnalyzeUrlOptions {
  /** Brand catalogue. Default: the bundled data/phishing/brands.json. */
  catalogue?: BrandCatalogue;
  /** Host lists. Default: the bundled data/phishing/hosts.json. */
  hostLists?: HostLists;
  /** Learned kit templates (`phish learn`); without it only the catalogue and lexical cues are used. */
  memory?: KitMemory;
  /** Score from which a URL that names a broker is `phishing`. Default 0.7. */
  phishingThreshold?: number;
  /** Score from which a URL is `suspicious`. Default 0.5. */
  suspiciousThreshold?: number;
}

type Where = 'sub' | 'reg' | 'path';

interface BrandHit {
  brand: Brand;
  weight: number;
  reason: Reason;
}

let defaults: { catalogue: BrandCatalogue; hostLists: HostLists } | undefined;
function getDefaults(): { catalogue: BrandCatalogue; hostLists: HostLists } {
  return (defaults ??= { catalogue: loadBrandCatalogue(), hostLists: loadHostLists() });
}

/** Suffixes where only Japanese residents and companies can register: a namesake company is likely. */
const JP_SUFFIX = /(^|\.)jp$/;

/** Analyse one URL. Malformed input gives an `error` verdict with the reason, never an exception. */
export function analyzePhishingUrl(url: string, opts: AnalyzeUrlOptions = {}): UrlVerdict {
  let parts: PhishUrlParts;
  try {
    parts = parsePhishUrl(url);
  } catch (err) {
    if (!(err instanceof PhishInputError)) throw err;
    return { url, verdict: 'error', brand: null, score: 0, reasons: [{ code: 'UNPARSABLE_URL', detail: err.message }], error: err.message };
  }
  return analyzeParsedUrl(url, parts, opts);
}

/** As `analyzePhishingUrl`, for a URL already parsed (the e-mail and page analysers reuse parts). */
export function analyzeParsedUrl(url: string, p: PhishUrlParts, opts: AnalyzeUrlOptions = {}): UrlVerdict {
  const d = getDefaults();
  const cat = opts.catalogue ?? d.catalogue;
  const hosts = opts.hostLists ?? d.hostLists;
  const phishingAt = opts.phishingThreshold ?? 0.7;
  const suspiciousAt = opts.suspiciousThreshold ?? 0.5;

  const own = p.isIp ? undefined : findOwnDomain(cat, p.hostname);
  if (own) {
    return {
      url,
      verdict: 'benign',
      brand: null,
      score: 0,
      reasons: [{ code: 'BRAND_OWN_DOMAIN', detail: `${p.domain} belongs to ${own.name} or its group` }],
      domain: p.domain,
    };
  }

  const reasons: Reason[] = [];
  const context: number[] = [];
  const hits: BrandHit[] = [];
  const tld = p.publicSuffix.slice(p.publicSuffix.lastIndexOf('.') + 1);
  // Government, academic and municipal second levels (gov.cn, ac.jp, lg.jp) need proof of identity.
  const restricted = /(^|\.)(gov|edu|ac|go|lg|mil|ed|gr)\.[a-z]+$/.test(p.publicSuffix);
  const susTld = !p.isIp && !restricted && (hosts.suspiciousTlds.has(p.publicSuffix) || hosts.suspiciousTlds.has(tld));
  const freeZone = p.isIp ? undefined : findZone(hosts.freeHosting, p.hostname) ?? findZone(hosts.dynamicDns, p.hostname);
  const randomReg = !p.isIp && !p.privateSuffix && looksRandom(p.domainLabel);

  // No broker serves its site from a bare IP; kits do (Alibaba/Tencent cloud IPs in the 2025-04 reports).
  if (p.isIp) add(reasons, context, 0.5, 'IP_HOST', `the host is a bare IP address (${p.hostname})`);
  if (susTld) add(reasons, context, 0.15, 'SUSPICIOUS_TLD', `.${p.publicSuffix} is a cheap suffix common in phishing`);
  if (freeZone) {
    const dyn = hosts.dynamicDns.has(freeZone);
    add(reasons, context, 0.2, dyn ? 'DYNAMIC_DNS' : 'FREE_HOSTING', `${freeZone} gives anyone a ${dyn ? 'dynamic-DNS name' : 'free subdomain'}`);
  }
  const shortener = !p.isIp && findZone(hosts.shorteners, p.hostname) !== undefined;
  if (shortener) add(reasons, context, 0.1, 'URL_SHORTENER', `${p.domain} hides the destination`);
  if (randomReg) add(reasons, context, 0.15, 'RANDOM_DOMAIN', `registered label "${p.domainLabel}" looks machine-generated`);

  // Labels an attacker chose: subdomains, and the label left of a hosting/dynamic-DNS zone.
  const subLabels = p.subLabels.filter((l) => l !== 'www');
  const userLabels = p.privateSuffix || freeZone ? [...subLabels, p.domainLabel] : subLabels;
  const decoration = findSuffixDecoration(p);
  if (decoration) add(reasons, context, 0.3, 'FAKE_SUFFIX_DECORATION', `"${decoration}" imitates a real domain inside the host name`);

  let confusable = false;
  for (const label of userLabels) {
    const h = matchLabel(cat, label, 'sub', susTld || randomReg || decoration !== undefined);
    if (h) {
      hits.push(h);
      confusable ||= label !== label.normalize('NFKC').toLowerCase() || /[^\x00-\x7f]/.test(label);
    }
  }
  if (!p.privateSuffix && !freeZone && !p.isIp) {
    const h = matchLabel(cat, p.domainLabel, 'reg', susTld || JP_SUFFIX.test(p.publicSuffix) === false && randomReg, JP_SUFFIX.test(p.publicSuffix));
    if (h) {
      hits.push(h);
      confusable ||= /[^\x00-\x7f]/.test(p.domainLabel);
    }
  }
  if (confusable) add(reasons, context, 0.2, 'CONFUSABLE_CHARACTERS', `host ${p.unicodeHost} uses look-alike Unicode characters`);

  for (const h of matchPath(cat, p, susTld || randomReg || p.isIp)) hits.push(h);
  // Kits address each campaign's landing page by a fresh random token (`/QJSmxXOQ/` on dozens of
  // throwaway domains): a lone mixed-case token on a random-looking cheap-suffix registration reads
  // as a kit even before the token itself is learned. Popular sites on cheap suffixes use such tokens
  // for share links (a word-like registration is not enough), and so do shorteners.
  const token = hits.length === 0 && susTld && randomReg && !shortener && subLabels.length === 0 ? kitPathToken(p) : undefined;
  if (token) add(reasons, context, 0.4, 'RANDOM_PATH_TOKEN', `the only path segment "${token}" is a random mixed-case token on a throwaway-looking domain`);
  if (hits.length === 0 && p.pathSegments.some((s) => LOGIN_WORDS.test(s))) {
    add(reasons, context, 0.1, 'LOGIN_PATH', `the path asks for a login (${p.pathSegments.join('/').slice(0, 60)})`);
  }

  let brand: Brand | null = null;
  let brandWeight = 0;
  for (const h of hits) {
    reasons.push(h.reason);
    if (h.weight > brandWeight) {
      brand = h.brand;
      brandWeight = h.weight;
    }
  }
  // Several independent places naming the same broker (host and path) add up; other brands do not.
  const weights = hits.filter((h) => h.brand === brand).map((h) => h.weight);

  let brandName: string | null = brand?.name ?? null;
  let kit: UrlVerdict['kit'];
  let candidates: BrandCandidate[] | undefined;
  if (opts.memory) {
    const m = opts.memory.match(p);
    if (m) {
      const { weight, brands_seen, brand_candidates, ...match } = m;
      kit = match;
      weights.push(weight);
      reasons.push({
        code: 'KIT_TEMPLATE',
        detail: `${m.template} seen on ${m.domains_seen} reported domain(s) (cluster ${m.cluster_id}${brands_seen.length ? `, reported for ${brands_seen.slice(0, 3).join(', ')}${brands_seen.length > 3 ? ' …' : ''}` : ''})`,
      });
      if (brandName === null) {
        const list = brand_candidates.map((c) => `${c.brand} ${Math.round(100 * c.share)} %`).join(', ');
        if (m.brand) reasons.push({ code: 'KIT_BRAND', detail: `the kit's recent reports name ${m.brand} (${list})` });
        else if (brand_candidates.length) {
          reasons.push({ code: 'KIT_BRAND_UNCERTAIN', detail: `the kit served several brands (${list}); the URL does not say which this one imitates` });
          candidates = brand_candidates;
        }
        brandName = m.brand;
      }
    }
  }

  const score = round(noisyOr([...weights, ...context]));
  const named = brandName !== null;
  const verdict = score >= phishingAt && (named || kit) ? 'phishing' : score >= suspiciousAt ? 'suspicious' : 'benign';
  const out: UrlVerdict = { url, verdict, brand: verdict === 'benign' ? null : brandName, score, reasons, domain: p.domain };
  if (kit && verdict !== 'benign') {
    out.cluster_id = kit.cluster_id;
    out.kit = kit;
    if (candidates) out.brand_candidates = candidates;
  }
  return out;
}

/**
 * The lone path segment when it is a random mixed-case token (`QJSmxXOQ`, `aB3kQz9`): letters and
 * digits only, upper and lower case mixed other than in camel-cased words (`MyPage`, `aboutUs`).
 */
function kitPathToken(p: PhishUrlParts): string | undefined {
  if (p.pathSegments.length !== 1 || p.queryKeys.length > 0) return undefined;
  const seg = p.rawPath.replace(/^\/+|\/+$/g, '');
  if (!RANDOM_TOKEN.test(seg) || !/[A-Z]/.test(seg) || !/[a-z]/.test(seg) || CAMEL_WORDS.test(seg)) return undefined;
  return seg;
}
const RANDOM_TOKEN = /^[A-Za-z0-9]{6,16}$/;
const CAMEL_WORDS = /^[a-z]*(?:[A-Z][a-z]+)*[0-9]*$/;

const LOGIN_WORDS = /^(login|logon|signin|sign-in|auth|verify|verification|account|member|mypage|secure|update|confirm)([._-]|$)/;

function add(reasons: Reason[], context: number[], w: number, code: string, detail: string): void {
  reasons.push({ code, detail });
  context.push(w);
}

function noisyOr(ws: number[]): number {
  let keep = 1;
  for (const w of ws) keep *= 1 - w;
  return 1 - keep;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function findOwnDomain(cat: BrandCatalogue, hostname: string): Brand | undefined {
  let h = hostname;
  for (;;) {
    const b = cat.ownDomains.get(h);
    if (b) return b;
    const dot = h.indexOf('.');
    if (dot < 0) return undefined;
    h = h.slice(dot + 1);
  }
}

/**
 * `co-jp`, `-jp`, `.co.jp.` or `.com.` inside a host (`rakuten-sec-co.jp.ubfsrdscfdfc5.shop`,
 * `monex-co-jp.x.cn`): the kit dresses the host up as the broker's real domain.
 */
function findSuffixDecoration(p: PhishUrlParts): string | undefined {
  if (p.subLabels.length === 0) return undefined;
  const sub = p.subLabels.join('.');
  const m = /(?:^|[.-])(co[.-]jp|com[.-]jp|ne[.-]jp|or[.-]jp)(?:$|[.-])/.exec(sub) ?? /(?:^|\.)(com|jp|net)$/.exec(sub);
  return m?.[1];
}

/**
 * Find a broker token in one hostname label. `supported` says whether the host already looks like a
 * throwaway (cheap suffix, random domain, fake-suffix decoration), which turns a weak token into a
 * hit. `jpSuffix` marks a `.jp` registration, where a namesake company is more likely than a fake.
 */
function matchLabel(cat: BrandCatalogue, label: string, where: Where, supported: boolean, jpSuffix = false, fuzzy = true): BrandHit | undefined {
  const ix = indexOf(cat);
  const skel = skeletonOf(label);
  const folded = foldLookalikes(skel.includes('-') || skel.includes('_') ? skel.replace(/[-_]/g, '') : skel);
  const tokens = alphaTokens(skel);
  const foldedTokens = tokens.map(foldLookalikes);
  let cueCount = 0;
  for (const t of tokens) if (cat.cues.has(t)) cueCount++;
  const hasDigits = /[0-9]/.test(skel);
  const inSub = where === 'sub';

  for (const a of strongCandidates(ix, folded)) {
    if (!isWordish(a, foldedTokens, folded)) continue;
    const whole = folded === a.folded;
    const rest = folded.replace(a.folded, '');
    const restIsCue = a.hasCue || rest === '' || ix.cues.some((c) => rest === c || rest.startsWith(c) || rest.endsWith(c)) || /^[0-9lo]+$/.test(rest);
    let w: number;
    if (inSub) w = 0.8;
    else if (jpSuffix) w = whole ? 0.3 : restIsCue || cueCount ? 0.6 : 0.3;
    else if (whole && !a.hasCue) w = 0.6;
    else if (cueCount > 0 || hasDigits || restIsCue) w = 0.75;
    else w = supported ? 0.6 : 0.45;
    return { brand: a.brand, weight: w, reason: brandReason(a.brand, label, where, `contains "${a.alias}"`) };
  }

  for (const a of ix.short) {
    for (let i = 0; i < tokens.length; i++) {
      const ft = foldedTokens[i];
      let w = 0;
      if (ft === a.folded) w = inSub ? 0.75 : cueCount > 0 || hasDigits || supported ? 0.7 : 0.35;
      else if (ft.startsWith(a.folded) || ft.endsWith(a.folded)) {
        const rest = ft.startsWith(a.folded) ? ft.slice(a.folded.length) : ft.slice(0, ft.length - a.folded.length);
        const restCue = ix.cues.some((c) => c.length >= 2 && (rest.startsWith(c) || rest.endsWith(c)));
        if (restCue) w = inSub || supported ? 0.75 : 0.6;
        else if (inSub || supported) w = 0.5;
      }
      if (w > 0) return { brand: a.brand, weight: jpSuffix ? Math.min(w, 0.4) : w, reason: brandReason(a.brand, label, where, `token "${tokens[i]}" names ${a.alias}`) };
    }
  }

  // Misspellings: bounded edit distance on the lookalike-folded tokens (raketun, rakouten, moneix).
  for (let i = 0; fuzzy && i < tokens.length; i++) {
    const ft = foldedTokens[i];
    if (ft.length < 6 || LOOKALIKE_EXCEPTIONS.has(tokens[i])) continue;
    for (const a of ix.fuzzy) {
      const al = a.folded.length;
      if (Math.abs(ft.length - al) > 1) continue;
      // A five-letter alias only tolerates an inserted letter (moneix); substitutions make words (money).
      if (al === 5 && ft.length !== 6) continue;
      // Misspellings keep the first or the last letter; checking that first skips most pairs cheaply.
      if (ft.charCodeAt(0) !== a.folded.charCodeAt(0) && ft.charCodeAt(ft.length - 1) !== a.folded.charCodeAt(al - 1)) continue;
      // Up to six letters, a substituted letter mostly makes another word (mantul ~ matsui): only
      // inserted, dropped or swapped letters count there.
      if (al <= 6 && ft.length === al && sortedLetters(ft) !== sortedLetters(a.folded)) continue;
      const max = al >= 7 && ft.length >= 7 && ft.charCodeAt(0) === a.folded.charCodeAt(0) ? 2 : 1;
      const dist = boundedEditDistance(ft, a.folded, max);
      if (dist > max) continue;
      const w = inSub ? 0.75 : cueCount > 0 || hasDigits || supported ? 0.7 : 0.35;
      return { brand: a.brand, weight: jpSuffix ? Math.min(w, 0.4) : w, reason: brandReason(a.brand, label, where, `"${tokens[i]}" is ${dist} edit(s) from "${a.alias}"`, 'BRAND_LOOKALIKE') };
    }
  }
  return undefined;
}

/** Strong aliases occurring in `folded`, longest first, found through the first-two-letters index. */
function strongCandidates(ix: MatchIndex, folded: string): StrongAlias[] {
  let found: StrongAlias[] | undefined;
  for (let i = 0; i + 1 < folded.length; i++) {
    const list = ix.byPrefix.get(folded.slice(i, i + 2));
    if (!list) continue;
    for (const a of list) if (folded.startsWith(a.folded, i) && !found?.includes(a)) (found ??= []).push(a);
  }
  return found ? found.sort((x, y) => y.folded.length - x.folded.length) : NONE;
}
const NONE: StrongAlias[] = [];

type StrongAlias = AliasEntry & { hasCue: boolean };

function sortedLetters(s: string): string {
  return [...s].sort().join('');
}

interface MatchIndex {
  /** Strong aliases by their first two (folded) letters. */
  byPrefix: Map<string, StrongAlias[]>;
  short: AliasEntry[];
  fuzzy: AliasEntry[];
  /** Lookalike-folded cue tokens. */
  cues: string[];
}

const INDEXES = new WeakMap<BrandCatalogue, MatchIndex>();

/** Per-catalogue matching tables, built once (the hot path allocates nothing per alias). */
function indexOf(cat: BrandCatalogue): MatchIndex {
  let ix = INDEXES.get(cat);
  if (ix) return ix;
  const cueList = [...cat.cues];
  const strong = cat.aliases
    .filter((a) => !a.short)
    .map((a) => ({ ...a, hasCue: a.alias.length > 5 && cueList.some((c) => c.length >= 3 && a.alias.endsWith(c)) }));
  const byPrefix = new Map<string, StrongAlias[]>();
  for (const a of strong) {
    const k = a.folded.slice(0, 2);
    byPrefix.set(k, [...(byPrefix.get(k) ?? []), a]);
  }
  ix = {
    byPrefix,
    short: cat.aliases.filter((a) => a.short),
    fuzzy: cat.aliases.filter((a) => !a.short && a.folded.length >= 5 && !NO_FUZZY.has(a.alias)),
    cues: cueList.map(foldLookalikes),
  };
  INDEXES.set(cat, ix);
  return ix;
}

/** Aliases made of ordinary words (`e-smart`), matched exactly only: their misspellings are words too. */
const NO_FUZZY = new Set(['matui', 'esmart', 'e-smart', 'invast', 'webull', 'moomoo', 'invafx', 'clicksec', 'click-sec', 'gmoclick', 'gmo-click',
  // Pinyin syllables recombine into many unrelated words (songjiang ~ songjing).
  'songjing', 'songjingzq', 'latianzq', 'letianzq', 'letianzhengquan', 'monzhengjuan', 'dahezq', 'dahezhengquan', 'rixing']);

/** Common words a single edit away from a broker token (money ~ monex, mitsui ~ matsui). */
const LOOKALIKE_EXCEPTIONS = new Set(['money', 'mitsui', 'matsuo', 'natsui', 'nomur', 'dahua', 'daiwo', 'invest', 'monet', 'mones', 'honex', 'conex', 'manex', 'mimex', 'lomex', 'vortex', 'nikon', 'mizuno', 'rakuen', 'okasa', 'ichiyo']);

/**
 * A brand alias inside a longer word counts when it starts or ends a token, so `esmart` does not fire
 * inside `homesmart` while `rakutensec10` and `secrakuten` still do.
 */
function isWordish(a: AliasEntry, foldedTokens: string[], folded: string): boolean {
  if (a.folded.length >= 7) return true;
  for (const ft of foldedTokens) if (ft.startsWith(a.folded) || ft.endsWith(a.folded)) return true;
  return folded.startsWith(a.folded) || folded.endsWith(a.folded);
}

function brandReason(b: Brand, label: string, where: Where, what: string, code = 'BRAND_TOKEN'): Reason {
  const place = where === 'sub' ? 'subdomain label' : where === 'reg' ? 'registered domain' : 'path';
  return { code, detail: `${place} "${label}" ${what} (${b.name})` };
}

/** Brand tokens and the broker's real login paths in the path and query (`/ETGate`, `?daiwasec=…`). */
function matchPath(cat: BrandCatalogue, p: PhishUrlParts, throwaway: boolean): BrandHit[] {
  const out: BrandHit[] = [];
  if (p.pathSegments.length === 0 && p.queryKeys.length === 0) return out;
  const joined = '/' + p.pathSegments.join('/');
  for (const lp of cat.loginPaths) {
    const i = joined.indexOf(lp.path);
    if (i < 0) continue;
    const after = joined.charAt(i + lp.path.length);
    if (after !== '' && after !== '/' && after !== '.' && after !== '_' && after !== '?') continue;
    out.push({ brand: lp.brand, weight: 0.7, reason: { code: 'LOGIN_PATH_IMITATION', detail: `path ${lp.path} imitates ${lp.brand.name}'s real login page` } });
    break;
  }
  for (const seg of p.pathSegments) {
    if (seg.includes('.') && findOwnDomain(cat, seg)) {
      const b = findOwnDomain(cat, seg)!;
      out.push({ brand: b, weight: 0.8, reason: { code: 'BRAND_DOMAIN_IN_PATH', detail: `path carries ${b.name}'s domain "${seg}" on a foreign host` } });
      return out;
    }
  }
  // Misspellings are a host-name game (the kit needs a registrable look-alike); paths are matched exactly.
  for (const t of [...p.pathSegments, ...p.queryKeys, ...p.queryValues]) {
    if (t.length < 3 || t.length > 80) continue;
    // On a throwaway host (cheap suffix, random name, bare IP) a short broker name in a path token
    // (`/sbi`, `/sbixyz`) is the kit's route; on an ordinary site it is more likely an article slug.
    const h = matchLabel(cat, t.replace(/\.(html?|php|aspx?|jsp)$/, ''), 'path', throwaway, false, false);
    if (h && h.weight >= 0.45) {
      // A path token that already says "securities" or "login" next to the name (`sbisecjapan`, `rakusec`) is
      // a kit's route, not an article slug.
      out.push({ brand: h.brand, weight: h.weight >= 0.75 ? 0.7 : 0.6, reason: { code: 'BRAND_TOKEN_IN_PATH', detail: `path or query token "${t.slice(0, 60)}" names ${h.brand.name}` } });
      break;
    }
  }
  return out;
}
