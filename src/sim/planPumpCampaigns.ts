/**
 * Phishing-funded pump-and-dump campaigns (brief §2). Per campaign: a thin target (TSE small cap,
 * sometimes an illiquid HK/Shanghai name), criminal-controlled beneficiary accounts that accumulate
 * it days before, about ten hijacked customers whose portfolios are sold and whose cash buys the
 * target in a ~2-hour episode (often repeated the next day), and the market's reaction. Tactics are
 * drawn per campaign and per victim so that no single knob identifies them.
 */
import type { SimAccount, SimSession } from './Broker.js';
import { HOUR, MINUTE, type Interval, type SimDay, sessionsOn } from './calendar.js';
import { createInfra, infraDevice, infraIp, infraUa, type Infra } from './attackerInfra.js';
import { customerLogin, customerSession, uaOf, type DayCtx } from './customers.js';
import type { InstrumentSpec } from './instruments.js';
import type { LabelBook } from './LabelBook.js';
import { drawIp, JP_RESIDENTIAL } from './networks.js';
import type { Rng } from './Rng.js';
import type { Shock } from './SymbolDay.js';
import { randomUaProfile } from './userAgents.js';
import type { WorldPlan } from './WorldPlan.js';

export type VictimMode = 'phish_realtime' | 'phish_dwell' | 'session_hijack' | 'slow_low';

interface Episode {
  day: SimDay;
  shock: Shock;
  /** Time the ramp ends (peak). */
  peakT: number;
  end: number;
}

interface Victim {
  account: SimAccount;
  mode: VictimMode;
  /** Episodes (indexes) in which this victim's cash buys the target. */
  episodes: number[];
  fails: number;
  failKind: 'bad_password' | 'mfa_failed';
  changes: string[];
  bankChange: boolean;
  margin: boolean;
  buyStyle: 'walk' | 'market' | 'slices';
  session?: SimSession;
  ip?: string;
  device?: string;
  ua?: string;
}

interface Beneficiary {
  account: SimAccount;
  ip: string;
  ua: string;
  device: string;
  channel: 'web' | 'app';
  /** Today's session on an episode day. */
  session?: SimSession;
}

export interface PumpPlanInput {
  rng: Rng;
  plan: WorldPlan;
  labels: LabelBook;
  days: SimDay[];
  campaigns: number;
  /** Thin TSE small caps that may be targets (each used once). */
  tseTargets: InstrumentSpec[];
  /** Illiquid HK/Shanghai names that may be targets. */
  foreignTargets: InstrumentSpec[];
  /** Customers the phishing reaches, weighted by how attractive they are. */
  victimPool: { account: SimAccount; weight: number }[];
  /** Open a criminal-controlled account on `openedAt`. */
  newBeneficiary: (openedAt: number) => SimAccount;
}

export interface PlannedCampaign {
  id: string;
  target: string;
  variant: string;
  victims: number;
  beneficiaries: number;
  episodes: number;
}

export function planPumpCampaigns(inp: PumpPlanInput): PlannedCampaign[] {
  const { rng, days } = inp;
  const out: PlannedCampaign[] = [];
  const earliest = Math.min(Math.max(1, Math.floor(days.length * 0.25)), days.length - 1);
  for (let c = 0; c < inp.campaigns; c++) {
    const foreign = inp.foreignTargets.length > 0 && rng.chance(0.2);
    const pool = foreign ? inp.foreignTargets : inp.tseTargets;
    if (pool.length === 0) break;
    const target = pool.splice(rng.int(0, pool.length - 1), 1)[0];
    const open = (d: SimDay): boolean => sessionsOn(target.market, d.midnight).length > 0;
    const candidates = days.filter((d) => d.index >= earliest && open(d));
    if (candidates.length === 0) break;
    // Spread campaigns over the period rather than piling them on one day.
    const slot = Math.floor(((c + rng.next()) / inp.campaigns) * candidates.length);
    const day1 = candidates[Math.min(candidates.length - 1, slot)];
    const next = days.find((d) => d.index > day1.index && open(d));
    const repeat = next !== undefined && rng.chance(0.45);
    const id = `C${String(c + 1).padStart(2, '0')}`;
    out.push(planOne(inp, id, target, repeat && next ? [day1, next] : [day1]));
  }
  return out;
}

