import { describe, expect, it } from 'vitest';
import { createIpIntel } from './createIpIntel.js';
import { ipv4ToInt, networkOf } from './parseIp.js';
import { parseNetworkList } from './parseNetworkList.js';

const n = (ip: string) => ipv4ToInt(ip);
const intel = createIpIntel({
  asnCsv: `${n('1.0.0.0')},${n('1.0.0.255')},13335,"Cloudflare, Inc."\n${n('126.0.0.0')},${n('126.255.255.255')},17676,SoftBank Corp.\n`,
  countryCsv: `${n('126.0.0.0')},${n('126.255.255.255')},JP\n`,
  networkLists: [
    { category: 'hosting', text: 'AS13335 # CDN\n' },
    { category: 'vpn', text: '# exits\n126.10.0.0/16\n' },
  ],
});

describe('IP intelligence', () => {
  it('maps an address to ASN, organisation and country', () => {
    expect(intel.lookup('126.1.2.3')).toMatchObject({ asn: 17676, org: 'SoftBank Corp.', country: 'JP', hosting: false, vpn: false });
    expect(intel.lookup('1.0.0.1')).toMatchObject({ asn: 13335, org: 'Cloudflare, Inc.', hosting: true });
    expect(intel.lookup('126.10.9.9').vpn).toBe(true);
  });

  it('answers unknown for gaps, IPv6 and garbage instead of guessing', () => {
    for (const ip of ['2.2.2.2', '2001:db8::1', 'not-an-ip', '1.2.3.256', '1.2.3']) expect(intel.lookup(ip).asn).toBe(0);
  });

  it('groups addresses by /24 and IPv6 /48', () => {
    expect(networkOf('126.1.2.3')).toBe('126.1.2.0/24');
    expect(networkOf('2001:db8:1:2::5')).toBe('2001:db8:1::/48');
  });

  describe('malformed network lists', () => {
    it('names the bad line', () => {
      expect(() => parseNetworkList('1.2.3.0/24\n1.2.3.0/33\n', 'vpn.txt')).toThrow(/vpn.txt line 2/);
    });
    it('accepts comments, blank lines, bare IPs and ASNs in any case', () => {
      const l = parseNetworkList('# c\n\n198.51.100.7\nas64500 # x\n64501\n2001:db8::/32\n');
      expect(l.ranges).toEqual([[n('198.51.100.7'), n('198.51.100.7')]]);
      expect(l.asns).toEqual([64500, 64501]);
      expect(l.skippedIpv6).toBe(1);
    });
  });
});
