import type { LoginEvent } from '../../events/schema.js';
import { networkOf, type IpInfo } from '../../intel/index.js';
import { parseUserAgent, type UserAgentInfo } from './parseUserAgent.js';

/**
 * The features of the login history (Freeman et al., NDSS 2016; das-group rba-algorithm): network
 * hierarchy IP → /24 → ASN → country, client hierarchy user agent → browser → OS → device type, the
 * device cookie, the hour of day (JST, 3-hour buckets), the channel (web/app/api) and the second
 * factor used (a customer who always uses an authenticator app now passing with none is a downgrade). Values are kept as 31-bit hashes so a
 * history costs a few numbers per value, not a string.
 */
export const FEATURES = ['ip', 'net', 'asn', 'country', 'device', 'ua', 'browser', 'os', 'devtype', 'hour', 'channel', 'mfa'] as const;
export type Feature = (typeof FEATURES)[number];
export const F = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<Feature, number>;

/** Features whose global popularity we count (low cardinality); IPs, networks and devices are too many. */
export const GLOBAL_FEATURES: ReadonlySet<number> = new Set([F.asn, F.country, F.ua, F.browser, F.os, F.devtype, F.hour, F.channel, F.mfa]);

export interface LoginFeatures {
  /** Hash per feature, index = `F[feature]`. */
  h: number[];
  /** Display values for reasons and notifications. */
  ip: string;
  net: string;
  info: IpInfo;
  ua: UserAgentInfo;
  device: string;
  hour: number;
}

const JST_MS = 9 * 3600_000;

export function extractLoginFeatures(ev: Pick<LoginEvent, 'ip' | 'user_agent' | 'device_id' | 'channel' | 'mfa'>, t: number, info: IpInfo, ua: UserAgentInfo = parseUserAgent(ev.user_agent)): LoginFeatures {
  const net = networkOf(ev.ip);
  const hour = Math.floor((((t + JST_MS) % 86_400_000) + 86_400_000) % 86_400_000 / 3600_000);
  const device = ev.device_id ?? '';
  const values = [
    ev.ip,
    net,
    asnValue(info, net),
    info.country || '??',
    device,
    ev.user_agent,
    ua.browser,
    ua.os,
    ua.device,
    String(Math.floor(hour / 3)),
    ev.channel,
    ev.mfa,
  ];
  return { h: values.map(hash31), ip: ev.ip, net, info, ua, device, hour };
}

/** FNV-1a, folded to 31 bits so values stay small integers in V8 arrays. */
export function hash31(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 1) & 0x3fffffff;
}

/** The ASN feature value; an unknown ASN (IPv6, private) falls back to the network so two unknowns do not look alike. */
const asnValue = (info: IpInfo, net: string): string => (info.asn ? `AS${info.asn}` : `net:${net}`);

/** Hash of the ASN feature of an address, to look it up in a history. */
export const hashAsn = (info: IpInfo, ip: string): number => hash31(asnValue(info, networkOf(ip)));