function planOne(inp: PumpPlanInput, id: string, target: InstrumentSpec, epDays: SimDay[]): PlannedCampaign {
  const { rng, plan, labels, days } = inp;
  const infra = createInfra(rng, epDays[0].windowStart);
  const tactics = {
    changeProb: rng.pick([0, 0.2, 0.5, 0.8]),
    bankProb: rng.pick([0, 0, 0.15, 0.4]),
    marginProb: rng.pick([0, 0.15, 0.4]),
    failProb: rng.pick([0, 0.15, 0.35]),
    modeWeights: [
      ['phish_realtime', rng.uniform(2, 8)],
      ['phish_dwell', rng.uniform(0, 4)],
      ['session_hijack', rng.uniform(0, 2.5)],
      ['slow_low', epDays.length > 1 ? rng.uniform(0, 3) : rng.uniform(0, 1)],
    ] as [VictimMode, number][],
    buyStyle: rng.weighted([['walk', 55], ['market', 25], ['slices', 20]] as const),
    /** Share of hijacked buy orders a beneficiary meets with a fresh ask (matched trades). */
    crossProb: rng.pick([0.1, 0.3, 0.6, 0.85]),
  };
  const episodes: Episode[] = epDays.map((day, k) => {
    const start = episodeStart(rng, target, day);
    const durationMin = rng.int(85, 150);
    const shock: Shock = {
      kind: 'pump',
      start,
      durationMin,
      peak: k === 0 ? rng.uniform(0.3, 0.4) : rng.uniform(0.15, 0.3),
      peakAt: rng.uniform(0.35, 0.6),
      closeGain: rng.uniform(0.03, 0.12),
      volumeMult: k === 0 ? rng.uniform(100, 300) : rng.uniform(40, 150),
    };
    plan.shock(day.index, target.symbol, shock);
    const sessions = sessionsOn(target.market, day.midnight);
    const end = addTradingMinutes(sessions, start, durationMin);
    const peakT = addTradingMinutes(sessions, start, Math.round(durationMin * shock.peakAt));
    const variant = `${target.currency === 'JPY' ? 'tse_small_cap' : target.market === 'HKEX' ? 'hk_illiquid' : 'sse_illiquid'}${k > 0 ? '_repeat' : ''}`;
    labels.pump(target.symbol, start, end, id, variant);
    return { day, shock, peakT, end };
  });

  // Victims: about ten per episode, drawn from the customers the phishing reaches.
  const nVictims = Math.max(3, Math.round(rng.uniform(7, 13) * (epDays.length > 1 ? 1.4 : 1)));
  const victims: Victim[] = [];
  for (let i = 0; i < nVictims; i++) {
    const a = drawVictim(inp);
    if (!a) break;
    const mode = rng.weighted(tactics.modeWeights);
    const eps = mode === 'slow_low' && episodes.length > 1 ? [0, 1] : [episodes.length > 1 && rng.chance(0.4) ? 1 : 0];
    victims.push({
      account: a,
      mode,
      episodes: eps,
      fails: rng.chance(tactics.failProb) ? rng.int(1, 3) : 0,
      failKind: rng.chance(0.5) ? 'bad_password' : 'mfa_failed',
      changes: rng.chance(tactics.changeProb) ? rng.sample(['notification', 'email', 'phone'], rng.int(1, 3)) : [],
      bankChange: rng.chance(tactics.bankProb),
      margin: rng.chance(tactics.marginProb),
      buyStyle: mode === 'slow_low' ? 'slices' : rng.chance(0.75) ? tactics.buyStyle : rng.pick(['walk', 'market', 'slices'] as const),
    });
  }
  // Phished customers who use passkeys: the relayed password is useless, the attacker fails MFA and gives up.
  const passkeyTries = rng.int(0, 2);
  for (let i = 0; i < passkeyTries; i++) {
    const a = drawVictim(inp, true);
    if (!a) break;
    const day = episodes[0].day;
    const t = Math.max(day.windowStart + 15 * MINUTE, episodes[0].shock.start - rng.int(20, 120) * MINUTE);
    plan.on(day.index, (ctx) => {
      const ip = infraIp(ctx.rng, infra);
      for (let k = rng.int(1, 3); k > 0; k--) {
        ctx.broker.login(a, t - k * ctx.rng.int(20, 90) * 1000, { ip, ua: infraUa(ctx.rng, infra, a, t), deviceId: infraDevice(ctx.rng, infra), channel: 'web', secretFp: a.secretFp, outcome: 'mfa_failed', mfa: 'passkey' }, 'attacker');
      }
    });
  }

  // Beneficiaries: opened weeks before, accumulating the target days before the first episode.
  const nBen = rng.int(1, 4);
  const firstDay = episodes[0].day;
  const accDays = days.filter((d) => d.index < firstDay.index && d.index >= firstDay.index - rng.int(2, 7) && sessionsOn(target.market, d.midnight).length > 0);
  const beneficiaries: Beneficiary[] = [];
  const expectedShares = (nVictims * 6e6) / (target.price0 * target.fx);
  const benViaInfra = rng.chance(0.4);
  for (let i = 0; i < nBen; i++) {
    const openedAt = (accDays[0] ?? firstDay).midnight - rng.int(14, 60) * 24 * HOUR + Math.floor(rng.uniform(9, 17) * HOUR);
    const acct = inp.newBeneficiary(openedAt);
    // Most of the position was built before the simulated period (weeks of patient buying).
    const pre = Math.round((expectedShares * rng.uniform(0.3, 0.8)) / nBen / target.lot) * target.lot;
    if (pre > 0) acct.holdings.set(target.symbol, pre);
    acct.cash = Math.round(rng.uniform(1e6, 6e6));
    const home = rng.weighted(JP_RESIDENTIAL);
    const dev = acct.devices[0];
    beneficiaries.push({
      account: acct,
      ip: benViaInfra ? infraIp(rng, infra) : drawIp(rng, home),
      ua: uaOf(dev, firstDay.windowStart),
      device: dev.id,
      channel: dev.channel,
    });
    labels.beneficiaries.push({ account_id: acct.id, symbol: target.symbol, campaign: id });
  }
  // In the days before, they keep buying a share of the normal volume, mostly with passive bids.
  for (const d of accDays) plan.on(d.index, (ctx) => accumulate(ctx, target, beneficiaries, target.dailyVolume * ctx.rng.uniform(0.3, 1.5)));

  // On episode days the beneficiaries put up their asks first, so the hijacked buys walk into them.
  episodes.forEach((ep) => plan.on(ep.day.index, (ctx) => beneficiariesLadder(ctx, target, ep, beneficiaries)));

  // Victims' scripts.
  for (const v of victims) {
    const ep0 = episodes[v.episodes[0]];
    const variant = v.mode + (v.bankChange ? '+bank' : '') + (v.changes.length ? '+silence' : '');
    if (v.mode === 'phish_dwell' || v.mode === 'slow_low') {
      // Phished earlier: the attacker logs in then, looks around, comes back for the episode.
      const before = days.filter((d) => d.index < ep0.day.index && d.index >= ep0.day.index - 3);
      const d0 = before.length > 0 && rng.chance(0.75) ? rng.pick(before) : ep0.day;
      const t0 = d0 === ep0.day ? ep0.shock.start - rng.int(2, 5) * HOUR : d0.midnight + rng.uniform(d0.index === ep0.day.index ? 7.5 : 8, 22.5) * HOUR;
      const tLogin = Math.max(d0.windowStart + 10 * MINUTE, t0);
      plan.on(d0.index, (ctx) => {
        v.session = attackerLogin(ctx, infra, v, tLogin, id, variant);
        if (v.session && v.changes.includes('notification')) ctx.broker.change(v.session, tLogin + ctx.rng.int(40, 200) * 1000, 'notification', 'login and trade notifications turned off');
      });
    }
    v.episodes.forEach((e, k) => {
      const ep = episodes[e];
      const share = v.episodes.length > 1 ? (k === 0 ? 0.5 : 1) : 1;
      const buyT = victimBuyTime(rng, target, ep, victims.indexOf(v) === 0 && e === 0);
      const firstAct = buyT - rng.int(4, 25) * MINUTE;
      plan.quietFrom(ep.day.index, v.account.id, firstAct - (v.mode === 'session_hijack' ? 4 * HOUR : 0));
      plan.on(ep.day.index, (ctx) => hijackedTrading(ctx, { infra, v, ep, target, buyT, firstAct, share, campaign: id, variant, last: k === v.episodes.length - 1, bens: beneficiaries, crossProb: tactics.crossProb }));
    });
    // Some victims notice the next day and change their password from their own device.
    const after = days.find((d) => d.index > episodes[v.episodes[v.episodes.length - 1]].day.index);
    if (after && rng.chance(0.5)) {
      plan.on(after.index, (ctx) => {
        const t = after.midnight + ctx.rng.uniform(8, 21) * HOUR;
        const s = customerLogin(ctx, v.account, t);
        if (s) ctx.broker.change(s, t + ctx.rng.int(60, 400) * 1000, 'password', undefined, 'customer');
        if (s) v.account.secretFp = ctx.broker.fingerprint('pw', ctx.rng.hex(16));
      });
    }
  }
  // Beneficiaries dump the rest around the peak and move the money out afterwards.
  episodes.forEach((ep, e) => plan.on(ep.day.index, (ctx) => beneficiariesDump(ctx, target, ep, beneficiaries, e === episodes.length - 1)));
  const last = episodes[episodes.length - 1];
  const payDay = days.find((d) => d.index > last.day.index) ?? last.day;
  plan.on(payDay.index, (ctx) => beneficiariesWithdraw(ctx, beneficiaries, payDay));
  return {
    id,
    target: target.symbol,
    variant: `${infra.kind}/${infra.ipMode}/ua-${infra.uaMode}/${tactics.buyStyle}${episodes.length > 1 ? '/repeat' : ''}`,
    victims: victims.length,
    beneficiaries: beneficiaries.length,
    episodes: episodes.length,
  };
}

