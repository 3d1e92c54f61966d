/**
 * Ordinary customers: who they are (many elderly, mostly Japanese residents holding Prime names),
 * their devices and networks, and what they do on a day (log in now and then, sometimes mistype the
 * password, trade their usual names in their usual sizes, move cash to and from their own bank).
 */
import type { Broker, Device, SimAccount, SimSession } from './Broker.js';
import { HOUR, MINUTE } from './calendar.js';
import type { InstrumentSpec } from './instruments.js';
import type { LabelBook } from './LabelBook.js';
import { CORPORATE, drawIp, HOSTING, JP_MOBILE, JP_RESIDENTIAL, type Network } from './networks.js';
import type { Rng } from './Rng.js';
import { isMobileFamily, randomUaProfile, userAgentAt, WEB_FAMILIES, type UaFamily } from './userAgents.js';

/** One simulated day as the agents see it. */
export interface DayCtx {
  rng: Rng;
  broker: Broker;
  /** 00:00 JST of the day's date. */
  midnight: number;
  windowStart: number;
  windowEnd: number;
  /** TSE is open today. */
  tradingDay: boolean;
  dayIndex: number;
  labels: LabelBook;
}

/** Time slots of the day (hours after 00:00 JST; the last runs past midnight). */
export const SLOTS: readonly (readonly [number, number])[] = [
  [7, 9], // before the open
  [9, 11.5], // morning session
  [11.5, 12.5], // lunch break
  [12.5, 15.5], // afternoon session
  [15.5, 18],
  [18, 22.5],
  [22.5, 26], // US session, late night
];
const SLOT_PROFILES = {
  retired: [0.2, 0.36, 0.1, 0.2, 0.07, 0.07, 0.0],
  worker: [0.16, 0.05, 0.26, 0.05, 0.06, 0.34, 0.08],
  trader: [0.1, 0.38, 0.1, 0.3, 0.04, 0.05, 0.03],
  usInvestor: [0.08, 0.1, 0.12, 0.08, 0.06, 0.3, 0.26],
};

export interface CustomerUniverse {
  large: InstrumentSpec[];
  thin: InstrumentSpec[];
  mid: InstrumentSpec[];
  foreignLarge: InstrumentSpec[];
  us: InstrumentSpec[];
}

const BIRTH_DECADES: readonly (readonly [[number, number], number])[] = [
  [[1933, 1944], 10],
  [[1945, 1954], 22],
  [[1955, 1964], 22],
  [[1965, 1974], 18],
  [[1975, 1984], 14],
  [[1985, 1994], 9],
  [[1995, 2006], 5],
];

