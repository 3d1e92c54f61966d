/**
 * Kit memory: the templates that phishing campaigns re-use, learned from labelled feeds, and used to
 * catch new URLs that carry no brand name at all.
 *
 * Why: over 90 % of phishing pages are replicas of earlier ones (brief.md §4), and in the JPCERT/CC
 * feed one kit shows up as the same path token on dozens of throwaway domains (`/QJSmxXOQ/`), the same
 * subdomain word on fresh random domains (`holechezizahl.qcrxh9.com`), numbered registrations
 * (`sbi-drelies01…10.com`) or many hosts under one attacker zone (`*.basiuoyqas.net`). Each of those is
 * a template; templates seen together on one URL are one cluster (one kit / one operator).
 *
 * State is plain JSON (the `KITS` file of `phish learn` / `phish url --memory`).
 */
import { createHash } from 'node:crypto';
import type { PhishUrlParts } from './parsePhishUrl.js';
import { alphaTokens, looksRandom, normaliseDigits } from './lexicalFeatures.js';
import type { KitMatch } from './types.js';

/** Version of the KITS file format (`toJSON`): string tables and index arrays, about a quarter of the naive JSON size. */
export const KIT_MEMORY_VERSION = 2;

/** One learned template. */
export interface KitTemplate {
  /** Distinct registered domains (or IPs) seen with the template, capped at `MAX_DOMAINS_KEPT`. */
  domains: string[];
  /** Count of distinct registered domains, uncapped. */
  n_domains: number;
  /** First reported URLs carrying the template. */
  urls: string[];
  /** Brand → { n: reports, last: latest report date (ISO, or '' when the feed has none) }. */
  brands: Record<string, { n: number; last: string }>;
  cluster: string;
}

interface KitMemoryState {
  templates: Record<string, KitTemplate>;
  /** URLs learned, for the summary. */
  learned: number;
}

/**
 * The KITS file: every string (URL, site, brand, date, cluster id) stored once in a table, templates
 * as `[n_domains, site indexes, URL indexes, [brand index, reports, date index][], cluster index]`.
 */
export interface KitMemoryFile {
  version: number;
  learned: number;
  urls: string[];
  sites: string[];
  brands: string[];
  dates: string[];
  clusters: string[];
  templates: Record<string, [number, number[], number[], [number, number, number][], number]>;
}

/** One labelled report to learn from. */
export interface KitReport {
  parts: PhishUrlParts;
  brand: string | null;
  /** ISO date of the report; '' when unknown. */
  date: string;
}

const MAX_DOMAINS_KEPT = 50;
const MAX_URLS_KEPT = 5;

/**
 * Words that appear in the paths and hostnames of ordinary sites as much as of kits: a template made
 * of them would match half the web, so they never become templates.
 */
const GENERIC = new Set(
  (
    'www www1 www2 m mobile mobi sp pc web app apps api h5 wap static assets asset img image images css js cdn media ' +
    'login logon signin sign-in signup auth oauth sso account accounts member members mypage my user users profile ' +
    'index index.html index.php index.htm home top main default portal page pages news info information news ' +
    'jp ja en us cn zh global secure security verify verification update confirm support help service services ' +
    'wp-content wp-admin wp-includes wp-login.php admin administrator dashboard public uploads upload files file ' +
    'login.html login.php login.htm login.asp mail webmail email shop store cart checkout search blog about contact ' +
    'html php htm asp aspx jsp do cgi bin cgi-bin id ref token session lang redirect url link go out click track utm_source ' +
    'utm_medium utm_campaign utm_content fbclid gclid v p q s t k a b c d e f x y z'
  ).split(' '),
);

function isTemplateToken(tok: string, minLen: number): boolean {
  if (tok.length < minLen || tok.length > 80) return false;
  if (GENERIC.has(tok)) return false;
  let letters = 0;
  for (let i = 0; i < tok.length && letters < 4; i++) {
    const c = tok.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c >= 0xc0) letters++;
  }
  return letters >= 4;
}

function lengthClass(n: number): string {
  return n >= 13 ? '13+' : n >= 9 ? '9-12' : String(n);
}

function shapeOf(label: string): string {
  const kind = /^[a-z]+$/.test(label) ? 'a' : /^[a-z0-9]+$/.test(label) ? 'x' : 'h';
  return kind + lengthClass(label.length);
}

/**
 * The templates a URL carries. `forLearning` decides whether the whole registered domain may become
 * a zone template: only when the report sits on a subdomain or at the site root (an attacker's own
 * zone); a deep path on a bare domain is more often a compromised ordinary site, so only that host and
 * first path segment are remembered.
 */