function drawVictim(inp: PumpPlanInput, passkey = false): SimAccount | undefined {
  const { rng, plan } = inp;
  const pool = inp.victimPool.filter((p) => !plan.used.has(p.account.id) && (passkey ? p.account.mfa === 'passkey' : p.account.mfa !== 'passkey'));
  if (pool.length === 0) return undefined;
  const a = rng.weighted(pool.map((p) => [p.account, p.weight] as const));
  plan.used.add(a.id);
  return a;
}

function episodeStart(rng: Rng, target: InstrumentSpec, day: SimDay): number {
  const sessions = sessionsOn(target.market, day.midnight);
  const useAfternoon = sessions.length > 1 && rng.chance(0.3);
  const [a, b] = sessions[useAfternoon ? 1 : 0];
  return a + rng.int(3, Math.max(4, Math.min(100, (b - a) / MINUTE - 20))) * MINUTE + rng.int(0, 59_999);
}

/** Wall time `n` trading minutes after `t` (skipping the lunch break); the close if the day ends first. */
export function addTradingMinutes(sessions: Interval[], t: number, n: number): number {
  let left = n * MINUTE;
  for (const [a, b] of sessions) {
    if (t >= b) continue;
    const from = Math.max(t, a);
    if (from + left <= b) return from + left;
    left -= b - from;
  }
  return sessions.length ? sessions[sessions.length - 1][1] - 1 : t;
}

