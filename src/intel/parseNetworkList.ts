import { parseCidrV4 } from './parseIp.js';

export interface NetworkList {
  ranges: [number, number][];
  asns: number[];
  /** IPv6 CIDRs are recognised but not used (no IPv6 tables); counted so the log can say so. */
  skippedIpv6: number;
}

/**
 * Parse a user-supplied network list. Format, one entry per line:
 *
 * ```
 * # comment lines and trailing comments start with '#'
 * 203.0.113.0/24      IPv4 CIDR
 * 198.51.100.7        single IPv4 address
 * AS64500             ASN (also accepted: 'as64500' or a bare number 64500)
 * ```
 *
 * Blank lines are ignored. Any other line is an error naming the line, so a typo never silently
 * shrinks a blocklist.
 */
export function parseNetworkList(text: string, source = 'network list'): NetworkList {
  const out: NetworkList = { ranges: [], asns: [], skippedIpv6: 0 };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i].indexOf('#');
    const entry = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    if (entry === '') continue;
    const asMatch = /^(?:as)?(\d{1,10})$/i.exec(entry);
    if (asMatch && !entry.includes('.')) {
      const asn = Number(asMatch[1]);
      if (asn > 0 && asn <= 0xffffffff) {
        out.asns.push(asn);
        continue;
      }
    }
    const range = parseCidrV4(entry);
    if (range) {
      out.ranges.push(range);
      continue;
    }
    if (entry.includes(':')) {
      out.skippedIpv6++;
      continue;
    }
    throw new Error(`${source} line ${i + 1}: "${entry.slice(0, 80)}" is not an IPv4 CIDR, IPv4 address or ASN (e.g. 203.0.113.0/24 or AS64500)`);
  }
  return out;
}
