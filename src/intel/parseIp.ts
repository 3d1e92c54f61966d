/**
 * IP address helpers for the login features. IPv4 addresses become unsigned 32-bit integers so the
 * range tables can be searched with typed arrays; IPv6 addresses are grouped by their /48, the usual
 * size of one customer site, since we ship no IPv6 range tables.
 */

/** The IPv4 address as an unsigned 32-bit integer, or -1 when `ip` is not a dotted IPv4 address. */
export function ipv4ToInt(ip: string): number {
  // IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is what dual-stack proxies often forward.
  const s = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return n * 256 + part;
}

/** Dotted form of an unsigned 32-bit IPv4 integer. */
export function intToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * The network an address belongs to for history purposes: the /24 of an IPv4 address, the /48 of an
 * IPv6 address (first three groups), or the raw string when it is neither (fails closed: an
 * unparseable address is its own network, never merged with a customer's known one).
 */
export function networkOf(ip: string): string {
  const v4 = ipv4ToInt(ip);
  if (v4 >= 0) return `${(v4 >>> 24) & 255}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.0/24`;
  if (ip.includes(':')) {
    const groups = expandIpv6(ip);
    if (groups) return `${groups.slice(0, 3).join(':')}::/48`;
  }
  return ip;
}

/** The 8 groups of an IPv6 address as lowercase hex without leading zeros, or undefined if malformed. */
function expandIpv6(ip: string): string[] | undefined {
  const zone = ip.indexOf('%');
  const s = (zone >= 0 ? ip.slice(0, zone) : ip).toLowerCase();
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  for (const g of groups) if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Parse `a.b.c.d/len` into an inclusive [first, last] IPv4 integer range, or undefined. */
export function parseCidrV4(cidr: string): [number, number] | undefined {
  const slash = cidr.indexOf('/');
  const base = ipv4ToInt(slash >= 0 ? cidr.slice(0, slash) : cidr);
  if (base < 0) return undefined;
  const len = slash >= 0 ? Number(cidr.slice(slash + 1)) : 32;
  if (!Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const size = 2 ** (32 - len);
  const first = base - (base % size);
  return [first, first + size - 1];
}
