/**
 * User-agent strings as brokers see them. Browsers auto-update, so the version in a device's UA
 * moves with the calendar (Chrome/Edge every four weeks, Safari with iOS/macOS point releases):
 * a returning device does not keep one UA string forever.
 */
import type { Rng } from './Rng.js';

export type UaFamily =
  | 'win-chrome'
  | 'win-edge'
  | 'win-firefox'
  | 'mac-safari'
  | 'mac-chrome'
  | 'iphone-safari'
  | 'ipad-safari'
  | 'android-chrome'
  | 'iphone-app'
  | 'android-app';

export interface UaProfile {
  family: UaFamily;
  /** Model or OS detail fixed for the device (Android model code, iOS major). */
  model: string;
  /** Days this device lags behind the newest browser release (some users update late). */
  lagDays: number;
}

const CHROME_135 = Date.UTC(2025, 3, 1);
const DAY = 86_400_000;
const ANDROID_MODELS = ['SO-51D', 'SC-51E', 'SH-52D', 'A302SH', 'Pixel 8', 'Pixel 7a', 'SOG11', 'A201SO', 'XQ-DQ44', 'F-51C'];

export const WEB_FAMILIES: readonly (readonly [UaFamily, number])[] = [
  ['win-chrome', 34],
  ['win-edge', 22],
  ['win-firefox', 3],
  ['mac-safari', 9],
  ['mac-chrome', 6],
  ['iphone-safari', 16],
  ['ipad-safari', 4],
  ['android-chrome', 6],
];

export function randomUaProfile(rng: Rng, family: UaFamily): UaProfile {
  const model = family.startsWith('android') ? rng.pick(ANDROID_MODELS) : family === 'iphone-app' || family === 'iphone-safari' ? rng.pick(['17', '18', '18', '18']) : '';
  return { family, model, lagDays: rng.chance(0.2) ? rng.int(30, 200) : rng.int(0, 20) };
}

export function isMobileFamily(f: UaFamily): boolean {
  return f === 'iphone-safari' || f === 'android-chrome' || f === 'iphone-app' || f === 'android-app' || f === 'ipad-safari';
}

/** The UA string the device sends at time `t` (epoch ms). */
export function userAgentAt(p: UaProfile, t: number): string {
  const age = (t - p.lagDays * DAY - CHROME_135) / DAY;
  const chrome = 135 + Math.floor(age / 28);
  const ios = p.model === '17' ? '17_7' : `18_${Math.min(6, Math.max(3, 3 + Math.floor(age / 45)))}`;
  const iosDot = ios.replace('_', '.');
  const safari = `18.${Math.min(6, Math.max(3, 3 + Math.floor(age / 45)))}`;
  const appVer = `5.${12 + Math.floor(age / 21)}.0`;
  switch (p.family) {
    case 'win-chrome':
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36`;
    case 'win-edge':
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36 Edg/${chrome}.0.0.0`;
    case 'win-firefox':
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${137 + Math.floor(age / 28)}.0) Gecko/20100101 Firefox/${137 + Math.floor(age / 28)}.0`;
    case 'mac-safari':
      return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${safari} Safari/605.1.15`;
    case 'mac-chrome':
      return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36`;
    case 'iphone-safari':
      return `Mozilla/5.0 (iPhone; CPU iPhone OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${p.model === '17' ? '17.7' : iosDot} Mobile/15E148 Safari/604.1`;
    case 'ipad-safari':
      return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${safari} Safari/605.1.15`;
    case 'android-chrome':
      return `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Mobile Safari/537.36`;
    case 'iphone-app':
      return `KabuTradeApp/${appVer} (iPhone; iOS ${p.model === '17' ? '17.7' : iosDot}; ja_JP)`;
    case 'android-app':
      return `KabuTradeApp/${appVer} (Android 14; ${p.model}; ja_JP)`;
  }
}

/** UAs attackers' tooling sends when it does not copy the victim's. */
export function attackerUserAgent(rng: Rng, t: number, style: 'common' | 'stale' | 'headless' | 'script'): string {
  const age = (t - CHROME_135) / DAY;
  const chrome = 135 + Math.floor(age / 28);
  switch (style) {
    case 'common':
      return userAgentAt(randomUaProfile(rng, rng.pick(['win-chrome', 'win-chrome', 'win-edge', 'mac-chrome', 'iphone-safari'] as const)), t);
    case 'stale':
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome - rng.int(8, 30)}.0.0.0 Safari/537.36`;
    case 'headless':
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/${chrome - rng.int(0, 3)}.0.0.0 Safari/537.36`;
    case 'script':
      return rng.pick(['python-requests/2.32.3', 'Go-http-client/1.1', 'okhttp/4.12.0', 'axios/1.7.9']);
  }
}
