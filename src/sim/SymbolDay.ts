/**
 * One instrument's trading day: a minute-by-minute mid-price path (random walk, mean reversion to
 * a slowly moving fundamental, plus any pump or news shock), the whole market's aggregated tape,
 * and the matching of the broker's own orders against it. Customers' fills are printed on the same
 * tape, so the broker's orders are part of the market the detectors watch.
 */
import { MINUTE, sessionsOn, type Interval } from './calendar.js';
import { roundToTick, tickSize, type InstrumentSpec } from './instruments.js';
import type { Rng } from './Rng.js';

export type Side = 'buy' | 'sell';

export interface Print {
  t: number;
  price: number;
  qty: number;
  aggressor: Side;
}

/** A price and volume disturbance of the day: a pump episode, news-driven frenzy or a plain volume spike. */
export interface Shock {
  kind: 'pump' | 'news' | 'spike';
  /** Epoch ms of the first minute of the shock (inside a session). */
  start: number;
  /** Length in trading minutes. */
  durationMin: number;
  /** Peak price change relative to the unshocked path (0.35 = +35 %). */
  peak: number;
  /** Fraction of the duration at which the peak is reached. */
  peakAt: number;
  /** Change still left at the close. */
  closeGain: number;
  /** Extra volume over the shock, as a multiple of normal daily volume. */
  volumeMult: number;
}

export interface Fill<O> {
  price: number;
  qty: number;
  /** The broker's own resting order on the other side, when the fill is a cross between two customers. */
  against?: RestingOrder<O>;
}

export interface RestingOrder<O> {
  owner: O;
  side: Side;
  price: number;
  remaining: number;
  createdT: number;
  /** When the path first trades through the limit (passive fill), if it does today. */
  crossT?: number;
  /** When the customer cancels it (if still open then). */
  cancelT?: number;
}

export class SymbolDay<O = unknown> {
  readonly sessions: Interval[];
  /** Start time of every trading minute, epoch ms. */
  readonly minuteT: number[] = [];
  readonly mid: Float64Array;
  /** Market activity relative to a normal minute (1 = normal; a pump is 100×). */
  readonly activity: Float64Array;
  readonly open: number;
  readonly close: number;
  readonly prints: Print[] = [];
  readonly resting: RestingOrder<O>[] = [];
  private readonly spreadTicks: number;

