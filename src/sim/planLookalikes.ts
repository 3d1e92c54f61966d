/**
 * Benign lookalikes: legitimate customers and market days that resemble an attack on one signal
 * (new country, new device, hosting egress, a small-cap frenzy, a first small-cap buy, a new bank
 * account then a withdrawal, a whole portfolio sold, many mistyped passwords). They are labelled so
 * an evaluation can count false alarms on purpose-built traps.
 */
import type { SimAccount } from './Broker.js';
import { HOUR, MINUTE, sessionsOn, type SimDay } from './calendar.js';
import { customerLogin, customerOrder, customerSession, pickDevice, uaOf, type DayCtx } from './customers.js';
import type { InstrumentSpec } from './instruments.js';
import type { LabelBook } from './LabelBook.js';
import { CORPORATE, drawIp, FOREIGN_RESIDENTIAL, HOSTING } from './networks.js';
import type { Rng } from './Rng.js';
import { randomUaProfile } from './userAgents.js';
import type { WorldPlan } from './WorldPlan.js';

export interface LookalikeInput {
  rng: Rng;
  plan: WorldPlan;
  labels: LabelBook;
  days: SimDay[];
  customers: SimAccount[];
  /** Thin names not used as pump targets. */
  quietThin: InstrumentSpec[];
  /** How many of each account-level kind. */
  perKind: number;
}

