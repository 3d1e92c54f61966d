/**
 * Credential stuffing and password spraying waves: combo-list login ids (many not customers of this
 * broker), leaked or common passwords, spread over many addresses (cloud blocks with a few hosts per
 * /24, residential proxies with one attempt per address), fast bursts or low-and-slow over days. A
 * few guesses hit a customer without a second factor; the attacker then tries to cash out.
 */
import type { Broker, SimAccount, SimSession } from './Broker.js';
import { HOUR, MINUTE, type SimDay } from './calendar.js';
import type { DayCtx } from './customers.js';
import type { LabelBook } from './LabelBook.js';
import { drawIp, drawIpInSame24, FOREIGN_RESIDENTIAL, HOSTING, JP_RESIDENTIAL, type Network } from './networks.js';
import type { Rng } from './Rng.js';
import { attackerUserAgent } from './userAgents.js';
import type { WorldPlan } from './WorldPlan.js';

export interface StuffingPlanInput {
  rng: Rng;
  broker: Broker;
  plan: WorldPlan;
  labels: LabelBook;
  days: SimDay[];
  waves: number;
  customers: SimAccount[];
}

export interface PlannedWave {
  id: string;
  style: 'burst' | 'low_slow' | 'spray';
  attempts: number;
  start: number;
  end: number;
}

interface Wave extends PlannedWave {
  unknownShare: number;
  hitRate: number;
  ipSource: 'cloud_blocks' | 'residential_proxies';
  pool: string[];
  uas: string[];
  channel: 'web' | 'api';
  sprayFps: string[];
  forcedHits: SimAccount[];
  cashOut: { changeEmail: boolean; sell: boolean; bank: boolean };
}

export function planStuffingWaves(inp: StuffingPlanInput): PlannedWave[] {
  const { rng, days } = inp;
  const out: PlannedWave[] = [];
  const noMfa = inp.customers.filter((a) => a.mfa === 'none' || a.mfa === 'email');
  const span = days[days.length - 1].windowEnd - days[0].windowStart;
  for (let w = 0; w < inp.waves; w++) {
    const style = rng.weighted([['burst', 45], ['low_slow', 30], ['spray', 25]] as const);
    const duration = style === 'burst' ? rng.uniform(0.5, 6) * HOUR : style === 'spray' ? rng.uniform(2, 14) * HOUR : Math.min(span * 0.8, rng.uniform(24, 96) * HOUR);
    const start = days[0].windowStart + HOUR + rng.next() * Math.max(0, span - duration - 2 * HOUR);
    const attempts = Math.round(Math.min(50_000, Math.max(300, inp.customers.length * rng.uniform(0.1, 0.6))) * (style === 'low_slow' ? 0.5 : 1));
    const ipSource = style === 'low_slow' || rng.chance(0.3) ? 'residential_proxies' : 'cloud_blocks';
    const pool: string[] = [];
    if (ipSource === 'cloud_blocks') {
      const nets: Network[] = [];
      for (let i = rng.int(1, 3); i > 0; i--) nets.push(rng.pick([HOSTING.ovh, HOSTING.digitalocean, HOSTING.m247, HOSTING.alibaba, HOSTING.tencent, HOSTING.hetzner, HOSTING.vultr, HOSTING.aws]));
      for (let b = rng.int(4, 30); b > 0; b--) {
        const first = drawIp(rng, rng.pick(nets));
        pool.push(first);
        for (let k = rng.int(1, 5); k > 0; k--) pool.push(drawIpInSame24(rng, first));
      }
    }
    const uaStyle = rng.weighted([['pool', 60], ['script', 20], ['random', 20]] as const);
    const uas = uaStyle === 'script' ? [attackerUserAgent(rng, start, 'script')] : Array.from({ length: uaStyle === 'pool' ? rng.int(3, 10) : 40 }, () => attackerUserAgent(rng, start, rng.pick(['common', 'common', 'stale'] as const)));
    const id = `S${String(w + 1).padStart(2, '0')}`;
    const forced = rng.sample(noMfa.filter((a) => !inp.plan.used.has(a.id)), style === 'spray' ? rng.int(0, 1) : rng.int(1, 2));
    for (const a of forced) inp.plan.used.add(a.id);
    const wave: Wave = {
      id,
      style,
      attempts,
      start,
      end: start + duration,
      unknownShare: rng.uniform(0.3, 0.75),
      hitRate: style === 'spray' ? rng.uniform(0.001, 0.004) : rng.uniform(0.003, 0.015),
      ipSource,
      pool,
      uas,
      channel: rng.chance(0.7) ? 'web' : 'api',
      sprayFps: Array.from({ length: rng.int(1, 3) }, () => inp.broker.fingerprint('pw', `spray-${rng.hex(8)}`)),
      forcedHits: forced,
      cashOut: { changeEmail: rng.chance(0.6), sell: rng.chance(0.6), bank: rng.chance(0.8) },
    };
    out.push({ id, style, attempts, start: wave.start, end: wave.end });
    for (const d of days) {
      const from = Math.max(d.windowStart, wave.start);
      const to = Math.min(d.windowEnd - MINUTE, wave.end);
      if (to <= from) continue;
      const n = Math.round((attempts * (to - from)) / (wave.end - wave.start));
      inp.plan.on(d.index, (ctx) => runWaveSlice(ctx, wave, from, to, n));
    }
  }
  return out;
}