export function templatesOf(p: PhishUrlParts, forLearning: boolean): string[] {
  const out: string[] = [];
  if (p.isIp) {
    out.push(`host:${p.hostname}`);
    const oct = p.hostname.split('.');
    if (oct.length === 4) out.push(`ipnet:${oct[0]}.${oct[1]}`);
  } else if (p.domain) {
    const subs = p.subLabels.filter((l) => l !== 'www');
    const atRoot = p.pathSegments.length === 0;
    // A report on a subdomain proves the attacker controls names under the zone (`parent:`), not
    // that the zone's own site is theirs: shared platforms hand out subdomains too.
    if (subs.length > 0) out.push(`parent:${p.domain}`);
    if (forLearning ? subs.length === 0 && (atRoot || looksRandom(p.domainLabel)) : true) out.push(`zone:${p.domain}`);
    out.push(`hostpath:${p.hostname}/${p.pathSegments[0] ?? ''}`);
    for (const l of subs) {
      const n = normaliseDigits(l);
      if (isTemplateToken(n, 6)) out.push(`sub:${n}`);
    }
    if (p.privateSuffix && isTemplateToken(normaliseDigits(p.domainLabel), 6)) out.push(`sub:${normaliseDigits(p.domainLabel)}`);
    const reg = normaliseDigits(p.domainLabel);
    if (!p.privateSuffix && reg !== p.domainLabel && isTemplateToken(reg, 6)) out.push(`reg:${reg}`);
    if (subs.length >= 1 && subs.length <= 2) {
      out.push(`shape:${subs.map(shapeOf).join('.')}.${shapeOf(p.domainLabel)}.${p.publicSuffix}`);
    }
  }
  for (const seg of p.pathSegments) {
    const n = normaliseDigits(seg);
    if (isTemplateToken(n, 5)) out.push(`path:${n}`);
  }
  for (const k of p.queryKeys) {
    const n = normaliseDigits(k);
    if (isTemplateToken(n, 5)) out.push(`query:${n}`);
  }
  return out;
}

/** Templates that are too broad to tie two reports to one kit by themselves. */
function isBroad(key: string): boolean {
  return key.startsWith('shape:') || key.startsWith('ipnet:');
}

/**
 * How much a template match is worth (0..1), from its kind and how many distinct domains carried it.
 * A template seen on one domain only is trusted when it is specific (an attacker zone, a long unusual
 * token); broad shapes need many domains.
 */
export function templateWeight(key: string, t: KitTemplate): number {
  const kind = key.slice(0, key.indexOf(':'));
  const token = key.slice(kind.length + 1);
  const n = t.n_domains;
  switch (kind) {
    case 'zone':
    case 'host':
    case 'hostpath':
      return 0.9;
    case 'parent':
      // A zone whose subdomains were reported for three or more brands is shared infrastructure
      // (dynamic DNS, hosting, mail platforms): it raises suspicion but does not name the brand.
      return Object.keys(t.brands).length >= 3 ? 0.5 : 0.85;
    case 'sub':
      if (n >= 2) return 0.85;
      return token.length >= 10 ? 0.8 : 0.6;
    case 'reg':
      // Numbered registrations (`sbi-drelies01…10`) recur; so do ordinary numbered hosts of
      // one service (`createsend1`, `createsend2`): only a longer series is telling.
      return n >= 3 ? 0.8 : n >= 2 ? 0.6 : 0.4;
    case 'path':
    case 'query': {
      const specific = looksRandom(token) || alphaTokens(token).some((w) => w.length >= 8);
      if (n >= 3) return 0.85;
      if (n >= 2) return specific ? 0.8 : 0.6;
      return specific ? 0.6 : 0.4;
    }
    case 'shape':
      return n >= 10 ? 0.75 : n >= 3 ? 0.6 : 0;
    case 'ipnet':
      return n >= 2 ? 0.5 : 0.3;
    default:
      return 0;
  }
}

/** A brand the kit evidence points to, with its share of that evidence (0..1). */
export interface BrandCandidate {
  brand: string;
  share: number;
}

/** Days for a template's older brands to count half as much as its latest one (kits switch brands per campaign). */
const BRAND_HALF_LIFE_DAYS = 14;
/** Share of the kit evidence the leading brand needs before a URL without a brand token is given that brand. */
const NAME_BRAND_SHARE = 0.75;
const DAY_MS = 86_400_000;

function dayOf(iso: string): number {
  const t = iso === '' ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? NaN : t / DAY_MS;
}