/** A new ordinary customer. `openedAt` may fall inside the simulated period (a new account). */
export function createCustomer(rng: Rng, broker: Broker, id: string, openedAt: number, u: CustomerUniverse, refYear: number): SimAccount {
  const [lo, hi] = rng.weighted(BIRTH_DECADES);
  const birthYear = rng.int(lo, hi);
  const age = refYear - birthYear;
  const retired = age >= 66;
  const persona = rng.chance(0.08) ? 'trader' : rng.chance(0.05) ? 'usInvestor' : retired ? 'retired' : 'worker';
  // A few route everything through a commercial VPN or their employer's gateway, even at home.
  const home = rng.chance(0.008) ? rng.pick([HOSTING.m247, HOSTING.m247, CORPORATE.zscaler, HOSTING.aws]) : rng.weighted(JP_RESIDENTIAL);
  const mobile = rng.weighted(JP_MOBILE);
  const devices = createDevices(rng, age);
  const hasWork = !retired && rng.chance(0.1);
  if (hasWork) devices.push({ id: `d_${rng.hex(24)}`, ua: randomUaProfile(rng, rng.pick(['win-chrome', 'win-edge'] as const)), channel: 'web', net: 'work', weight: 0.6 });
  const work: Network | undefined = hasWork ? rng.pick(Object.values(CORPORATE)) : undefined;
  const value = rng.lognormal(age >= 70 ? 9e6 : age >= 55 ? 4.5e6 : age >= 40 ? 2e6 : 6e5, 1.0);
  const holdings = new Map<string, number>();
  const nNames = Math.min(10, 1 + rng.poisson(age >= 60 ? 3 : 1.6));
  const names: InstrumentSpec[] = [];
  for (let i = 0; i < nNames; i++) {
    const r = rng.next();
    names.push(r < 0.78 ? rng.pick(u.large) : r < 0.84 ? rng.pick(u.mid) : r < 0.88 ? rng.pick(u.thin) : r < 0.95 ? rng.pick(u.us) : rng.pick(u.foreignLarge));
  }
  if (persona === 'usInvestor') names.push(rng.pick(u.us), rng.pick(u.us));
  for (const s of names) {
    const qty = Math.max(s.lot, Math.round((value / names.length / (s.price0 * s.fx)) * rng.uniform(0.5, 1.5) / s.lot) * s.lot);
    holdings.set(s.symbol, (holdings.get(s.symbol) ?? 0) + qty);
  }
  const favorites = [...holdings.keys()];
  for (let i = rng.int(1, 4); i > 0; i--) favorites.push(rng.pick(u.large).symbol);
  if (rng.chance(0.08)) favorites.push(rng.pick(u.mid).symbol);
  if (persona === 'usInvestor') favorites.push(rng.pick(u.us).symbol);
  const rate = persona === 'trader' ? rng.lognormal(2.5, 0.4) : rng.chance(0.42) ? rng.lognormal(0.5, 0.5) : rng.lognormal(0.07, 0.8);
  const secret = rng.hex(16);
  return {
    id,
    kind: 'customer',
    openedAt,
    birthYear,
    residence: rng.chance(0.985) ? 'JP' : rng.pick(['US', 'SG', 'HK', 'GB', 'TH']),
    holdings,
    cash: Math.round(rng.lognormal(value * 0.15 + 2e5, 0.9)),
    loginFp: broker.fingerprint('login', id),
    secretFp: broker.fingerprint('pw', secret),
    mfa: rng.weighted([
      ['sms', 40],
      ['app_push', 22],
      ['totp', 15],
      ['passkey', age < 60 ? 16 : 8],
      ['email', 6],
      ['none', 4],
    ] as const),
    devices,
    home,
    homeIp: drawIp(rng, home),
    mobile,
    work,
    workIp: work ? drawIp(rng, work) : undefined,
    loginRate: Math.min(6, Math.max(0.01, rate)),
    tradeProb: persona === 'trader' ? 0.75 : rng.uniform(0.15, 0.45),
    slots: SLOT_PROFILES[persona],
    favorites,
    bankFp: broker.fingerprint('bank', rng.hex(12)),
    margin: rng.chance(persona === 'trader' ? 0.35 : 0.04),
    typoRate: age >= 70 ? 0.06 : 0.03,
    failStreak: 0,
    lockedUntil: 0,
    lastFill: new Map(),
    snapshotEmitted: false,
  };
}

function createDevices(rng: Rng, age: number): Device[] {
  const n = rng.weighted([
    [1, 45],
    [2, 40],
    [3, 15],
  ] as const);
  const out: Device[] = [];
  for (let i = 0; i < n; i++) {
    const pcFirst = age >= 60 ? 0.65 : 0.4;
    const wantPc = i === 0 ? rng.chance(pcFirst) : rng.chance(0.35);
    let family: UaFamily;
    let channel: 'web' | 'app';
    if (wantPc) {
      family = rng.weighted(WEB_FAMILIES.filter(([f]) => !isMobileFamily(f)));
      channel = 'web';
    } else if (rng.chance(0.6)) {
      family = rng.chance(0.62) ? 'iphone-app' : 'android-app';
      channel = 'app';
    } else {
      family = rng.weighted(WEB_FAMILIES.filter(([f]) => isMobileFamily(f)));
      channel = 'web';
    }
    const net = family === 'ipad-safari' ? 'home' : isMobileFamily(family) ? 'mobile' : 'home';
    out.push({ id: `d_${rng.hex(24)}`, ua: randomUaProfile(rng, family), channel, net, weight: i === 0 ? 1 : rng.uniform(0.2, 0.8) });
  }
  return out;
}

/** Where a device connects from at `t`. */
export function ipFor(rng: Rng, a: SimAccount, d: Device, t: number, midnight: number): string {
  const hour = (t - midnight) / HOUR;
  if (d.net === 'work' && hour >= 8.5 && hour < 19 && a.workIp) return a.workIp;
  if (d.net === 'mobile' && !((hour >= 19 || hour < 7.5) && rng.chance(0.6))) return drawIp(rng, a.mobile);
  // VPN exits change from one connection to the next.
  if (a.home.kind !== 'residential') return drawIp(rng, a.home);
  return a.homeIp;
}