function victimBuyTime(rng: Rng, target: InstrumentSpec, ep: Episode, first: boolean): number {
  const sessions = sessionsOn(target.market, ep.day.midnight);
  if (first) return ep.shock.start;
  const ramp = Math.round(ep.shock.durationMin * ep.shock.peakAt * 1.15);
  return addTradingMinutes(sessions, ep.shock.start, rng.uniform(0.5, ramp));
}

function attackerLogin(ctx: DayCtx, infra: Infra, v: Victim, t: number, campaign: string, variant: string): SimSession | undefined {
  const { rng, broker } = ctx;
  const a = v.account;
  v.ip = infraIp(rng, infra);
  v.ua = infraUa(rng, infra, a, t);
  v.device = infraDevice(rng, infra);
  for (let k = v.fails; k > 0; k--) {
    const kind = v.failKind;
    broker.login(a, t - k * rng.int(15, 120) * 1000, { ip: v.ip, ua: v.ua, deviceId: v.device, channel: 'web', secretFp: kind === 'bad_password' ? broker.fingerprint('pw', rng.hex(16)) : a.secretFp, outcome: kind, mfa: a.mfa }, 'attacker');
  }
  const s = broker.login(a, t, { ip: v.ip, ua: v.ua, deviceId: v.device, channel: 'web', secretFp: a.secretFp, outcome: 'success', mfa: a.mfa }, 'attacker');
  // The phishing page relays the OTP the victim types, so the login shows the victim's own factor.
  if (s) ctx.labels.compromise(a.id, s.t, campaign, variant);
  return s;
}