function runWaveSlice(ctx: DayCtx, w: Wave, from: number, to: number, n: number): void {
  const { rng, broker, labels } = ctx;
  const customers = broker.accounts;
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(from + rng.next() * (to - from));
  times.sort((a, b) => a - b);
  const forced = w.forcedHits.filter((a) => !labels.isCompromised(a.id));
  const forceAt = new Map<number, SimAccount>();
  for (const a of forced) if (times.length > 0) forceAt.set(rng.int(0, times.length - 1), a);
  times.forEach((tf, i) => {
    const t = Math.floor(tf);
    const ip = w.ipSource === 'cloud_blocks' ? rng.pick(w.pool) : drawIp(rng, rng.chance(0.8) ? rng.weighted(JP_RESIDENTIAL) : rng.pick(FOREIGN_RESIDENTIAL));
    const ua = rng.pick(w.uas);
    const deviceId = rng.chance(0.3) ? `d_${rng.hex(24)}` : undefined;
    const hitAccount = forceAt.get(i);
    const a = hitAccount ?? (rng.chance(w.unknownShare) ? undefined : rng.pick(customers));
    if (a && (a.kind !== 'customer' || a.openedAt > t)) return;
    labels.stuffingIps.add(ip);
    if (!a) {
      broker.login(undefined, t, { loginFp: broker.fingerprint('login', `combo-${rng.hex(10)}`), ip, ua, deviceId, channel: w.channel, secretFp: w.style === 'spray' ? rng.pick(w.sprayFps) : broker.fingerprint('pw', rng.hex(16)), outcome: 'unknown_account' }, 'attacker');
      return;
    }
    const hit = hitAccount !== undefined || rng.chance(w.hitRate);
    if (!hit) {
      broker.login(a, t, { ip, ua, deviceId, channel: w.channel, secretFp: w.style === 'spray' ? rng.pick(w.sprayFps) : broker.fingerprint('pw', rng.hex(16)), outcome: 'bad_password' }, 'attacker');
      return;
    }
    // Right password: a second factor stops the attacker unless there is none (or the mailbox is also theirs).
    const passes = a.mfa === 'none' || (a.mfa === 'email' && (hitAccount !== undefined || rng.chance(0.3)));
    const s = broker.login(a, t, { ip, ua, deviceId, channel: w.channel, secretFp: a.secretFp, outcome: passes ? 'success' : 'mfa_failed', mfa: a.mfa }, 'attacker');
    if (s && passes) {
      labels.compromise(a.id, s.t, w.id, `stuffing_${w.style}`);
      cashOut(ctx, w, s, t, ip, ua);
    }
  });
}

/** After a stuffing hit: silence the owner, sell what can be sold, redirect and withdraw the cash. */
function cashOut(ctx: DayCtx, w: Wave, s: SimSession, t0: number, ip: string, ua: string): void {
  const { rng, broker } = ctx;
  const a = s.account;
  let t = t0 + rng.int(30, 600) * 1000;
  const limit = ctx.windowEnd - 2 * HOUR;
  if (t > limit) return;
  if (w.cashOut.changeEmail) {
    broker.change(s, t, 'email', 'email changed', 'attacker');
    t += rng.int(20, 120) * 1000;
  }
  if (w.cashOut.sell) {
    for (const [sym, q] of [...a.holdings]) {
      if (q <= 0 || !broker.day(sym).isOpenAt(t)) continue;
      broker.order(s, t, { symbol: sym, side: 'sell', qty: q, type: 'market', ip, ua }, 'attacker');
      t += rng.int(5, 40) * 1000;
    }
  }
  if (w.cashOut.bank && t < limit) {
    broker.change(s, t + rng.int(30, 200) * 1000, 'bank_account', 'withdrawal account changed', 'attacker');
    broker.cash(s, t + rng.int(240, 900) * 1000, 'withdrawal', Math.max(1e5, Math.round((Math.max(a.cash, 0) * 0.95) / 1e4) * 1e4), broker.fingerprint('bank', rng.hex(12)), 'attacker');
  }
}