/** Draw `n` times of the day from the account's slot profile, sorted. */
export function drawTimes(rng: Rng, a: SimAccount, midnight: number, n: number): number[] {
  const out: number[] = [];
  const weights = a.slots.map((w, i) => [i, w] as const);
  for (let k = 0; k < n; k++) {
    const [h0, h1] = SLOTS[rng.weighted(weights)];
    out.push(midnight + Math.floor(rng.uniform(h0, h1) * HOUR));
  }
  return out.sort((x, y) => x - y);
}

/** A legitimate login, with the customer's occasional typos and OTP slips before it. */
export function customerLogin(ctx: DayCtx, a: SimAccount, t: number, device?: Device, ipOverride?: string): SimSession | undefined {
  const { rng, broker } = ctx;
  const d = device ?? pickDevice(rng, a);
  if (d.channel === 'web' && rng.chance(0.015)) d.id = `d_${rng.hex(24)}`; // cleared cookies / new browser profile
  const ip = ipOverride ?? ipFor(rng, a, d, t, ctx.midnight);
  const ua = uaOf(d, t);
  // Private windows and strict cookie settings send no device cookie at all.
  const deviceId = d.channel === 'web' && rng.chance(0.02) ? undefined : d.id;
  if (rng.chance(a.typoRate)) {
    const typos = rng.chance(0.8) ? 1 : rng.int(2, 3);
    for (let i = typos; i > 0; i--) {
      broker.login(a, t - i * rng.int(8, 45) * 1000, { ip, ua, deviceId, channel: d.channel, secretFp: broker.fingerprint('pw', rng.hex(16)), outcome: 'bad_password' }, 'customer');
    }
  }
  if (a.mfa !== 'none' && a.mfa !== 'passkey' && rng.chance(0.012)) {
    broker.login(a, t - rng.int(60, 200) * 1000, { ip, ua, deviceId, channel: d.channel, secretFp: a.secretFp, outcome: 'mfa_failed' }, 'customer');
  }
  return broker.login(a, t, { ip, ua, deviceId, channel: d.channel, secretFp: a.secretFp, outcome: 'success' }, 'customer');
}

export function pickDevice(rng: Rng, a: SimAccount): Device {
  return rng.weighted(a.devices.map((d) => [d, d.weight] as const));
}

export function uaOf(d: Device, t: number): string {
  return userAgentAt(d.ua, t);
}

/** One ordinary day of one customer. */
export function simulateCustomerDay(ctx: DayCtx, a: SimAccount): void {
  const { rng } = ctx;
  if (a.openedAt >= ctx.windowEnd) return;
  if (rng.chance(1 / 45)) a.homeIp = drawIp(rng, a.home); // dynamic residential address renewed
  const lambda = a.loginRate * (ctx.tradingDay ? 1 : 0.35);
  const n = Math.min(8, rng.poisson(lambda));
  if (n === 0) return;
  const times = drawTimes(rng, a, ctx.midnight, n).filter((t) => t >= ctx.windowStart + 10 * MINUTE && t < ctx.windowEnd - HOUR && t > a.openedAt && (a.quietFrom === undefined || t < a.quietFrom));
  for (const t of times) {
    const s = customerLogin(ctx, a, t);
    if (!s) continue;
    customerSession(ctx, s, t);
  }
}

/** What a customer does once logged in: look, sometimes trade, now and then move cash. */
export function customerSession(ctx: DayCtx, s: SimSession, t: number): void {
  const { rng, broker } = ctx;
  const a = s.account;
  let now = t + rng.int(20, 180) * 1000;
  if (a.cash <= 0 && a.holdings.size === 0) {
    // A newly opened account is funded first.
    broker.cash(s, now, 'deposit', Math.round(rng.lognormal(1e6, 0.8) / 1e4) * 1e4, a.bankFp);
    now += rng.int(30, 300) * 1000;
  }
  if (ctx.tradingDay && rng.chance(a.tradeProb)) {
    const k = rng.weighted([
      [1, 60],
      [2, 28],
      [3, 12],
    ] as const);
    // On a phone the carrier may hand out a new address mid-session (CGNAT, wifi to LTE).
    const onMobile = s.channel === 'app' || /iPhone|Android/.test(s.ua);
    for (let i = 0; i < k; i++) {
      const moved = onMobile && rng.chance(0.12) ? { ip: drawIp(rng, a.mobile) } : undefined;
      customerOrder(ctx, moved ? { ...s, ip: moved.ip } : s, now);
      now += rng.int(20, 400) * 1000;
    }
  }
  if (rng.chance(0.012)) {
    broker.cash(s, now, 'deposit', Math.round(rng.lognormal(5e5, 0.8) / 1e4) * 1e4, a.bankFp);
    now += rng.int(10, 120) * 1000;
  }
  if (rng.chance(0.006) && a.cash > 2e5) {
    broker.cash(s, now, 'withdrawal', Math.round((a.cash * rng.uniform(0.05, 0.4)) / 1e4) * 1e4 || 1e4, a.bankFp);
    now += rng.int(10, 120) * 1000;
  }
  if (rng.chance(0.002)) {
    broker.change(s, now, rng.pick(['address', 'email', 'notification', 'phone']), undefined);
  }
}

