/**
 * Real IPv4 ranges of the networks the simulated customers and attackers use. Every range is a row
 * of the npm-shipped @ip-location-db/asn database (first_ip,last_ip,asn), the same table the login
 * detector maps IPs with, so an address drawn here maps to the ASN it was drawn for
 * (`networks.test.ts` checks each row against the CSV).
 */
import type { Rng } from './Rng.js';

export type NetworkKind = 'residential' | 'mobile' | 'hosting' | 'vpn' | 'corporate';

export interface Network {
  key: string;
  asn: number;
  org: string;
  /** ISO 3166 alpha-2 of where the addresses are used. */
  country: string;
  kind: NetworkKind;
  ranges: readonly (readonly [string, string])[];
}

const N = (key: string, asn: number, org: string, country: string, kind: NetworkKind, ranges: [string, string][]): Network => ({
  key,
  asn,
  org,
  country,
  kind,
  ranges,
});

/** Japanese fixed-line residential ISPs, weighted roughly by subscriber share. */
export const JP_RESIDENTIAL: readonly (readonly [Network, number])[] = [
  [N('ocn', 4713, 'NTT Communications (OCN)', 'JP', 'residential', [['153.128.0.0', '153.253.255.255'], ['180.0.0.0', '180.63.255.255'], ['114.144.0.0', '114.191.255.255'], ['118.0.0.0', '118.23.255.255'], ['60.32.0.0', '60.47.255.255'], ['122.16.0.0', '122.31.255.255']]), 26],
  [N('kddi', 2516, 'KDDI (au Hikari)', 'JP', 'residential', [['111.96.0.0', '111.111.255.255'], ['59.131.0.0', '59.143.255.255'], ['113.144.0.0', '113.154.255.255'], ['222.0.0.0', '222.8.255.255']]), 16],
  [N('softbank-bb', 17676, 'SoftBank (SoftBank Hikari / Yahoo BB)', 'JP', 'residential', [['60.64.0.0', '60.159.255.255'], ['221.48.0.0', '221.111.255.255'], ['219.16.0.0', '219.63.255.255'], ['219.168.0.0', '219.215.255.255'], ['218.112.0.0', '218.143.255.255']]), 18],
  [N('sonet', 2527, 'Sony Network Communications (NURO / So-net)', 'JP', 'residential', [['182.168.0.0', '182.171.255.255'], ['223.132.0.0', '223.135.255.255'], ['118.236.0.0', '118.238.127.255'], ['39.110.0.0', '39.111.255.255'], ['59.146.0.0', '59.147.255.255']]), 9],
  [N('jcom', 9824, 'JCOM', 'JP', 'residential', [['27.136.0.0', '27.143.255.255'], ['42.144.0.0', '42.151.255.255'], ['110.128.0.0', '110.135.255.255'], ['119.168.0.0', '119.175.255.255'], ['125.8.0.0', '125.15.255.255']]), 9],
  [N('optage', 17511, 'OPTAGE (eo)', 'JP', 'residential', [['121.80.0.0', '121.87.255.255'], ['58.188.0.0', '58.191.255.255'], ['101.140.0.0', '101.143.255.255'], ['112.68.0.0', '112.71.255.255']]), 7],
  [N('arteria', 2519, 'ARTERIA Networks', 'JP', 'residential', [['222.229.128.0', '222.230.255.255'], ['133.175.0.0', '133.175.255.255'], ['202.215.0.0', '202.215.255.255']]), 5],
  [N('ctc', 18126, 'Chubu Telecommunications (commufa)', 'JP', 'residential', [['115.36.0.0', '115.39.255.255'], ['180.196.0.0', '180.199.255.255']]), 5],
  [N('qtnet', 7679, 'QTnet (BBIQ)', 'JP', 'residential', [['58.3.0.0', '58.3.255.255'], ['116.94.0.0', '116.94.255.255'], ['124.159.0.0', '124.159.255.255']]), 5],
];