interface HijackArgs {
  infra: Infra;
  v: Victim;
  ep: Episode;
  target: InstrumentSpec;
  buyT: number;
  firstAct: number;
  /** Share of the remaining portfolio to use in this episode. */
  share: number;
  campaign: string;
  variant: string;
  last: boolean;
  bens: Beneficiary[];
  crossProb: number;
}

function hijackedTrading(ctx: DayCtx, h: HijackArgs): void {
  const { rng, broker } = ctx;
  const { v, infra, target } = h;
  const a = v.account;
  let t = h.firstAct;
  let s: SimSession | undefined;
  if (v.mode === 'session_hijack') {
    // Stolen session cookie (infostealer / man-in-the-browser): the victim logged in earlier today.
    const tLegit = Math.max(ctx.windowStart + rng.int(15, 60) * MINUTE + rng.int(0, 59_999), t - rng.int(25, 200) * MINUTE);
    const own = customerLogin(ctx, a, tLegit);
    if (!own) return;
    customerSession(ctx, own, tLegit);
    v.ip = infraIp(rng, infra);
    v.ua = infraUa(rng, infra, a, t);
    s = { ...own, actor: 'attacker' };
    broker.watch = { accountId: a.id, first: Infinity };
  } else if (v.session && (rng.chance(0.5) || v.mode === 'slow_low') && t - v.session.t < 5 * 24 * HOUR) {
    s = v.session;
    ctx.labels.compromise(a.id, v.session.t, h.campaign, h.variant);
  } else {
    s = attackerLogin(ctx, infra, v, t, h.campaign, h.variant);
  }
  if (!s) return;
  v.session = s;
  const ip = (): string => (infra.ipMode === 'rotating' ? infraIp(rng, infra) : v.ip ?? s!.ip);
  const ua = v.ua ?? s.ua;
  t += rng.int(20, 90) * 1000;
  for (const f of v.changes) {
    if (f === 'notification' && v.mode === 'phish_dwell') continue;
    broker.change(s, t, f, f === 'notification' ? 'login and trade notifications turned off' : `${f} changed`, 'attacker', ip(), ua);
    t += rng.int(15, 80) * 1000;
  }
  // Sell the portfolio: everything at market within minutes (slow variants: part, with limits).
  const holdings = [...a.holdings].filter(([sym, q]) => q > 0 && sym !== target.symbol);
  for (const [sym, q] of holdings) {
    const spec = broker.instruments.get(sym)!;
    const qty = h.share >= 1 ? q : Math.max(spec.lot, Math.floor((q * h.share) / spec.lot) * spec.lot);
    if (qty <= 0 || qty > q) continue;
    const sd = broker.day(sym);
    const useLimit = v.mode === 'slow_low' && sd.isOpenAt(t);
    broker.order(s, t, useLimit ? { symbol: sym, side: 'sell', qty, type: 'limit', limit: sd.quoteAt(t).bid * 0.995, ip: ip(), ua } : { symbol: sym, side: 'sell', qty, type: 'market', ip: ip(), ua }, 'attacker');
    t += rng.int(4, 40) * 1000;
  }
  // Buy the target with the proceeds, walking the book.
  let tb = Math.max(h.buyT, t + rng.int(20, 60) * 1000);
  if (h.buyT === h.ep.shock.start && tb > h.buyT) tb = h.buyT;
  const sd = broker.day(target.symbol);
  const pieces = v.buyStyle === 'slices' ? rng.int(12, 30) : v.buyStyle === 'market' ? rng.int(2, 5) : rng.int(3, 10);
  let budget = Math.max(0, a.cash) * rng.uniform(0.92, 0.99) * (v.mode === 'slow_low' && h.share < 1 ? 0.5 : 1);
  const marginBudget = v.margin ? Math.max(0, a.cash) * rng.uniform(1, 2.2) : 0;
  const spend = budget + marginBudget;
  for (let p = 0; p < pieces && tb < h.ep.end + 30 * MINUTE; p++) {
    const price = sd.midAt(tb) * target.fx;
    const yen = spend / pieces;
    const qty = Math.floor(yen / price / target.lot) * target.lot;
    if (qty >= target.lot) {
      const onMargin = budget <= yen * 0.5;
      const q = sd.quoteAt(tb);
      const sellers = h.bens.filter((x) => x.session && (x.account.holdings.get(target.symbol) ?? 0) >= target.lot);
      const b = sellers.length > 0 && rng.chance(h.crossProb) ? rng.pick(sellers) : undefined;
      if (b?.session) {
        // Matched trade: the beneficiary offers just above the touch seconds before the hijacked buy.
        const offer = Math.min(b.account.holdings.get(target.symbol)!, Math.max(target.lot, Math.round((qty * rng.uniform(0.3, 1)) / target.lot) * target.lot));
        broker.order(b.session, tb - rng.int(2, 25) * 1000, { symbol: target.symbol, side: 'sell', qty: offer, type: 'limit', limit: q.ask + rng.int(0, 2) * (q.ask - q.bid) / 2 }, 'beneficiary');
      }
      const spec =
        v.buyStyle === 'market'
          ? ({ symbol: target.symbol, side: 'buy', qty, type: 'market' } as const)
          : ({ symbol: target.symbol, side: 'buy', qty, type: 'limit', limit: q.ask * (v.buyStyle === 'walk' ? 1 + rng.uniform(0.005, 0.04) : 1.002) } as const);
      broker.order(s, tb, { ...spec, ...(onMargin ? { margin: true } : {}), ip: ip(), ua }, 'attacker');
      budget -= yen;
    }
    tb += (v.buyStyle === 'slices' ? rng.int(60, 420) : rng.int(10, 110)) * 1000;
  }
  if (v.bankChange && h.last) {
    let tc = tb + rng.int(1, 10) * MINUTE;
    broker.change(s, tc, 'bank_account', 'withdrawal account changed', 'attacker', ip(), ua);
    tc += rng.int(30, 300) * 1000;
    const newBank = broker.fingerprint('bank', rng.hex(12));
    broker.cash(s, tc, 'withdrawal', Math.max(1e5, Math.round(Math.max(a.cash, 0) * 0.9 + rng.uniform(0, 3e6))), newBank, 'attacker', ip());
  }
  if (v.mode === 'session_hijack' && broker.watch) {
    // Compromised from the first request the attacker sent with the stolen cookie.
    if (broker.watch.first < Infinity) ctx.labels.compromise(a.id, broker.watch.first, h.campaign, h.variant);
    broker.watch = undefined;
  }
}

