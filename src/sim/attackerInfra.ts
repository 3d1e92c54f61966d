/**
 * Attacker infrastructure, drawn per campaign so no single knob identifies the attackers: cloud or
 * VPN exits, Japanese residential proxies, or both; one address per login, a small shared pool
 * (often a few addresses of one /24), or a rotating proxy that changes address on every request;
 * the victim's own user agent copied by the phishing kit, one fixed UA, or common/stale/headless UAs;
 * fresh, shared or no device cookie.
 */
import type { Device, SimAccount } from './Broker.js';
import { drawIp, drawIpInSame24, HOSTING, JP_RESIDENTIAL, type Network } from './networks.js';
import type { Rng } from './Rng.js';
import { attackerUserAgent, randomUaProfile, userAgentAt, type UaFamily } from './userAgents.js';

export interface Infra {
  kind: 'hosting' | 'jp_proxy' | 'mixed';
  ipMode: 'per_login' | 'shared' | 'rotating';
  uaMode: 'copy' | 'fixed' | 'common' | 'stale' | 'headless';
  deviceMode: 'fresh' | 'shared' | 'none';
  networks: Network[];
  pool: string[];
  fixedUa: string;
  sharedDevice: string;
}

const HOSTING_CHOICES: readonly (readonly [Network, number])[] = [
  [HOSTING.alibaba, 14],
  [HOSTING.alibabaCn, 6],
  [HOSTING.tencent, 12],
  [HOSTING.tencentCn, 5],
  [HOSTING.aws, 10],
  [HOSTING.digitalocean, 6],
  [HOSTING.ovh, 5],
  [HOSTING.vultr, 9],
  [HOSTING.hetzner, 4],
  [HOSTING.sakura, 5],
  [HOSTING.m247, 10],
];

export function createInfra(rng: Rng, t: number): Infra {
  const kind = rng.weighted([
    ['hosting', 55],
    ['jp_proxy', 25],
    ['mixed', 20],
  ] as const);
  const networks: Network[] = [];
  if (kind !== 'jp_proxy') for (let i = rng.int(1, 3); i > 0; i--) networks.push(rng.weighted(HOSTING_CHOICES));
  if (kind !== 'hosting') for (const [n] of JP_RESIDENTIAL) networks.push(n);
  const ipMode = kind === 'jp_proxy' ? rng.pick(['per_login', 'rotating'] as const) : rng.weighted([['per_login', 45], ['shared', 40], ['rotating', 15]] as const);
  const pool: string[] = [];
  for (let i = rng.int(2, 6); i > 0; i--) {
    pool.push(pool.length > 0 && rng.chance(0.5) ? drawIpInSame24(rng, rng.pick(pool)) : drawIp(rng, rng.pick(networks)));
  }
  return {
    kind,
    ipMode,
    uaMode: rng.weighted([['copy', 40], ['fixed', 25], ['common', 20], ['stale', 10], ['headless', 5]] as const),
    deviceMode: rng.weighted([['fresh', 65], ['shared', 20], ['none', 15]] as const),
    networks,
    pool,
    fixedUa: attackerUserAgent(rng, t, rng.pick(['common', 'stale'] as const)),
    sharedDevice: `d_${rng.hex(24)}`,
  };
}

/** Address for one login or request. */
export function infraIp(rng: Rng, infra: Infra): string {
  if (infra.ipMode === 'shared') return rng.pick(infra.pool);
  return drawIp(rng, rng.pick(infra.networks));
}

/** The UA a login sends: the phishing kit copies what the victim's browser sent to it. */
export function infraUa(rng: Rng, infra: Infra, victim: SimAccount, t: number): string {
  switch (infra.uaMode) {
    case 'copy':
      return userAgentAt(browserOf(rng, victim.devices[0]), t);
    case 'fixed':
      return infra.fixedUa;
    case 'common':
      return attackerUserAgent(rng, t, 'common');
    case 'stale':
      return attackerUserAgent(rng, t, 'stale');
    case 'headless':
      return attackerUserAgent(rng, t, 'headless');
  }
}

export function infraDevice(rng: Rng, infra: Infra): string | undefined {
  if (infra.deviceMode === 'none') return undefined;
  if (infra.deviceMode === 'shared') return infra.sharedDevice;
  return `d_${rng.hex(24)}`;
}

/** An app device opens the phishing link in the phone's browser, so the kit sees that browser's UA. */
function browserOf(rng: Rng, d: Device) {
  const map: Partial<Record<UaFamily, UaFamily>> = { 'iphone-app': 'iphone-safari', 'android-app': 'android-chrome' };
  const fam = map[d.ua.family];
  return fam ? { ...randomUaProfile(rng, fam), model: d.ua.model, lagDays: d.ua.lagDays } : d.ua;
}