/** Japanese mobile carriers: addresses come from carrier-grade NAT pools and change every session. */
export const JP_MOBILE: readonly (readonly [Network, number])[] = [
  [N('docomo', 9605, 'NTT docomo', 'JP', 'mobile', [['27.228.0.0', '27.230.39.255'], ['49.98.60.0', '49.99.255.255'], ['110.160.0.0', '110.161.195.255'], ['1.66.96.0', '1.67.237.255'], ['49.110.124.0', '49.111.255.255']]), 36],
  [N('au', 2516, 'KDDI au', 'JP', 'mobile', [['106.128.0.0', '106.191.255.255']]), 30],
  [N('softbank-mobile', 17676, 'SoftBank mobile', 'JP', 'mobile', [['126.53.0.0', '126.95.255.255']]), 24],
  [N('rakuten-mobile', 138384, 'Rakuten Mobile', 'JP', 'mobile', [['157.192.0.0', '157.192.255.255'], ['133.106.8.0', '133.106.255.255'], ['110.165.128.0', '110.165.255.255']]), 10],
];

/** Cloud and VPS providers (attack infrastructure, VPN exits, some corporate egress). */
export const HOSTING = {
  aws: N('aws', 16509, 'Amazon AWS', 'US', 'hosting', [['3.96.0.0', '3.207.255.255'], ['18.100.0.0', '18.153.255.255']]),
  alibaba: N('alibaba', 45102, 'Alibaba Cloud (intl)', 'SG', 'hosting', [['47.77.128.0', '47.87.23.255'], ['47.238.28.0', '47.245.155.255'], ['8.208.0.0', '8.208.135.255']]),
  alibabaCn: N('alibaba-cn', 37963, 'Alibaba Cloud (CN)', 'CN', 'hosting', [['47.92.0.0', '47.123.255.255'], ['8.128.0.0', '8.148.31.255']]),
  tencent: N('tencent', 132203, 'Tencent Cloud (intl)', 'HK', 'hosting', [['43.159.128.0', '43.167.255.255'], ['43.128.0.0', '43.131.127.255']]),
  tencentCn: N('tencent-cn', 45090, 'Tencent Cloud (CN)', 'CN', 'hosting', [['43.136.0.0', '43.145.255.255'], ['49.232.0.0', '49.235.255.255'], ['81.68.0.0', '81.71.255.255'], ['124.220.0.0', '124.223.255.255']]),
  digitalocean: N('digitalocean', 14061, 'DigitalOcean', 'US', 'hosting', [['45.55.0.0', '45.55.255.255'], ['46.101.0.0', '46.101.255.255'], ['68.183.0.0', '68.183.255.255'], ['104.131.0.0', '104.131.255.255'], ['104.248.0.0', '104.248.255.255']]),
  ovh: N('ovh', 16276, 'OVH', 'FR', 'hosting', [['54.36.0.0', '54.39.255.255'], ['51.254.0.0', '51.255.255.255'], ['141.94.0.0', '141.95.255.255'], ['178.32.0.0', '178.33.255.255']]),
  vultr: N('vultr', 20473, 'Vultr (The Constant Company)', 'JP', 'hosting', [['45.76.0.0', '45.77.255.255'], ['45.32.0.0', '45.32.255.255'], ['149.28.8.0', '149.28.255.255']]),
  hetzner: N('hetzner', 24940, 'Hetzner', 'DE', 'hosting', [['5.9.0.0', '5.9.255.255'], ['65.108.0.0', '65.109.255.255'], ['78.46.0.0', '78.47.255.255']]),
  sakura: N('sakura', 9370, 'SAKURA Internet', 'JP', 'hosting', [['160.16.0.0', '160.16.255.255'], ['163.43.0.0', '163.43.255.255']]),
  m247: N('m247', 9009, 'M247 (commercial VPN exits)', 'RO', 'vpn', [['146.70.8.0', '146.70.215.255'], ['92.50.14.0', '92.50.63.255']]),
} as const;

/** Corporate egress: secure web gateways and company networks. */
export const CORPORATE = {
  zscaler: N('zscaler', 53813, 'Zscaler', 'JP', 'corporate', [['167.103.2.0', '167.103.49.255'], ['101.2.214.0', '101.2.250.255']]),
  azure: N('azure', 8075, 'Microsoft Azure', 'JP', 'corporate', [['20.184.0.0', '20.255.255.255'], ['52.146.0.0', '52.191.255.255']]),
  iij: N('iij', 2497, 'Internet Initiative Japan (business)', 'JP', 'corporate', [['133.110.0.0', '133.111.255.255'], ['210.148.132.0', '210.149.255.255']]),
} as const;