function accumulate(ctx: DayCtx, target: InstrumentSpec, bens: Beneficiary[], sharesPerDay: number): void {
  const { rng, broker } = ctx;
  const sd = broker.day(target.symbol);
  if (!sd.isTradingDay) return;
  for (const b of bens) {
    const t0 = sd.sessions[0][0] + rng.int(5, 200) * MINUTE;
    const s = broker.login(b.account, t0 - rng.int(1, 8) * MINUTE, { ip: b.ip, ua: b.ua, deviceId: b.device, channel: b.channel, secretFp: b.account.secretFp, outcome: 'success' }, 'beneficiary');
    if (!s) continue;
    if (b.account.cash < 2e6) broker.cash(s, t0 - rng.int(10, 50) * 1000, 'deposit', Math.round(rng.uniform(3e6, 15e6) / 1e5) * 1e5, b.account.bankFp);
    let t = t0;
    const n = rng.int(2, 6);
    for (let i = 0; i < n; i++) {
      const qty = Math.max(target.lot, Math.round((sharesPerDay / bens.length / n) * rng.uniform(0.5, 1.5) / target.lot) * target.lot);
      const q = sd.quoteAt(t);
      broker.order(s, t, { symbol: target.symbol, side: 'buy', qty, type: 'limit', limit: rng.chance(0.6) ? q.bid : q.ask }, 'beneficiary');
      t += rng.int(5, 50) * MINUTE;
    }
  }
}

