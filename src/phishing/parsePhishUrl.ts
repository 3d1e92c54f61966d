/**
 * Split a reported URL into the parts the lexical analysis and the kit memory read: registered domain
 * with private suffixes honoured (tldts: `x.workers.dev` is its own site), subdomain labels, decoded
 * path segments (SPA routes after `#/` included, kits put their login route there) and query keys.
 */
import { domainToUnicode } from 'node:url';
import { parse as parseTld } from 'tldts';

export interface PhishUrlParts {
  href: string;
  /** ASCII (punycode) hostname, lower case, no trailing dot. */
  hostname: string;
  /** Unicode form of the hostname when it has `xn--` labels, else the same as `hostname`. */
  unicodeHost: string;
  isIp: boolean;
  /** Registrable domain (private suffixes honoured), null for IPs and bare suffixes. */
  domain: string | null;
  /** The label left of the public suffix (the part an attacker registers or picks). */
  domainLabel: string;
  publicSuffix: string;
  /** True when the suffix is a private one (hosting or dynamic-DNS zone): `domainLabel` is user-chosen. */
  privateSuffix: boolean;
  /** Subdomain labels left to right, in Unicode form. */
  subLabels: string[];
  /** Path segments (decoded, NFKC, lower case), then the segments of a `#/route` fragment. */
  pathSegments: string[];
  /** The path as written (letter case kept, still percent-encoded): kits' random tokens mix cases. */
  rawPath: string;
  /** Query parameter names (lower case). */
  queryKeys: string[];
  /** Query values (lower case, decoded), for brand tokens such as `?sbisecjapan=login`. */
  queryValues: string[];
}

/** Malformed input: the message says what is wrong with the URL. */
export class PhishInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhishInputError';
  }
}

const MAX_URL = 8192;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function splitPath(p: string, out: string[]): void {
  if (p === '/' || p === '') return;
  for (const raw of p.split('/')) {
    if (raw === '') continue;
    const d = raw.includes('%') ? safeDecode(raw) : raw;
    out.push((/[^\x00-\x7f]/.test(d) ? d.normalize('NFKC') : d).toLowerCase());
  }
}

/** Parse one URL; throws PhishInputError when it is not an http(s) URL with a host. */
export function parsePhishUrl(input: string): PhishUrlParts {
  const text = input.trim();
  if (text === '') throw new PhishInputError('empty URL');
  if (text.length > MAX_URL) throw new PhishInputError(`URL longer than ${MAX_URL} characters`);
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) throw new PhishInputError('URL contains control characters (binary input?)');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new PhishInputError(`not a parsable URL: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PhishInputError(`scheme ${u.protocol} is not http or https`);
  const hostname = u.hostname.replace(/\.$/, '').toLowerCase();
  if (hostname === '') throw new PhishInputError('URL has no host');
  const isBracketed = hostname.startsWith('[');
  const unicodeHost = hostname.includes('xn--') ? domainToUnicode(hostname) || hostname : hostname;
  const t = parseTld(isBracketed ? hostname.slice(1, -1) : hostname, { allowPrivateDomains: true, extractHostname: false });
  const isIp = isBracketed || t.isIp === true;
  if (!isIp && !hostname.includes('.')) throw new PhishInputError(`host ${JSON.stringify(hostname)} has no dot (not a public hostname)`);
  const domain = isIp ? null : t.domain;
  const sub = isIp || !t.subdomain ? [] : t.subdomain.split('.');
  const uniLabels = unicodeHost === hostname ? undefined : unicodeHost.split('.');
  const uniSub = uniLabels ? uniLabels.slice(0, sub.length) : sub;
  const pathSegments: string[] = [];
  splitPath(u.pathname, pathSegments);
  const hash = u.hash;
  if (hash.startsWith('#/') || hash.startsWith('#!/')) splitPath(hash.replace(/^#!?/, ''), pathSegments);
  const queryKeys: string[] = [];
  const queryValues: string[] = [];
  if (u.search.length > 1) {
    for (const [k, v] of u.searchParams) {
      if (k) queryKeys.push(k.toLowerCase());
      if (v) queryValues.push(v.toLowerCase());
    }
  }
  return {
    href: u.href,
    hostname,
    unicodeHost,
    isIp,
    domain: domain ?? null,
    domainLabel: isIp ? '' : uniLabels ? (uniLabels[sub.length] ?? '') : (t.domainWithoutSuffix ?? ''),
    publicSuffix: t.publicSuffix ?? '',
    privateSuffix: t.isPrivate === true,
    subLabels: uniSub,
    pathSegments,
    rawPath: u.pathname,
    queryKeys,
    queryValues,
  };
}