/** One order in the customer's usual names and sizes. */
export function customerOrder(ctx: DayCtx, s: SimSession, t: number, forced?: { symbol: string; side: 'buy' | 'sell'; yen?: number; qty?: number }): void {
  const { rng, broker } = ctx;
  const a = s.account;
  const held = [...a.holdings].filter(([, q]) => q > 0);
  const side = forced?.side ?? (held.length > 0 && rng.chance(0.42) ? 'sell' : 'buy');
  let symbol: string;
  let qty: number;
  if (side === 'sell') {
    const pickFrom = forced ? held.filter(([sym]) => sym === forced.symbol) : held;
    if (pickFrom.length === 0) return;
    const [sym, q] = rng.pick(pickFrom);
    const lot = broker.instruments.get(sym)!.lot;
    symbol = sym;
    qty = forced?.qty ?? (rng.chance(0.3) ? q : Math.max(lot, Math.floor((q * rng.uniform(0.2, 0.7)) / lot) * lot));
    qty = Math.min(qty, q);
    // Nobody dumps weeks of a thin name's volume in one order (a hijacked victim left holding the
    // pumped stock sells it off over time).
    const spec = broker.instruments.get(sym)!;
    if (spec.liquidity !== 'large') qty = Math.min(qty, Math.max(spec.lot, Math.floor((spec.dailyVolume * 0.3) / spec.lot) * spec.lot));
  } else {
    symbol = forced?.symbol ?? rng.pick(a.favorites);
    const sd = broker.day(symbol);
    const price = sd.midAt(t) * sd.spec.fx;
    const budget = forced?.yen ?? Math.min(Math.max(a.cash, 0) * rng.uniform(0.05, 0.35), rng.lognormal(6e5, 0.9));
    qty = Math.floor(budget / price / sd.spec.lot) * sd.spec.lot;
    if (qty < sd.spec.lot) {
      if (!a.margin || forced) return;
      qty = sd.spec.lot * rng.int(1, 5);
    }
  }
  if (qty <= 0) return;
  const sd = broker.day(symbol);
  if (sd.tradableAt(t) === undefined && !rng.chance(0.15)) return;
  const q = sd.quoteAt(t);
  const style = rng.weighted([
    ['market', 35],
    ['touch', 38],
    ['away', 27],
  ] as const);
  const margin = side === 'buy' && a.margin && a.cash < qty * sd.midAt(t) * sd.spec.fx;
  if (style === 'market') {
    broker.order(s, t, { symbol, side, qty, type: 'market', ...(margin ? { margin } : {}) });
  } else if (style === 'touch') {
    broker.order(s, t, { symbol, side, qty, type: 'limit', limit: side === 'buy' ? q.ask : q.bid, ...(margin ? { margin } : {}) });
  } else {
    const off = rng.uniform(0.004, 0.04);
    const limit = side === 'buy' ? sd.midAt(t) * (1 - off) : sd.midAt(t) * (1 + off);
    const cancel = rng.chance(0.35);
    const r = broker.order(s, t, { symbol, side, qty, type: 'limit', limit, ...(margin ? { margin } : {}), ...(cancel ? { cancelAfterMs: rng.int(5, 300) * MINUTE } : {}) });
    // Some move the price toward the market a while later instead of waiting.
    if (r.resting && !cancel && rng.chance(0.25)) {
      const ta = t + rng.int(3, 90) * MINUTE;
      if (ta < ctx.windowEnd - 10 * MINUTE) broker.amend(r.resting, ta, (limit + sd.midAt(ta)) / 2);
    }
  }
}
