import { Engine } from '../../engine/Engine.js';
import type { Alert, Decision, Notification } from '../../engine/types.js';
import type { KgEvent, LoginEvent } from '../../events/schema.js';
import { createIpIntel } from '../../intel/createIpIntel.js';
import { ipv4ToInt } from '../../intel/parseIp.js';
import { LoginDefence, type LoginDefenceOptions } from './LoginDefence.js';

/**
 * A small hand-made world for the login tests: a Japanese home ISP, a Japanese mobile carrier, a
 * hosting provider in the datacenter list, a foreign residential ISP, a Japanese business ISP, and
 * a commercial VPN whose exits the country table places in Romania (in no list, as when a broker
 * supplies none).
 */
const range = (a: string, b: string) => `${ipv4ToInt(a)},${ipv4ToInt(b)}`;
export const testIntel = createIpIntel({
  asnCsv: [
    `${range('10.1.0.0', '10.1.255.255')},2516,KDDI CORPORATION`,
    `${range('10.2.0.0', '10.2.255.255')},9605,NTT DOCOMO`,
    `${range('10.3.0.0', '10.3.255.255')},64500,Example Hosting Ltd`,
    `${range('10.4.0.0', '10.4.255.255')},4134,CHINANET`,
    `${range('10.5.0.0', '10.5.255.255')},4713,NTT Communications`,
    `${range('10.6.0.0', '10.6.255.255')},9009,M247 Europe SRL`,
  ].join('\n'),
  countryCsv: [`${range('10.1.0.0', '10.3.255.255')},JP`, `${range('10.4.0.0', '10.4.255.255')},CN`, `${range('10.5.0.0', '10.5.255.255')},JP`, `${range('10.6.0.0', '10.6.255.255')},RO`].join('\n'),
  networkLists: [{ category: 'hosting', text: '# test datacenter list\nAS64500\n' }],
});

export const UA_PC = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
export const UA_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
export const UA_ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

export const T0 = Date.parse('2025-04-01T00:00:00Z');
export const iso = (t: number): string => new Date(t).toISOString();

let seq = 0;
export function login(t: number, o: Partial<LoginEvent> & { account_id: string | null }): LoginEvent {
  const id = o.id ?? `L${++seq}`;
  return {
    type: 'login',
    id,
    ts: iso(t),
    login_id_fp: o.account_id ?? `unknown-${id}`,
    ip: '10.1.0.10',
    user_agent: UA_PC,
    device_id: `dev-${o.account_id}`,
    channel: 'web',
    outcome: 'success',
    mfa: 'sms',
    session_id: o.outcome && o.outcome !== 'success' ? undefined : `S-${id}`,
    ...o,
  } as LoginEvent;
}

export interface Harness {
  engine: Engine;
  detector: LoginDefence;
  alerts: Alert[];
  notifications: Notification[];
  run(ev: KgEvent, t?: number): Decision | undefined;
}

export function harness(opts: LoginDefenceOptions = {}): Harness {
  const detector = new LoginDefence({ ipLookup: (ip) => testIntel.lookup(ip), ...opts });
  const engine = new Engine({ detectors: [detector] });
  const alerts: Alert[] = [];
  const notifications: Notification[] = [];
  return {
    engine,
    detector,
    alerts,
    notifications,
    run(ev, t) {
      const r = engine.process(ev, t ?? Date.parse(ev.ts));
      alerts.push(...r.alerts);
      notifications.push(...r.notifications);
      return r.decision;
    },
  };
}

/**
 * A small customer base (ten customers, twelve logins each, on the home ISP and the mobile carrier)
 * so values have a global popularity, as in any real broker.
 */
export function buildPopulation(h: Harness, start = T0): void {
  for (let c = 0; c < 10; c++) {
    for (let i = 0; i < 12; i++) {
      const t = start + i * 86_400_000 + c * 60_000;
      const mobile = c % 2 === 1;
      h.run(login(t, { account_id: `pop${c}`, ip: mobile ? `10.2.${c}.${i}` : `10.1.${c}.5`, user_agent: mobile ? UA_ANDROID : UA_PC, device_id: `pop-dev${c}` }));
    }
  }
}

/** Twelve ordinary logins over twelve days from the customer's home network and PC. */
export function buildHabit(h: Harness, account_id: string, start = T0, o: Partial<LoginEvent> = {}): number {
  if (!h.detector.accountCount) buildPopulation(h, start);
  let t = start;
  for (let i = 0; i < 12; i++) {
    t = start + i * 86_400_000 + 3600_000 * (i % 3);
    h.run(login(t, { account_id, ip: `10.1.0.${10 + (i % 3)}`, ...o }));
  }
  return t;
}