/**
 * The brands a template was reported for, as recency-weighted shares: a kit that served a card
 * company in January and a broker last week points to the broker.
 */
function brandShares(t: KitTemplate): Map<string, number> | undefined {
  const names = Object.keys(t.brands);
  if (names.length === 0) return undefined;
  let latest = -Infinity;
  for (const b of names) latest = Math.max(latest, dayOf(t.brands[b].last));
  const mass = new Map<string, number>();
  let total = 0;
  for (const b of names) {
    const age = latest - dayOf(t.brands[b].last);
    const m = t.brands[b].n * (Number.isFinite(age) ? 0.5 ** (age / BRAND_HALF_LIFE_DAYS) : 1);
    mass.set(b, m);
    total += m;
  }
  for (const [b, m] of mass) mass.set(b, m / total);
  return mass;
}

/**
 * Can a template name the brand? Not broad shapes and IP ranges (many unrelated kits share them), nor
 * zones reported for three or more brands (shared infrastructure: dynamic DNS, hosting); their brands
 * are only candidates.
 */
function namesBrand(key: string, t: KitTemplate): boolean {
  return !isBroad(key) && !(key.startsWith('parent:') && Object.keys(t.brands).length >= 3);
}

type BrandEvidence = { weight: number; shares: Map<string, number>; names: boolean }[];

/**
 * Combine the brand shares of every matched template, each weighted by how much its match is worth.
 * The brand is named only when one brand holds `NAME_BRAND_SHARE` of the evidence of the templates
 * that can name one; otherwise the verdict says the kit and lists the candidates (all templates),
 * because the URL alone does not say which brand the page shows (one operator's kit serves several).
 */
function combineBrandEvidence(evidence: BrandEvidence): { brand: string | null; candidates: BrandCandidate[] } {
  const named = leadingBrands(evidence.filter((e) => e.names));
  const brand = named.length > 0 && named[0].share >= NAME_BRAND_SHARE ? named[0].brand : null;
  return { brand, candidates: brand ? named : leadingBrands(evidence) };
}

/** The three brands with the largest weighted share of the evidence. */
function leadingBrands(evidence: BrandEvidence): BrandCandidate[] {
  if (evidence.length === 0) return [];
  const score = new Map<string, number>();
  let total = 0;
  for (const e of evidence) {
    total += e.weight;
    for (const [b, s] of e.shares) score.set(b, (score.get(b) ?? 0) + e.weight * s);
  }
  return [...score]
    .map(([brand, s]) => ({ brand, share: Math.round((1000 * s) / total) / 1000 }))
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);
}

/** A kit match with how much it is worth and the brand evidence behind its `brand`. */
export interface KitMatchResult extends KitMatch {
  weight: number;
  /** Brands the matched templates were reported for, by share of the recency-weighted evidence (top 3). */
  brand_candidates: BrandCandidate[];
  /** Brands the best template was ever reported for. */
  brands_seen: string[];
}

export class KitMemory {
  private state: KitMemoryState;

  /** An empty memory, or one read from a KITS file (`toJSON` output). */
  constructor(file?: KitMemoryFile) {
    this.state = { templates: {}, learned: 0 };
    if (!file) return;
    if (file.version !== KIT_MEMORY_VERSION) {
      throw new Error(`kit memory version ${file.version} is not supported (expected ${KIT_MEMORY_VERSION}); re-run phish learn`);
    }
    this.state.learned = file.learned;
    for (const [key, [n, sites, urls, brands, cluster]] of Object.entries(file.templates)) {
      const b: KitTemplate['brands'] = {};
      for (const [bi, count, di] of brands) b[file.brands[bi]] = { n: count, last: file.dates[di] };
      this.state.templates[key] = {
        n_domains: n,
        domains: sites.map((i) => file.sites[i]),
        urls: urls.map((i) => file.urls[i]),
        brands: b,
        cluster: file.clusters[cluster],
      };
    }
  }

  get size(): number {
    return Object.keys(this.state.templates).length;
  }

  get learned(): number {
    return this.state.learned;
  }