/** Residential networks abroad (travellers, a few foreign-resident customers). */
export const FOREIGN_RESIDENTIAL: readonly Network[] = [
  N('comcast', 7922, 'Comcast', 'US', 'residential', [['73.0.0.0', '73.255.255.255'], ['98.192.0.0', '98.255.255.255']]),
  N('kt', 4766, 'Korea Telecom', 'KR', 'residential', [['175.214.184.0', '175.255.255.255'], ['14.63.192.0', '14.95.255.255']]),
  N('hinet', 3462, 'Chunghwa Telecom (HiNet)', 'TW', 'residential', [['1.160.0.0', '1.175.255.255'], ['36.224.0.0', '36.239.255.255'], ['114.32.0.0', '114.47.255.255']]),
  N('pccw', 4760, 'PCCW (HKT)', 'HK', 'residential', [['219.76.224.0', '219.79.255.255'], ['112.118.0.0', '112.120.255.255']]),
  N('singtel', 9506, 'Singtel', 'SG', 'residential', [['121.6.0.0', '121.7.255.255']]),
  N('true', 17552, 'True Internet', 'TH', 'residential', [['58.8.0.0', '58.11.255.255'], ['110.168.0.0', '110.169.255.255']]),
  N('bt', 2856, 'British Telecom', 'GB', 'residential', [['86.128.0.0', '86.191.255.255'], ['81.128.0.0', '81.159.255.255']]),
  N('dtag', 3320, 'Deutsche Telekom', 'DE', 'residential', [['79.192.0.0', '79.255.255.255'], ['84.128.0.0', '84.191.255.255']]),
  N('orange', 3215, 'Orange', 'FR', 'residential', [['90.0.0.0', '90.36.127.255'], ['86.192.0.0', '86.223.255.255']]),
  N('viettel', 7552, 'Viettel', 'VN', 'residential', [['115.72.0.0', '115.79.255.255']]),
  N('chinanet', 4134, 'Chinanet', 'CN', 'residential', [['115.200.224.0', '115.219.255.255'], ['223.144.0.0', '223.159.255.255']]),
];

export const ALL_NETWORKS: readonly Network[] = [
  ...JP_RESIDENTIAL.map(([n]) => n),
  ...JP_MOBILE.map(([n]) => n),
  ...Object.values(HOSTING),
  ...Object.values(CORPORATE),
  ...FOREIGN_RESIDENTIAL,
];

export function ipToNumber(ip: string): number {
  const p = ip.split('.');
  return ((+p[0] << 24) >>> 0) + (+p[1] << 16) + (+p[2] << 8) + +p[3];
}

export function numberToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const numeric = new WeakMap<Network, { lo: number; size: number }[]>();

/** A host address (never .0 or .255) drawn uniformly from the network's ranges, weighted by size. */
export function drawIp(rng: Rng, net: Network): string {
  let ranges = numeric.get(net);
  if (!ranges) {
    ranges = net.ranges.map(([a, b]) => ({ lo: ipToNumber(a), size: ipToNumber(b) - ipToNumber(a) + 1 }));
    numeric.set(net, ranges);
  }
  let total = 0;
  for (const r of ranges) total += r.size;
  let x = Math.floor(rng.next() * total);
  for (const { lo, size } of ranges) {
    if (x < size) return numberToIp(hostIn(lo + x, lo, lo + size - 1));
    x -= size;
  }
  return numberToIp(ranges[0].lo + 1);
}

/** Another host in the same /24 as `ip` (attackers renting several addresses from one block). */
export function drawIpInSame24(rng: Rng, ip: string): string {
  const base = ipToNumber(ip) & 0xffffff00;
  return numberToIp(base + rng.int(2, 253));
}

function hostIn(n: number, lo: number, hi: number): number {
  const last = n & 255;
  if (last === 0) n += 1;
  if (last === 255) n -= 1;
  return Math.min(Math.max(n, lo), hi);
}