function beneficiariesLadder(ctx: DayCtx, target: InstrumentSpec, ep: Episode, bens: Beneficiary[]): void {
  const { rng, broker } = ctx;
  const sd = broker.day(target.symbol);
  for (const b of bens) {
    b.session = undefined;
    const held = b.account.holdings.get(target.symbol) ?? 0;
    if (held < target.lot) continue;
    const tl = Math.max(ctx.windowStart + 5 * MINUTE, ep.shock.start - rng.int(5, 45) * MINUTE);
    const s = broker.login(b.account, tl, { ip: b.ip, ua: b.ua, deviceId: b.device, channel: b.channel, secretFp: b.account.secretFp, outcome: 'success' }, 'beneficiary');
    if (!s) continue;
    b.session = s;
    // Ladder of asks up to the planned peak, placed just before the push.
    const base = sd.midAt(ep.shock.start - MINUTE);
    const rungs = rng.int(3, 8);
    const ladderQty = Math.floor((held * rng.uniform(0.25, 0.45)) / rungs / target.lot) * target.lot;
    let t = Math.max(tl + rng.int(30, 120) * 1000, ep.shock.start - rng.int(1, 4) * MINUTE);
    if (ladderQty >= target.lot) {
      for (let i = 0; i < rungs; i++) {
        const x = 0.03 + (ep.shock.peak * 1.02 - 0.03) * ((i + rng.uniform(0, 0.6)) / rungs);
        broker.order(s, t, { symbol: target.symbol, side: 'sell', qty: ladderQty, type: 'limit', limit: base * (1 + x) }, 'beneficiary');
        t += rng.int(3, 30) * 1000;
      }
    }
    // Support bid under the market during the push (下値支え), so the price does not slip back.
    const tSupport = addTradingMinutes(sd.sessions, ep.shock.start, Math.round(ep.shock.durationMin * ep.shock.peakAt * 0.5));
    const supportQty = Math.max(target.lot, Math.round(held / 15 / target.lot) * target.lot);
    broker.order(s, tSupport, { symbol: target.symbol, side: 'buy', qty: supportQty, type: 'limit', limit: sd.midAt(tSupport) * rng.uniform(0.9, 0.96), cancelAfterMs: rng.int(30, 90) * MINUTE }, 'beneficiary');
  }
}

function beneficiariesDump(ctx: DayCtx, target: InstrumentSpec, ep: Episode, bens: Beneficiary[], final: boolean): void {
  const { rng, broker } = ctx;
  const sd = broker.day(target.symbol);
  for (const b of bens) {
    const s = b.session;
    if (!s) continue;
    // Sell what is left around the peak, against the last hijacked buys (half of it before a repeat day).
    const rest = b.account.holdings.get(target.symbol) ?? 0;
    const tDump = ep.peakT + rng.int(-10, 15) * MINUTE;
    const dumpQty = final ? rest : Math.floor((rest * 0.5) / target.lot) * target.lot;
    if (dumpQty < target.lot || sd.tradableAt(tDump) === undefined) continue;
    const pieces = rng.int(2, 5);
    const per = Math.floor(dumpQty / pieces / target.lot) * target.lot;
    let td = tDump;
    for (let i = 0; i < pieces; i++) {
      const qty = i === pieces - 1 ? dumpQty - per * (pieces - 1) : per;
      if (qty >= target.lot && qty <= (b.account.holdings.get(target.symbol) ?? 0)) {
        broker.order(s, td, rng.chance(0.5) ? { symbol: target.symbol, side: 'sell', qty, type: 'market' } : { symbol: target.symbol, side: 'sell', qty, type: 'limit', limit: sd.quoteAt(td).bid }, 'beneficiary');
      }
      td += rng.int(1, 8) * MINUTE;
    }
  }
}

function beneficiariesWithdraw(ctx: DayCtx, bens: Beneficiary[], day: SimDay): void {
  const { rng, broker } = ctx;
  for (const b of bens) {
    if (b.account.cash < 1e5) continue;
    const t = day.midnight + rng.uniform(15.6, 21) * HOUR;
    const s = broker.login(b.account, t, { ip: b.ip, ua: b.ua, deviceId: b.device, channel: b.channel, secretFp: b.account.secretFp, outcome: 'success' }, 'beneficiary');
    if (s) broker.cash(s, t + rng.int(40, 300) * 1000, 'withdrawal', Math.round((b.account.cash * rng.uniform(0.6, 0.95)) / 1e4) * 1e4, b.account.bankFp);
  }
}

/** Beneficiary devices: one browser or app, kept for the account's life. */
export function beneficiaryDevice(rng: Rng) {
  const family = rng.pick(['win-chrome', 'iphone-app', 'android-app', 'win-edge'] as const);
  return { id: `d_${rng.hex(24)}`, ua: randomUaProfile(rng, family), channel: family.endsWith('app') ? ('app' as const) : ('web' as const), net: 'home' as const, weight: 1 };
}
