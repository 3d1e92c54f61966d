import { ipv4ToInt } from './parseIp.js';

/** What kabuguard knows about one IP address, offline. */
export interface IpInfo {
  /** Autonomous system number, 0 when unknown (IPv6, private or unrouted). */
  asn: number;
  /** AS organisation name, '' when unknown. */
  org: string;
  /** ISO 3166 alpha-2 country of the range, '' when unknown. */
  country: string;
  /** In a user-listed datacenter/hosting range or ASN. */
  hosting: boolean;
  /** In a user-listed VPN or proxy range. */
  vpn: boolean;
  /** In a user-listed Tor exit range. */
  tor: boolean;
}

/** Categories a user-supplied network list can be loaded as. */
export type NetworkCategory = 'hosting' | 'vpn' | 'tor';

/** Sorted, non-overlapping inclusive IPv4 ranges. */
interface RangeTable {
  first: Uint32Array;
  last: Uint32Array;
}

export interface IpIntelTables {
  /** IPv4 ranges → ASN, sorted by `first`, non-overlapping. */
  asn: RangeTable & { asn: Uint32Array };
  /** ASN → organisation name. */
  orgs: Map<number, string>;
  /** IPv4 ranges → country, two ASCII letters packed as `c0 << 8 | c1`. */
  country: RangeTable & { cc: Uint16Array };
  /** Per category: ranges and ASNs listed by the user. */
  networks: Record<NetworkCategory, RangeTable & { asns: Set<number> }>;
}

export const UNKNOWN_IP: IpInfo = Object.freeze({ asn: 0, org: '', country: '', hosting: false, vpn: false, tor: false });

/**
 * Offline IP intelligence: IP → ASN, AS organisation, country, and whether the address is in a
 * datacenter, VPN or Tor range the operator listed. Tables are sorted typed arrays searched by
 * bisection, so one lookup costs a few dozen comparisons and the whole IPv4 ASN table (≈400k
 * ranges) takes about 5 MB.
 */
export class IpIntel {
  constructor(private readonly t: IpIntelTables) {}

  lookup(ip: string): IpInfo {
    const n = ipv4ToInt(ip);
    if (n < 0) return UNKNOWN_IP;
    const ai = findRange(this.t.asn, n);
    const asn = ai >= 0 ? this.t.asn.asn[ai] : 0;
    const ci = findRange(this.t.country, n);
    const cc = ci >= 0 ? this.t.country.cc[ci] : 0;
    const inCategory = (c: NetworkCategory): boolean => {
      const net = this.t.networks[c];
      return findRange(net, n) >= 0 || (asn !== 0 && net.asns.has(asn));
    };
    return {
      asn,
      org: asn ? (this.t.orgs.get(asn) ?? '') : '',
      country: cc ? String.fromCharCode(cc >> 8, cc & 255) : '',
      hosting: inCategory('hosting'),
      vpn: inCategory('vpn'),
      tor: inCategory('tor'),
    };
  }

  /** Sizes of the loaded tables, for the startup log. */
  stats(): Record<string, number> {
    const n = this.t.networks;
    return {
      asn_ranges: this.t.asn.first.length,
      country_ranges: this.t.country.first.length,
      hosting_ranges: n.hosting.first.length,
      hosting_asns: n.hosting.asns.size,
      vpn_ranges: n.vpn.first.length,
      vpn_asns: n.vpn.asns.size,
      tor_ranges: n.tor.first.length,
    };
  }
}

/** Index of the range containing `n`, or -1. */
function findRange(t: RangeTable, n: number): number {
  let lo = 0;
  let hi = t.first.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (t.first[mid] <= n) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && n <= t.last[hi] ? hi : -1;
}

/** Sort ranges by start and merge overlapping or adjacent ones (user lists overlap freely). */
export function mergeRanges(ranges: [number, number][]): RangeTable {
  ranges.sort((a, b) => a[0] - b[0]);
  const first: number[] = [];
  const last: number[] = [];
  for (const [f, l] of ranges) {
    const k = last.length - 1;
    if (k >= 0 && f <= last[k] + 1) last[k] = Math.max(last[k], l);
    else {
      first.push(f);
      last.push(l);
    }
  }
  return { first: Uint32Array.from(first), last: Uint32Array.from(last) };
}

/** Pack a two-letter country code. */
export const packCountry = (cc: string): number => (cc.length === 2 ? (cc.charCodeAt(0) << 8) | cc.charCodeAt(1) : 0);