  constructor(
    readonly spec: InstrumentSpec,
    midnight: number,
    prevClose: number,
    fundamental: number,
    private readonly rng: Rng,
    readonly shocks: Shock[] = [],
  ) {
    this.sessions = sessionsOn(spec.market, midnight);
    for (const [a, b] of this.sessions) for (let t = a; t < b; t += MINUTE) this.minuteT.push(t);
    const m = this.minuteT.length;
    this.mid = new Float64Array(m);
    this.activity = new Float64Array(m).fill(1);
    this.spreadTicks = spec.liquidity === 'thin' ? 2 : 1;
    if (m === 0) {
      this.open = prevClose;
      this.close = prevClose;
      return;
    }
    const sigma = spec.sigma;
    // Mean reversion toward the fundamental undoes yesterday's pump over the following days.
    let logp = Math.log(prevClose) + rng.normal(0, sigma * 0.35) - 0.25 * Math.log(prevClose / fundamental);
    const perMin = sigma / Math.sqrt(m);
    const base = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const jump = rng.chance(0.002) ? rng.normal(0, sigma * 0.3) : 0;
      logp += rng.normal(0, perMin) + jump;
      base[i] = Math.exp(logp);
    }
    const gain = new Float64Array(m);
    for (const s of shocks) this.applyShock(s, gain);
    for (let i = 0; i < m; i++) this.mid[i] = Math.max(tickSize(spec, base[i]), base[i] * (1 + gain[i]));
    this.open = roundToTick(spec, this.mid[0]);
    this.close = roundToTick(spec, this.mid[m - 1]);
  }

  get isTradingDay(): boolean {
    return this.minuteT.length > 0;
  }

  /** Index of the trading minute containing `t`; before the open 0, after the close the last. */
  minuteIndex(t: number): number {
    let offset = 0;
    for (const [a, b] of this.sessions) {
      if (t < a) return offset;
      if (t < b) return offset + Math.floor((t - a) / MINUTE);
      offset += (b - a) / MINUTE;
    }
    return Math.max(0, offset - 1);
  }

  midAt(t: number): number {
    return this.isTradingDay ? this.mid[this.minuteIndex(t)] : this.open;
  }

  /** Best ask and bid at `t`, on ticks. */
  quoteAt(t: number): { bid: number; ask: number } {
    const mid = this.midAt(t);
    const half = (tickSize(this.spec, mid) * this.spreadTicks) / 2;
    return { bid: roundToTick(this.spec, mid - half, 'down'), ask: roundToTick(this.spec, mid + half, 'up') };
  }

  /** `t` itself inside a session, else the next session start today, else undefined (closed). */
  tradableAt(t: number): number | undefined {
    for (const [a, b] of this.sessions) {
      if (t < a) return a;
      if (t < b) return t;
    }
    return undefined;
  }

  isOpenAt(t: number): boolean {
    return this.sessions.some(([a, b]) => t >= a && t < b);
  }

  /**
   * Take liquidity at `t` up to `limit` (none: a market order, which walks at most `maxLevels`
   * price levels and fills the rest at the last). Resting customer orders on the other side at a
   * level are matched first, so a hijacked buy can cross with a beneficiary's ask.
   */
  take(side: Side, qty: number, t: number, limit: number | undefined, maxLevels = 6): { fills: Fill<O>[]; remaining: number } {
    const fills: Fill<O>[] = [];
    const i = this.minuteIndex(t);
    const q = this.quoteAt(t);
    let price = side === 'buy' ? q.ask : q.bid;
    const depth = Math.max(this.spec.lot, Math.round((this.spec.depthPerLevel * Math.sqrt(this.activity[i] ?? 1)) / this.spec.lot) * this.spec.lot);
    // Large orders eat several levels but not hundreds: beyond maxLevels the book refills.
    const perLevel = Math.max(depth, Math.ceil(qty / maxLevels / this.spec.lot) * this.spec.lot);
    const opposite = this.resting
      .filter((r) => r.side !== side && r.remaining > 0 && r.createdT <= t && (r.crossT === undefined || r.crossT > t) && (r.cancelT === undefined || r.cancelT > t))
      .sort((a, b) => (side === 'buy' ? a.price - b.price : b.price - a.price));
    let remaining = qty;
    for (let level = 0; remaining > 0; level++) {
      if (limit !== undefined && (side === 'buy' ? price > limit + 1e-9 : price < limit - 1e-9)) break;
      for (const r of opposite) {
        if (remaining <= 0) break;
        if (r.remaining <= 0 || (side === 'buy' ? r.price > price + 1e-9 : r.price < price - 1e-9)) continue;
        const n = Math.min(r.remaining, remaining);
        r.remaining -= n;
        remaining -= n;
        fills.push({ price: r.price, qty: n, against: r });
      }
      if (remaining <= 0) break;
      const last = limit === undefined && level >= maxLevels - 1;
      const avail = last ? remaining : Math.max(this.spec.lot, Math.round((perLevel * this.rng.uniform(0.5, 1.5)) / this.spec.lot) * this.spec.lot);
      const n = Math.min(avail, remaining);
      fills.push({ price, qty: n });
      remaining -= n;
      if (last) break;
      const tick = tickSize(this.spec, price);
      price = roundToTick(this.spec, side === 'buy' ? price + tick : price - tick);
    }
    return { fills, remaining };
  }

  /** Leave a limit order on the book; it fills passively when the path trades through its price. */
  rest(owner: O, side: Side, price: number, qty: number, t: number, cancelT?: number): RestingOrder<O> {
    const r: RestingOrder<O> = { owner, side, price, remaining: qty, createdT: t, crossT: this.firstCross(side, price, t), cancelT };
    this.resting.push(r);
    return r;
  }

  /** A customer amends a resting order's price at `t`. */
  reprice(r: RestingOrder<O>, price: number, t: number): void {
    r.price = price;
    r.createdT = t;
    r.crossT = this.firstCross(r.side, price, t);
  }

  /** First time after `t` that the mid trades through a resting order's price. */
  private firstCross(side: Side, price: number, t: number): number | undefined {
    if (!this.isTradingDay) return undefined;
    const start = this.tradableAt(t);
    if (start === undefined) return undefined;
    for (let i = this.minuteIndex(start) + 1; i < this.mid.length; i++) {
      if (side === 'buy' ? this.mid[i] < price : this.mid[i] > price) {
        return this.minuteT[i] + this.rng.int(0, MINUTE - 1);
      }
    }
    return undefined;
  }

  /** Add the whole market's trading (everyone outside this broker) to the tape. */
  printMarket(normalVolumeFactor: number): void {
    const m = this.minuteT.length;
    if (m === 0) return;
    const s = this.spec;
    const w = new Float64Array(m);
    for (let i = 0; i < m; i++) w[i] = uShape(this.minuteT[i], this.sessions);
    const n = Math.max(3, Math.round(s.printsPerDay * normalVolumeFactor * this.rng.uniform(0.8, 1.2)));
    const meanQty = (s.dailyVolume * normalVolumeFactor) / n;
    const cum = cumulative(w);
    for (let k = 0; k < n; k++) {
      const i = sampleIndex(cum, this.rng.next());
      const qty = Math.max(s.lot, Math.round((meanQty * this.rng.lognormal(1, 0.7)) / s.lot) * s.lot);
      const up = i > 0 ? this.mid[i] - this.mid[i - 1] : 0;
      const side: Side = this.rng.chance(up > 0 ? 0.62 : up < 0 ? 0.38 : 0.5) ? 'buy' : 'sell';
      this.printAt(this.minuteT[i] + this.rng.int(0, MINUTE - 1), side, qty);
    }
    for (const shock of this.shocks) this.printShock(shock);
  }

  /** A print at the touch of minute containing `t`. */
  printAt(t: number, aggressor: Side, qty: number, price?: number): void {
    const q = this.quoteAt(t);
    this.prints.push({ t, price: price ?? (aggressor === 'buy' ? q.ask : q.bid), qty, aggressor });
  }

  private printShock(sh: Shock): void {
    const s = this.spec;
    const volume = sh.volumeMult * s.dailyVolume;
    const startI = this.minuteIndex(sh.start);
    const m = this.minuteT.length;
    const w = new Float64Array(m);
    for (let i = startI; i < m; i++) w[i] = shockVolumeWeight(sh, i - startI);
    const cum = cumulative(w);
    if (cum[m - 1] <= 0) return;
    const n = Math.round(Math.min(2500, Math.max(60, volume / (s.lot * 20))));
    for (let k = 0; k < n; k++) {
      const i = sampleIndex(cum, this.rng.next());
      const x = (i - startI) / sh.durationMin;
      const buyShare = x < sh.peakAt ? 0.78 : x < 1 ? 0.45 : 0.35;
      const qty = Math.max(s.lot, Math.round(((volume / n) * this.rng.lognormal(1, 0.8)) / s.lot) * s.lot);
      this.printAt(this.minuteT[i] + this.rng.int(0, MINUTE - 1), this.rng.chance(buyShare) ? 'buy' : 'sell', qty);
    }
  }

  private applyShock(sh: Shock, gain: Float64Array): void {
    const startI = this.minuteIndex(sh.start);
    const m = gain.length;
    const settle = sh.peak * 0.5 + sh.closeGain * 0.5;
    let wobble = 0;
    for (let i = startI; i < m; i++) {
      const x = (i - startI) / sh.durationMin;
      let g: number;
      if (x <= sh.peakAt) g = sh.peak * Math.pow(x / sh.peakAt, 1.15);
      else if (x <= 1) g = sh.peak - (sh.peak - settle) * ((x - sh.peakAt) / (1 - sh.peakAt));
      else g = settle + (sh.closeGain - settle) * Math.min(1, (i - startI - sh.durationMin) / Math.max(1, m - startI - sh.durationMin));
      wobble = 0.85 * wobble + this.rng.normal(0, 0.012);
      gain[i] += g * (1 + wobble);
      this.activity[i] += sh.volumeMult * shockVolumeWeight(sh, i - startI) * (m / sh.durationMin) * 0.6;
    }
  }
}

/** Intraday volume shape: heavy at each session's open and at the close. */
function uShape(t: number, sessions: Interval[]): number {
  let w = 1;
  for (const [a, b] of sessions) {
    if (t >= a && t < b) {
      w += 2.2 * Math.exp(-(t - a) / (15 * MINUTE)) + 1.4 * Math.exp(-(b - t) / (12 * MINUTE));
    }
  }
  return w;
}

function shockVolumeWeight(sh: Shock, j: number): number {
  if (j < 0) return 0;
  const x = j / sh.durationMin;
  if (x <= 1) return 0.35 + 1.6 * Math.exp(-((x - sh.peakAt) ** 2) / (2 * 0.18 ** 2));
  return 0.25 * Math.exp(-(x - 1) * 3);
}

function cumulative(w: Float64Array): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
}

function sampleIndex(cum: Float64Array, u: number): number {
  const target = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