  /** Learn reports, then recompute clusters over everything learned so far. */
  learn(reports: Iterable<KitReport>): void {
    const T = this.state.templates;
    const links: string[][] = [];
    for (const r of reports) {
      const keys = templatesOf(r.parts, true);
      const site = r.parts.domain ?? r.parts.hostname;
      for (const key of keys) {
        let t = T[key];
        if (!t) t = T[key] = { domains: [], n_domains: 0, urls: [], brands: {}, cluster: '' };
        if (!t.domains.includes(site)) {
          t.n_domains++;
          if (t.domains.length < MAX_DOMAINS_KEPT) t.domains.push(site);
        }
        if (t.urls.length < MAX_URLS_KEPT && !t.urls.includes(r.parts.href)) t.urls.push(r.parts.href);
        if (r.brand) {
          const b = (t.brands[r.brand] ??= { n: 0, last: '' });
          b.n++;
          if (r.date > b.last) b.last = r.date;
        }
      }
      links.push(keys.filter((k) => !isBroad(k)));
      this.state.learned++;
    }
    this.recluster(links);
  }

  /**
   * Union-find over templates that appeared together on one report. Cluster ids are the hash of the
   * smallest template key in the component, so they stay stable while the component keeps that key.
   */
  private recluster(newLinks: string[][]): void {
    const T = this.state.templates;
    const parent = new Map<string, string>();
    const find = (k: string): string => {
      let r = k;
      while (parent.get(r) !== r) r = parent.get(r)!;
      let c = k;
      while (parent.get(c) !== r) {
        const n = parent.get(c)!;
        parent.set(c, r);
        c = n;
      }
      return r;
    };
    const union = (a: string, b: string): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
    };
    for (const k of Object.keys(T)) parent.set(k, k);
    // Earlier learning runs are kept through their cluster ids: templates sharing one stay together.
    const byCluster = new Map<string, string>();
    for (const [k, t] of Object.entries(T)) {
      if (!t.cluster) continue;
      const first = byCluster.get(t.cluster);
      if (first) union(first, k);
      else byCluster.set(t.cluster, k);
    }
    for (const keys of newLinks) for (let i = 1; i < keys.length; i++) union(keys[0], keys[i]);
    for (const [k, t] of Object.entries(T)) {
      t.cluster = isBroad(k) ? clusterId(k) : clusterId(find(k));
    }
  }

  /**
   * The best-weighted learned template this URL carries, if any is worth at least `minWeight`, with the
   * brand named by the evidence of all matched templates (null when it is not specific).
   */
  match(p: PhishUrlParts, opts: { minWeight?: number } = {}): KitMatchResult | undefined {
    const minWeight = opts.minWeight ?? 0.3;
    let best: { key: string; t: KitTemplate; weight: number } | undefined;
    let evidence: BrandEvidence | undefined;
    for (const key of templatesOf(p, false)) {
      const t = this.state.templates[key];
      if (!t) continue;
      const w = templateWeight(key, t);
      if (w < minWeight) continue;
      const shares = brandShares(t);
      if (shares) (evidence ??= []).push({ weight: w, shares, names: namesBrand(key, t) });
      if (!best || w > best.weight) best = { key, t, weight: w };
    }
    if (!best) return undefined;
    const { brand, candidates } = combineBrandEvidence(evidence ?? []);
    return {
      cluster_id: best.t.cluster,
      template: best.key,
      domains_seen: best.t.n_domains,
      matched_urls: best.t.urls.slice(0, MAX_URLS_KEPT),
      brand,
      weight: best.weight,
      brand_candidates: candidates,
      brands_seen: Object.keys(best.t.brands),
    };
  }

  /** The KITS file form (plain JSON data). */
  toJSON(): KitMemoryFile {
    const tables = { urls: new Map<string, number>(), sites: new Map<string, number>(), brands: new Map<string, number>(), dates: new Map<string, number>(), clusters: new Map<string, number>() };
    const idx = (m: Map<string, number>, v: string): number => {
      let i = m.get(v);
      if (i === undefined) m.set(v, (i = m.size));
      return i;
    };
    const templates: KitMemoryFile['templates'] = {};
    for (const [key, t] of Object.entries(this.state.templates)) {
      templates[key] = [
        t.n_domains,
        t.domains.map((d) => idx(tables.sites, d)),
        t.urls.map((u) => idx(tables.urls, u)),
        Object.entries(t.brands).map(([b, v]) => [idx(tables.brands, b), v.n, idx(tables.dates, v.last)] as [number, number, number]),
        idx(tables.clusters, t.cluster),
      ];
    }
    const list = (m: Map<string, number>) => [...m.keys()];
    return {
      version: KIT_MEMORY_VERSION,
      learned: this.state.learned,
      urls: list(tables.urls),
      sites: list(tables.sites),
      brands: list(tables.brands),
      dates: list(tables.dates),
      clusters: list(tables.clusters),
      templates,
    };
  }
}

function clusterId(key: string): string {
  return 'kit-' + createHash('sha1').update(key).digest('hex').slice(0, 10);
}