export function planLookalikes(inp: LookalikeInput): number {
  const { rng, plan, labels, days } = inp;
  const pickAccount = (pred: (a: SimAccount) => boolean): SimAccount | undefined => {
    for (let tries = 0; tries < 200; tries++) {
      const a = rng.pick(inp.customers);
      if (!plan.used.has(a.id) && a.openedAt < days[0].windowStart && pred(a)) {
        plan.used.add(a.id);
        return a;
      }
    }
    return undefined;
  };
  const dayAfter = (min: number): SimDay => days[rng.int(Math.min(min, days.length - 1), days.length - 1)];
  const tradingDayAfter = (min: number): SimDay | undefined => {
    const c = days.filter((d) => d.tse && d.index >= Math.min(min, days.length - 1));
    return c.length ? rng.pick(c) : undefined;
  };
  const first = Math.min(2, days.length - 1);
  let n = 0;
  for (let k = 0; k < inp.perKind; k++) {
    // Travelling abroad: own device, hotel or local network in another country, for a few days.
    const traveller = pickAccount((a) => a.loginRate > 0.15);
    if (traveller) {
      const net = rng.pick(FOREIGN_RESIDENTIAL);
      const d0 = dayAfter(first);
      const trip = days.filter((d) => d.index >= d0.index && d.index < d0.index + rng.int(2, 5));
      for (const d of trip) {
        plan.quietFrom(d.index, traveller.id, d.windowStart);
        plan.on(d.index, (ctx) => {
          const ip = drawIp(ctx.rng, net);
          for (let i = ctx.rng.int(1, 2); i > 0; i--) {
            const t = d.midnight + ctx.rng.uniform(8, 23) * HOUR;
            const s = customerLogin(ctx, traveller, t, pickDevice(ctx.rng, traveller), ip);
            if (s) customerSession(ctx, s, t);
          }
        });
      }
      labels.lookalike('travel_abroad', `customer travelling (${net.country}, ${net.org}) logs in with their own device`, traveller.id);
      n++;
    }
    // New phone: a new device and app install, often re-registering the authenticator.
    const newPhone = pickAccount(() => true);
    if (newPhone) {
      const d = dayAfter(first);
      plan.on(d.index, (ctx) => {
        const fam = ctx.rng.pick(['iphone-app', 'android-app'] as const);
        const dev = { id: `d_${ctx.rng.hex(24)}`, ua: randomUaProfile(ctx.rng, fam), channel: 'app' as const, net: 'mobile' as const, weight: 2 };
        newPhone.devices.push(dev);
        const t = d.midnight + ctx.rng.uniform(9, 21) * HOUR;
        const s = customerLogin(ctx, newPhone, t, dev);
        if (!s) return;
        if (newPhone.mfa === 'totp' || newPhone.mfa === 'app_push' || ctx.rng.chance(0.3)) ctx.broker.change(s, t + ctx.rng.int(60, 300) * 1000, 'mfa', 'authenticator moved to a new phone', 'customer');
        customerSession(ctx, s, t + 6 * MINUTE);
      });
      labels.lookalike('new_device', 'customer switched to a new phone (new device id and app install)', newPhone.id);
      n++;
    }
    // Corporate VPN / cloud desktop egress.
    const office = pickAccount((a) => !a.work);
    if (office) {
      const net = rng.chance(0.5) ? rng.pick(Object.values(CORPORATE)) : rng.pick([HOSTING.aws, HOSTING.sakura, HOSTING.m247]);
      const d = dayAfter(first);
      plan.on(d.index, (ctx) => {
        const t = d.midnight + ctx.rng.uniform(9.5, 17.5) * HOUR;
        const s = customerLogin(ctx, office, t, pickDevice(ctx.rng, office), drawIp(ctx.rng, net));
        if (s) customerSession(ctx, s, t);
      });
      labels.lookalike(net.kind === 'corporate' ? 'corporate_vpn' : 'hosting_egress', `customer logs in through ${net.org} (AS${net.asn})`, office.id);
      n++;
    }
    // Elderly customer's first small-cap buy, from the usual device.
    const elder = pickAccount((a) => a.birthYear <= 1955 && a.cash > 5e5);
    const thin = inp.quietThin.length ? rng.pick(inp.quietThin) : undefined;
    const dElder = tradingDayAfter(first);
    if (elder && thin && dElder) {
      plan.on(dElder.index, (ctx) => {
        const t = dElder.midnight + ctx.rng.uniform(9.2, 14.5) * HOUR;
        const s = customerLogin(ctx, elder, t);
        if (s) customerOrder(ctx, s, t + ctx.rng.int(60, 400) * 1000, { symbol: thin.symbol, side: 'buy', yen: Math.min(elder.cash * 0.5, ctx.rng.uniform(2e5, 1.2e6)) });
      });
      labels.lookalike('elderly_first_small_cap', `customer born ${elder.birthYear} buys a small cap for the first time`, elder.id, thin.symbol);
      n++;
    }
    // New bank account, then a withdrawal (same session or days later).
    const mover = pickAccount((a) => a.cash > 3e5);
    if (mover) {
      const d = dayAfter(first);
      const later = days.find((x) => x.index === d.index + rng.int(0, 3)) ?? d;
      plan.on(d.index, (ctx) => {
        const t = d.midnight + ctx.rng.uniform(9, 20) * HOUR;
        const s = customerLogin(ctx, mover, t);
        if (!s) return;
        ctx.broker.change(s, t + ctx.rng.int(60, 300) * 1000, 'bank_account', 'withdrawal account changed', 'customer');
        mover.bankFp = ctx.broker.fingerprint('bank', ctx.rng.hex(12));
        if (later === d) ctx.broker.cash(s, t + ctx.rng.int(400, 1200) * 1000, 'withdrawal', Math.round((mover.cash * ctx.rng.uniform(0.3, 0.9)) / 1e4) * 1e4, mover.bankFp, 'customer');
      });
      if (later !== d) {
        plan.on(later.index, (ctx) => {
          const t = later.midnight + ctx.rng.uniform(9, 20) * HOUR;
          const s = customerLogin(ctx, mover, t);
          if (s && mover.cash > 1e4) ctx.broker.cash(s, t + ctx.rng.int(60, 600) * 1000, 'withdrawal', Math.round((mover.cash * ctx.rng.uniform(0.3, 0.9)) / 1e4) * 1e4, mover.bankFp, 'customer');
        });
      }
      labels.lookalike('bank_change_withdrawal', 'customer registers a new bank account and withdraws to it', mover.id);
      n++;
    }
    // Sells the whole portfolio (house purchase, inheritance planning).
    const seller = pickAccount((a) => a.holdings.size >= 2);
    const dSell = tradingDayAfter(first);
    if (seller && dSell) {
      plan.on(dSell.index, (ctx) => {
        const t = dSell.midnight + ctx.rng.uniform(9.1, 14.5) * HOUR;
        const s = customerLogin(ctx, seller, t);
        if (!s) return;
        let now = t + ctx.rng.int(60, 300) * 1000;
        for (const [sym, q] of [...seller.holdings]) {
          if (q <= 0) continue;
          customerOrder(ctx, s, now, { symbol: sym, side: 'sell', qty: q });
          now += ctx.rng.int(30, 300) * 1000;
        }
      });
      labels.lookalike('sell_whole_portfolio', 'customer sells every holding from their usual device', seller.id);
      n++;
    }
    // Many mistyped passwords, a lockout, then a reset.
    const forgetful = pickAccount(() => true);
    if (forgetful) {
      const d = dayAfter(first);
      plan.on(d.index, (ctx) => mistypes(ctx, forgetful, d));
      labels.lookalike('password_mistypes', 'customer mistypes the password many times, is locked out, resets it', forgetful.id);
      n++;
    }
  }
  // A news-driven frenzy in a small cap (no hijacking): many ordinary customers buy.
  const frenzies = Math.max(1, Math.round(inp.perKind / 3));
  for (let k = 0; k < frenzies && inp.quietThin.length > 0; k++) {
    const spec = inp.quietThin.splice(rng.int(0, inp.quietThin.length - 1), 1)[0];
    const d = tradingDayAfter(first);
    if (!d) break;
    const sessions = sessionsOn(spec.market, d.midnight);
    const start = sessions[0][0] + rng.int(0, 90) * MINUTE + rng.int(0, 59_999);
    const peak = rng.uniform(0.15, 0.3);
    plan.shock(d.index, spec.symbol, { kind: 'news', start, durationMin: rng.int(120, 240), peak, peakAt: rng.uniform(0.5, 0.8), closeGain: peak * rng.uniform(0.6, 0.9), volumeMult: rng.uniform(20, 120) });
    // Unlike a pump, real news keeps the name busy for days after.
    const next = days.find((x) => x.index > d.index && x.tse);
    if (next) {
      const open = sessionsOn(spec.market, next.midnight)[0][0];
      plan.shock(next.index, spec.symbol, { kind: 'spike', start: open + rng.int(0, 20) * MINUTE, durationMin: rng.int(120, 280), peak: rng.uniform(-0.04, 0.06), peakAt: 0.3, closeGain: rng.uniform(-0.03, 0.04), volumeMult: rng.uniform(3, 12) });
    }
    const buyers: SimAccount[] = [];
    for (let i = Math.max(5, Math.round(inp.customers.length * 0.003)); i > 0; i--) {
      const a = pickAccount((x) => x.cash > 2e5);
      if (a) buyers.push(a);
    }
    plan.on(d.index, (ctx) => {
      for (const a of buyers) {
        const t = start + ctx.rng.exponential(50) * MINUTE;
        if (t > sessions[sessions.length - 1][1] - 10 * MINUTE) continue;
        const s = customerLogin(ctx, a, t);
        if (s) customerOrder(ctx, s, t + ctx.rng.int(30, 300) * 1000, { symbol: spec.symbol, side: 'buy', yen: Math.min(a.cash * 0.4, ctx.rng.lognormal(4e5, 0.7)) });
      }
    });
    labels.lookalike('news_frenzy', `news-driven rush into ${spec.name}: ${buyers.length} ordinary customers buy, no hijacking`, undefined, spec.symbol);
    n++;
  }
  // A plain volume spike in a thin name that no customer of the broker trades.
  for (let k = 0; k < frenzies && inp.quietThin.length > 0; k++) {
    const spec = inp.quietThin.splice(rng.int(0, inp.quietThin.length - 1), 1)[0];
    const d = tradingDayAfter(first);
    if (!d) break;
    const sessions = sessionsOn(spec.market, d.midnight);
    const start = sessions[rng.int(0, sessions.length - 1)][0] + rng.int(5, 60) * MINUTE;
    plan.shock(d.index, spec.symbol, { kind: 'spike', start, durationMin: rng.int(30, 120), peak: rng.uniform(-0.08, 0.12), peakAt: 0.5, closeGain: rng.uniform(-0.03, 0.05), volumeMult: rng.uniform(5, 30) });
    labels.lookalike('market_volume_spike', `volume spike in ${spec.name} from outside the broker`, undefined, spec.symbol);
    n++;
  }
  return n;
}

function mistypes(ctx: DayCtx, a: SimAccount, d: SimDay): void {
  const { rng, broker } = ctx;
  const dev = pickDevice(rng, a);
  let t = d.midnight + rng.uniform(8, 20) * HOUR;
  const ip = a.homeIp;
  const ua = uaOf(dev, t);
  const tries = rng.int(4, 12);
  for (let i = 0; i < tries; i++) {
    broker.login(a, t, { ip, ua, deviceId: dev.id, channel: dev.channel, secretFp: broker.fingerprint('pw', rng.hex(16)), outcome: 'bad_password' }, 'customer');
    t += rng.int(10, 90) * 1000;
  }
  t += rng.int(35, 120) * MINUTE;
  const s = broker.login(a, t, { ip, ua, deviceId: dev.id, channel: dev.channel, secretFp: a.secretFp, outcome: 'success' }, 'customer');
  if (s && rng.chance(0.6)) {
    broker.change(s, t + rng.int(60, 300) * 1000, 'password', undefined, 'customer');
    a.secretFp = broker.fingerprint('pw', rng.hex(16));
  }
}
