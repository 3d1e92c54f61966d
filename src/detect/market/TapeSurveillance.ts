import type { ExecutionEvent, KgEvent, MarketTradeEvent, OrderEvent } from '../../events/schema.js';
import type { AlertDraft, Detector, ObserveContext, Reason } from '../../engine/types.js';
import { jstDay } from '../../engine/WorldState.js';
import { findMarketCalendar } from './marketCalendar.js';
import { medianOf } from './medianOf.js';
import type { PumpAlertData } from './PumpAlertData.js';
import { createCloseState, MARKING_CLOSE_DEFAULTS, trackClose, type CloseState, type MarkingCloseOptions } from './trackClose.js';
import { createRampState, RAMPING_DEFAULTS, trackRamp, type RampingOptions, type RampState, type TradeFacts } from './trackRamp.js';

/** Thresholds of pump-and-dump surveillance. Defaults are set from brief.md §2 and kept conservative. */
export interface PumpDumpOptions {
  /** Minutes of tape in the detection window. Default 10. */
  windowMinutes?: number;
  /** Completed trading days of a symbol kept for its baseline (median). Default 20 (max 256). */
  historyDays?: number;
  /** Completed trading days needed before a symbol can raise (no baseline, no claim). Default 1. */
  minHistoryDays?: number;
  /**
   * Window volume must reach this multiple of the symbol's normal volume for the same minutes.
   * Default 40: at a uniform intraday rate that is 1.2 normal days within 10 minutes, far above an
   * opening rush or a heavy news day of a liquid name, far below the 100–300× of a pump.
   */
  minVolumeMultiple?: number;
  /** Window trade count must reach this multiple of the normal count (one block is not a frenzy). Default 10. */
  minTradeMultiple?: number;
  /** And at least this many trades in the window. Default 8. */
  minWindowTrades?: number;
  /** Rise of the last price over the last price before the abnormal minutes. Default 0.02. */
  minPriceChange?: number;
  /** A minute counts as abnormal (onset search) from this multiple of the normal per-minute volume. Default 10. */
  onsetMinuteMultiple?: number;
  /** Manipulation signature: share of buyer-initiated volume at least this. Default 0.65. */
  minBuyShare?: number;
  /** Manipulation signature: at least this many price-raising buyer-initiated prints. Default 5. */
  minUptickBuys?: number;
  /**
   * The surge is called a pump while it runs when, besides the signature, our accounts that look
   * hijacked buy the symbol (brief.md §2: about ten hijacked accounts per episode sell the victims'
   * holdings, then buy the target). Each of our accounts buying it scores one point for a buy our
   * defence held or blocked as a whole account within 4 hours of the hold (a hold of only the order,
   * e.g. a restricted symbol, does not count), and one for having tried to sell at least half of its
   * portfolio earlier the same day; the pump needs this many points. Who buys through us, not how
   * much: ordinary customers rushing into news buy with cash, beneficiaries accumulating do not sell
   * their books first, and one customer held by a false alarm is not a campaign. Default 2.
   */
  minHijackedBuyers?: number;
  /** Evidence of hijacked buying counts from this many minutes before the onset. Default 60. */
  evidenceLeadMinutes?: number;
  /**
   * A symbol pumped within this many calendar days is on watch (brief.md §2: the pump can repeat
   * the next day, and attackers spread it over several days): there a surge with the signature is
   * a pump at once, and the volume and trade-count bars of a surge are multiplied by
   * `watchVolumeFactor`. Default 7.
   */
  repeatDays?: number;
  /** Default 0.5: a repeat is typically smaller than the first run (the float is already held). */
  watchVolumeFactor?: number;
  /** Without our accounts, the tape alone calls a pump at the threat's size: this many normal days traded… Default 50. */
  pumpVolumeDays?: number;
  /** …and this peak rise (brief.md §2: 100–300×, +30–40 %). Default 0.3. */
  pumpPeakChange?: number;
  /** A surge whose peak rose at least `pumpPeakChange / 2` and that gave back this share of the rise the same day is a dump. Default 0.6. */
  fadeRetrace?: number;
  /** The episode is over when the window still trades but under this multiple of normal volume. Default 5. */
  closeVolumeMultiple?: number;
  /** Trade ids kept as evidence in `event_ids`. Default 20. */
  sampleSize?: number;
}

/** Options of the tape checks; `false` turns one off (the shared baseline is kept either way). */
export interface TapeSurveillanceOptions {
  pump?: PumpDumpOptions | false;
  ramping?: RampingOptions | false;
  markingClose?: MarkingCloseOptions | false;
}

const DEFAULTS: Required<PumpDumpOptions> = {
  windowMinutes: 10,
  historyDays: 20,
  minHistoryDays: 1,
  minVolumeMultiple: 40,
  minTradeMultiple: 10,
  minWindowTrades: 8,
  minPriceChange: 0.02,
  onsetMinuteMultiple: 10,
  minBuyShare: 0.65,
  minUptickBuys: 5,
  minHijackedBuyers: 2,
  evidenceLeadMinutes: 60,
  repeatDays: 7,
  watchVolumeFactor: 0.5,
  pumpVolumeDays: 50,
  pumpPeakChange: 0.3,
  fadeRetrace: 0.6,
  closeVolumeMultiple: 5,
  sampleSize: 20,
};

// Minutes of tape kept per symbol: the onset search reaches back this far.
const RING = 64;
// Per-minute bucket fields. The first WIN_FIELDS are also kept as running window sums.
const VOL = 0;
const TRADES = 1;
const BUY = 2;
const SELL = 3;
const UPBUY = 4;
const BROKER_BUY = 5;
const WIN_FIELDS = 6;
const SELL_N = 6;
const SELL_HELD = 7;
const MAX_JUMP = 8;
const MAX_RUN = 9;
const LAST = 10;
const NF = 11;
const RECENT_IDS = 16;

interface Episode {
  id: string;
  status: 'pump' | 'frenzy';
  alerted: boolean;
  onsetMinute: number;
  onsetTs: string;
  detectTs: string;
  lastTs: string;
  refPrice: number;
  lastPrice: number;
  peakPrice: number;
  peakTs: string;
  vol: number;
  trades: number;
  buy: number;
  sell: number;
  upBuys: number;
  sellN: number;
  sellHeld: number;
  maxJump: number;
  maxRun: number;
  fadeTs: string | null;
  brokerBuy: number;
  brokerSell: number;
  buyAccounts: string[];
  sellAccounts: string[];
  sample: string[];
}

/** Per-symbol tape state: typed arrays and scalars only, so a trade costs no allocation. */
interface SymbolTape {
  symbol: string;
  utcOffsetHours: number;
  sessionMinutes: number;
  day: number;
  /** Epoch minute of the newest bucket, -1 before the first trade. */
  minute: number;
  buckets: Float64Array;
  /** Epoch minute held by each ring slot, -1 when empty. */
  tags: Float64Array;
  firstTs: string[];
  win: Float64Array;
  /** Last price before the detection window. */
  winRef: number;
  /** Last price older than the ring, and its minute. */
  ringRef: number;
  ringRefMinute: number;
  lastPrice: number;
  lastSide: number;
  run: number;
  dayVol: number;
  dayTrades: number;
  histVol: Float64Array;
  histTrades: Float64Array;
  histN: number;
  histPos: number;
  baseVol: number;
  baseTrades: number;
  /** This broker's executed shares today, and its daily share of the tape over the baseline days. */
  dayBroker: number;
  histBrokerShare: Float64Array;
  /** Median of `histBrokerShare`: robust to a few days of accumulation through us. */
  baseBrokerShare: number;
  /** Window volume from which the full onset check runs; Infinity until the baseline exists. */
  volThreshold: number;
  /** `volThreshold`, lowered while the symbol is on watch after a pump (`watchVolumeFactor`). */
  trigger: number;
  /** Day of the last episode called a pump, -1 if none. */
  pumpDay: number;
  recentIds: string[];
  recentPos: number;
  episode: Episode | null;
  episodeDay: number;
  ramp: RampState | null;
  /** Copies of the ramp state: no run under way, and its day. */
  rampIdle: boolean;
  rampDay: number;
  close: CloseState | null;
  /** Copies of the close state: its day and closing window (epoch ms). */
  closeDay: number;
  closeFrom: number;
  closeTo: number;
  /** Minute of the last full onset check. */
  triedMinute: number;
  /** Our accounts that look hijacked buying this symbol recently (few; empty for almost every symbol). */
  suspects: Suspect[];
}

/** One of our accounts buying a symbol with evidence of hijacking. */
interface Suspect {
  account: string;
  /** Event time of the latest evidence, epoch ms. */
  t: number;
  /** A buy held or blocked by our defence as a whole account. */
  held: boolean;
  /** A buy after trying to sell off its portfolio the same day. */
  soldOff: boolean;
}

interface State {
  symbols: Map<string, SymbolTape>;
  /**
   * Yen of sell orders each account placed today (JST day `sellDay`), executed or not: a held
   * sell-off never executes, yet it is the attacker's first move.
   */
  sellOrders: Map<string, number>;
  sellDay: number;
}

// How long evidence of hijacked buying is kept per symbol, and for how many accounts at most.
const SUSPECT_MS = 4 * 3_600_000;
const MAX_SUSPECTS = 64;
const FRESH_HOLD_MS = 4 * 3_600_000;

/**
 * Surveillance of the whole market's tape: one pass, one per-symbol state, three checks.
 *
 * Pump-and-dump (brief.md §2: 100–300× normal volume, +30–40 % in about two hours, fading the same
 * day). Per symbol it keeps a robust baseline (median of recent daily volumes and trade counts,
 * episode days excluded) and a one-minute ring of the last hour; an episode opens when the
 * 10-minute window shows volume, trade count and price far above that baseline. Volume and price
 * alone also describe a legitimate news frenzy, so the alert kind is decided by the manipulation
 * signature the threat leaves on the tape — one-sided aggressive buying that ramps the price print by
 * print (hijacked accounts walking the book) — and by who is buying (see `isPump`); otherwise it is
 * a `market_frenzy`, confirmed as a pump later if the evidence arrives or the price is dumped. Ramping (`trackRamp`) and marking
 * the close (`trackClose`) share the same lookup, aggressor inference and baseline, because at
 * millions of trades a second the per-symbol lookup is most of the cost.
 */
export class TapeSurveillance implements Detector {
  readonly name = 'market.tape';
  readonly stateVersion = 4;
  private readonly o: Required<PumpDumpOptions>;
  private readonly pumpOn: boolean;
  private readonly rampOpts: Required<RampingOptions> | null;
  private readonly closeOpts: Required<MarkingCloseOptions> | null;
  private readonly facts: TradeFacts = { t: 0, day: 0, side: 0, last: 0, baseVol: 0 };
  private state: State = { symbols: new Map(), sellOrders: new Map(), sellDay: -1 };

  constructor(opts: TapeSurveillanceOptions = {}) {
    this.pumpOn = opts.pump !== false;
    this.o = { ...DEFAULTS, ...(opts.pump || {}) };
    this.rampOpts = opts.ramping === false ? null : { ...RAMPING_DEFAULTS, ...opts.ramping };
    this.closeOpts = opts.markingClose === false ? null : { ...MARKING_CLOSE_DEFAULTS, ...opts.markingClose };
    if (this.o.windowMinutes < 1 || this.o.windowMinutes >= RING) {
      throw new Error(`pump.windowMinutes must be between 1 and ${RING - 1}, got ${this.o.windowMinutes}`);
    }
    if (this.o.historyDays < 1 || this.o.historyDays > 256) throw new Error(`pump.historyDays must be 1..256, got ${this.o.historyDays}`);
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    if (ev.type === 'market_trade') this.observeTrade(ev, ctx);
    else if (ev.type === 'execution') this.observeExecution(ev, ctx);
    else if (ev.type === 'order') this.observeOrder(ev, ctx);
  }

  finish(ctx: ObserveContext): void {
    for (const s of this.state.symbols.values()) if (s.episode) this.close(s, ctx);
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = state as State;
  }

  private tape(symbol: string, ctx: ObserveContext): SymbolTape {
    let s = this.state.symbols.get(symbol);
    if (s === undefined) {
      const cal = findMarketCalendar(symbol, ctx.world);
      s = {
        symbol,
        utcOffsetHours: cal.utcOffsetHours,
        sessionMinutes: cal.sessionMinutes,
        day: -1,
        minute: -1,
        buckets: new Float64Array(RING * NF),
        tags: new Float64Array(RING).fill(-1),
        firstTs: new Array<string>(RING).fill(''),
        win: new Float64Array(WIN_FIELDS),
        winRef: 0,
        ringRef: 0,
        ringRefMinute: -1,
        lastPrice: 0,
        lastSide: 0,
        run: 0,
        dayVol: 0,
        dayTrades: 0,
        histVol: new Float64Array(this.o.historyDays),
        histTrades: new Float64Array(this.o.historyDays),
        histN: 0,
        histPos: 0,
        baseVol: 0,
        baseTrades: 0,
        dayBroker: 0,
        histBrokerShare: new Float64Array(this.o.historyDays),
        baseBrokerShare: 0,
        volThreshold: Infinity,
        trigger: Infinity,
        pumpDay: -1,
        recentIds: new Array<string>(RECENT_IDS).fill(''),
        recentPos: 0,
        episode: null,
        episodeDay: -1,
        ramp: this.rampOpts ? createRampState() : null,
        rampIdle: false,
        rampDay: -1,
        // No closing auction known (US markets): no marking-the-close check.
        close: this.closeOpts && cal.closeMinute >= 0 ? createCloseState(cal.closeMinute, cal.utcOffsetHours) : null,
        closeDay: -1,
        closeFrom: 0,
        closeTo: 0,
        triedMinute: -1,
        suspects: [],
      };
      this.state.symbols.set(symbol, s);
    }
    return s;
  }

  private observeTrade(ev: MarketTradeEvent, ctx: ObserveContext): void {
    const s = this.tape(ev.symbol, ctx);
    const t = ctx.t;
    const day = Math.floor((t + s.utcOffsetHours * 3_600_000) / 86_400_000);
    if (day !== s.day) this.rollDay(s, day, ctx);
    const minute = Math.floor(t / 60_000);
    if (minute > s.minute) {
      this.advance(s, minute);
      if (s.episode !== null) this.checkEpisodeMinute(s, s.episode, ctx);
    }
    const price = ev.price;
    const qty = ev.qty;
    const last = s.lastPrice;
    // Aggressor from the feed when present, else the tick rule (Lee–Ready without quotes).
    let side = ev.aggressor === 'buy' ? 1 : ev.aggressor === 'sell' ? -1 : 0;
    if (side === 0) side = last === 0 ? 0 : price > last ? 1 : price < last ? -1 : s.lastSide;
    const b = s.buckets;
    const w = s.win;
    const o = (s.minute % RING) * NF;
    if (b[o + TRADES] === 0) s.firstTs[s.minute % RING] = ev.ts;
    b[o + VOL] += qty;
    w[VOL] += qty;
    b[o + TRADES] += 1;
    w[TRADES] += 1;
    const jump = last > 0 && price > last ? price - last : 0;
    if (jump > b[o + MAX_JUMP]) b[o + MAX_JUMP] = jump;
    if (side > 0) {
      b[o + BUY] += qty;
      w[BUY] += qty;
      if (jump > 0) {
        b[o + UPBUY] += 1;
        w[UPBUY] += 1;
      }
      s.run = s.lastSide > 0 ? s.run + 1 : 1;
      if (s.run > b[o + MAX_RUN]) b[o + MAX_RUN] = s.run;
    } else if (side < 0) {
      b[o + SELL] += qty;
      w[SELL] += qty;
      b[o + SELL_N] += 1;
      if (price >= last) b[o + SELL_HELD] += 1;
      s.run = 0;
    }
    b[o + LAST] = price;
    s.lastPrice = price;
    s.lastSide = side;
    s.dayVol += qty;
    s.dayTrades += 1;
    // Evidence ids are only needed once volume heads for the threshold; skipping them otherwise
    // keeps an ordinary print from touching one more cache line.
    if (w[VOL] * 4 >= s.trigger) {
      s.recentIds[s.recentPos] = ev.id;
      s.recentPos = (s.recentPos + 1) % RECENT_IDS;
    }

    if (this.pumpOn) {
      const ep = s.episode;
      if (ep !== null) this.updateEpisode(s, ep, ev, side, jump, ctx);
      else if (w[VOL] >= s.trigger && day !== s.episodeDay) this.tryOnset(s, ev, ctx);
    }
    // Most prints neither extend a run of price-raising buys nor fall in the closing minutes: copies
    // kept here answer that without touching the ramp and close states (a cache miss each).
    const r = s.ramp;
    const rampDue = r !== null && !(s.rampIdle && day === s.rampDay && (side <= 0 || price <= last));
    const c = s.close;
    const closeDue = c !== null && (day !== s.closeDay || (t >= s.closeFrom && t < s.closeTo));
    if (!rampDue && !closeDue) return;
    const f = this.facts;
    f.t = t;
    f.day = day;
    f.side = side;
    f.last = last;
    f.baseVol = s.histN >= this.o.minHistoryDays ? s.baseVol : 0;
    if (rampDue) {
      trackRamp(r, ev, f, this.rampOpts!, ctx);
      s.rampIdle = r.runUps === 0;
      s.rampDay = r.day;
    }
    if (closeDue) {
      trackClose(c, ev, f, this.closeOpts!, ctx);
      s.closeDay = c.day;
      s.closeFrom = c.winStartT;
      s.closeTo = c.winEndT;
    }
  }

  private observeExecution(ev: ExecutionEvent, ctx: ObserveContext): void {
    const s = this.state.symbols.get(ev.symbol);
    if (s === undefined || s.minute < 0) return;
    const minute = Math.floor(ctx.t / 60_000);
    if (minute > s.minute) this.advance(s, minute);
    s.dayBroker += ev.qty;
    if (ev.side === 'buy') {
      s.buckets[(s.minute % RING) * NF + BROKER_BUY] += ev.qty;
      s.win[BROKER_BUY] += ev.qty;
    }
    const ep = s.episode;
    if (ep === null || !this.pumpOn) return;
    if (ev.side === 'buy') {
      ep.brokerBuy += ev.qty;
      if (ep.buyAccounts.length < 100 && !ep.buyAccounts.includes(ev.account_id)) ep.buyAccounts.push(ev.account_id);
    } else {
      ep.brokerSell += ev.qty;
      if (ep.sellAccounts.length < 100 && !ep.sellAccounts.includes(ev.account_id)) ep.sellAccounts.push(ev.account_id);
    }
  }

  /** Our customers' orders, with the decision our defence took: who is trying to buy what. */
  private observeOrder(ev: OrderEvent, ctx: ObserveContext): void {
    if (!this.pumpOn || ev.action !== 'new') return;
    const st = this.state;
    const day = jstDay(ctx.t);
    if (day !== st.sellDay) {
      st.sellOrders.clear();
      st.sellDay = day;
    }
    if (ev.side === 'sell') {
      const price = ev.limit_price ?? ctx.world.market.get(ev.symbol)?.last_price ?? 0;
      st.sellOrders.set(ev.account_id, (st.sellOrders.get(ev.account_id) ?? 0) + ev.qty * price * ctx.world.fxToJpy(ev.symbol));
      return;
    }
    const d = ctx.decision;
    let held = d !== undefined && (d.decision === 'hold' || d.decision === 'block') && d.hold_scope !== 'order';
    if (held) {
      // A hold placed days ago (a customer held and never released) says nothing about today's
      // buying; a hijacked account is held within hours of the takeover it is used for.
      const hold = ctx.world.holds.get(ev.account_id);
      if (hold !== undefined && ctx.t - hold.since_t > FRESH_HOLD_MS) held = false;
    }
    const soldOff = this.soldOffToday(ev.account_id, ev.symbol, ctx);
    if (held || soldOff) this.addSuspect(this.tape(ev.symbol, ctx), ev.account_id, ctx.t, held, soldOff, ctx);
  }

  /** Did the account try to sell at least half of its portfolio (other than `symbol`) earlier today? */
  private soldOffToday(account: string, symbol: string, ctx: ObserveContext): boolean {
    const sold = this.state.sellOrders.get(account);
    if (sold === undefined || sold <= 0) return false;
    let kept = 0;
    const a = ctx.world.accounts.get(account);
    if (a) {
      for (const [sym, qty] of a.holdings) {
        if (sym !== symbol) kept += qty * (ctx.world.market.get(sym)?.last_price ?? 0) * ctx.world.fxToJpy(sym);
      }
    }
    // Executed sells have left the holdings, held ones are still there: half of what remains.
    return sold >= kept / 2;
  }

  private addSuspect(s: SymbolTape, account: string, t: number, held: boolean, soldOff: boolean, ctx: ObserveContext): void {
    const list = s.suspects;
    let k = 0;
    // Oldest first: drop what has aged out.
    while (k < list.length && t - list[k].t > SUSPECT_MS) k++;
    if (k > 0) list.splice(0, k);
    const i = list.findIndex((x) => x.account === account);
    if (i >= 0) {
      const x = list.splice(i, 1)[0];
      list.push({ account, t, held: held || x.held, soldOff: soldOff || x.soldOff });
    } else {
      if (list.length >= MAX_SUSPECTS) list.shift();
      list.push({ account, t, held, soldOff });
    }
    const ep = s.episode;
    if (ep !== null && ep.status === 'frenzy' && this.isPump(s, ep)) {
      ep.status = 'pump';
      this.raiseEpisode(s, ep, 'confirmed', ctx);
    }
  }

  /** Our accounts that look hijacked buying the symbol from shortly before the onset on. */
  private hijackEvidence(s: SymbolTape, ep: Episode): { held: string[]; soldOff: string[]; points: number } {
    const since = ep.onsetMinute * 60_000 - this.o.evidenceLeadMinutes * 60_000;
    const held: string[] = [];
    const soldOff: string[] = [];
    for (const x of s.suspects) {
      if (x.t < since) continue;
      if (x.held) held.push(x.account);
      if (x.soldOff) soldOff.push(x.account);
    }
    return { held, soldOff, points: held.length + soldOff.length };
  }

  /**
   * Move the ring to `minute`. Buckets leaving the window leave the running sums; ring slots are
   * cleared lazily when reused (each slot's tag says which minute it holds), so a sparse symbol
   * costs O(1) per trade rather than a sweep over every minute it skipped.
   */
  private advance(s: SymbolTape, minute: number): void {
    const b = s.buckets;
    const w = s.win;
    const W = this.o.windowMinutes;
    const gap = s.minute < 0 ? Infinity : minute - s.minute;
    if (gap >= W) {
      for (let f = 0; f < WIN_FIELDS; f++) w[f] = 0;
      if (s.lastPrice > 0) {
        s.winRef = s.lastPrice;
        if (gap >= RING) {
          s.ringRef = s.lastPrice;
          s.ringRefMinute = s.minute;
        }
      }
    } else {
      for (let k = s.minute + 1; k <= minute; k++) {
        const out = k - W;
        const os = out % RING;
        if (s.tags[os] === out) {
          const oo = os * NF;
          for (let f = 0; f < WIN_FIELDS; f++) w[f] -= b[oo + f];
          if (b[oo + TRADES] > 0) s.winRef = b[oo + LAST];
        }
      }
    }
    const ks = minute % RING;
    const old = s.tags[ks];
    if (old !== minute) {
      const ko = ks * NF;
      if (old > s.ringRefMinute && b[ko + TRADES] > 0) {
        s.ringRef = b[ko + LAST];
        s.ringRefMinute = old;
      }
      for (let f = 0; f < NF; f++) b[ko + f] = 0;
      s.tags[ks] = minute;
    }
    s.minute = minute;
  }

  private rollDay(s: SymbolTape, day: number, ctx: ObserveContext): void {
    if (s.episode) this.close(s, ctx);
    if (s.day >= 0 && s.dayVol > 0 && s.episodeDay !== s.day) {
      // A day far above normal (news, index events) is clipped so one day cannot lift the baseline.
      const vol = s.histN >= 3 ? Math.min(s.dayVol, 5 * s.baseVol) : s.dayVol;
      const trades = s.histN >= 3 ? Math.min(s.dayTrades, 5 * s.baseTrades) : s.dayTrades;
      s.histBrokerShare[s.histPos] = Math.min(1, s.dayBroker / s.dayVol);
      s.histVol[s.histPos] = vol;
      s.histTrades[s.histPos] = trades;
      s.histPos = (s.histPos + 1) % this.o.historyDays;
      if (s.histN < this.o.historyDays) s.histN++;
      s.baseVol = medianOf(s.histVol, s.histN);
      s.baseTrades = medianOf(s.histTrades, s.histN);
      s.baseBrokerShare = medianOf(s.histBrokerShare, s.histN);
      s.volThreshold =
        s.histN >= this.o.minHistoryDays ? Math.max(1, (this.o.minVolumeMultiple * s.baseVol * this.o.windowMinutes) / s.sessionMinutes) : Infinity;
    }
    s.day = day;
    s.dayVol = 0;
    s.dayTrades = 0;
    s.dayBroker = 0;
    s.trigger = this.onWatch(s) ? s.volThreshold * this.o.watchVolumeFactor : s.volThreshold;
  }

  /** Was the symbol pumped on an earlier day within `repeatDays`? */
  private onWatch(s: SymbolTape): boolean {
    return s.pumpDay >= 0 && s.pumpDay < s.day && s.day - s.pumpDay <= this.o.repeatDays;
  }

  private normalVolume(s: SymbolTape, minutes: number): number {
    return (s.baseVol * minutes) / s.sessionMinutes;
  }

  /** Volume crossed the threshold: check trades and price cheaply, then scan the ring once. */
  private tryOnset(s: SymbolTape, ev: MarketTradeEvent, ctx: ObserveContext): void {
    const o = this.o;
    const w = s.win;
    // The rise may have started before the window (a slow ramp): compare with the hour-old price too.
    const ref0 = s.ringRef > 0 && s.ringRef < s.winRef ? s.ringRef : s.winRef;
    if (ref0 <= 0 || s.lastPrice / ref0 - 1 < o.minPriceChange) return;
    const normalTrades = (s.baseTrades * o.windowMinutes) / s.sessionMinutes;
    const watch = s.trigger < s.volThreshold ? o.watchVolumeFactor : 1;
    if (w[TRADES] < o.minWindowTrades || w[TRADES] < o.minTradeMultiple * normalTrades * watch) return;
    // The ring scan below runs at most once a minute per symbol.
    if (s.triedMinute === s.minute) return;
    s.triedMinute = s.minute;

    // Onset: walk back over abnormal minutes (gaps of up to 2 quiet minutes allowed).
    const minuteThreshold = Math.max(1, (o.onsetMinuteMultiple * s.baseVol) / s.sessionMinutes);
    const b = s.buckets;
    let onset = s.minute;
    let quiet = 0;
    for (let k = s.minute - 1; k > s.minute - RING && quiet <= 2; k--) {
      const slot = k % RING;
      if (s.tags[slot] === k && b[slot * NF + VOL] >= minuteThreshold) {
        onset = k;
        quiet = 0;
      } else quiet++;
    }
    if (b[(onset % RING) * NF + TRADES] === 0) onset = this.nextTradedMinute(s, onset);
    // Reference: the last price before the onset.
    let ref = s.ringRef;
    for (let k = onset - 1; k > s.minute - RING; k--) {
      const slot = k % RING;
      if (s.tags[slot] === k && b[slot * NF + TRADES] > 0) {
        ref = b[slot * NF + LAST];
        break;
      }
    }
    if (ref <= 0) ref = s.winRef;
    if (s.lastPrice / ref - 1 < o.minPriceChange) return;

    const ep: Episode = {
      id: `${s.symbol}@${s.firstTs[onset % RING]}`,
      status: 'frenzy',
      alerted: false,
      onsetMinute: onset,
      onsetTs: s.firstTs[onset % RING],
      detectTs: ev.ts,
      lastTs: ev.ts,
      refPrice: ref,
      lastPrice: s.lastPrice,
      peakPrice: s.lastPrice,
      peakTs: ev.ts,
      vol: 0,
      trades: 0,
      buy: 0,
      sell: 0,
      upBuys: 0,
      sellN: 0,
      sellHeld: 0,
      maxJump: 0,
      maxRun: 0,
      fadeTs: null,
      brokerBuy: 0,
      brokerSell: 0,
      buyAccounts: [],
      sellAccounts: [],
      sample: [],
    };
    for (let k = onset; k <= s.minute; k++) {
      const slot = k % RING;
      if (s.tags[slot] !== k) continue;
      const bo = slot * NF;
      ep.vol += b[bo + VOL];
      ep.trades += b[bo + TRADES];
      ep.buy += b[bo + BUY];
      ep.sell += b[bo + SELL];
      ep.upBuys += b[bo + UPBUY];
      ep.sellN += b[bo + SELL_N];
      ep.sellHeld += b[bo + SELL_HELD];
      ep.brokerBuy += b[bo + BROKER_BUY];
      if (b[bo + MAX_JUMP] > ep.maxJump) ep.maxJump = b[bo + MAX_JUMP];
      if (b[bo + MAX_RUN] > ep.maxRun) ep.maxRun = b[bo + MAX_RUN];
      if (b[bo + TRADES] > 0 && b[bo + LAST] > ep.peakPrice) ep.peakPrice = b[bo + LAST];
    }
    for (let i = 0; i < RECENT_IDS; i++) {
      const id = s.recentIds[(s.recentPos + i) % RECENT_IDS];
      if (id) ep.sample.push(id);
    }
    s.episode = ep;
    s.episodeDay = s.day;
    if (this.isPump(s, ep)) ep.status = 'pump';
    this.raiseEpisode(s, ep, 'onset', ctx);
  }

  private nextTradedMinute(s: SymbolTape, from: number): number {
    for (let k = from; k <= s.minute; k++) if (s.tags[k % RING] === k && s.buckets[(k % RING) * NF + TRADES] > 0) return k;
    return s.minute;
  }

  private updateEpisode(s: SymbolTape, ep: Episode, ev: MarketTradeEvent, side: number, jump: number, ctx: ObserveContext): void {
    const price = ev.price;
    ep.vol += ev.qty;
    ep.trades += 1;
    if (side > 0) {
      ep.buy += ev.qty;
      if (jump > 0) ep.upBuys += 1;
      if (s.run > ep.maxRun) ep.maxRun = s.run;
    } else if (side < 0) {
      ep.sell += ev.qty;
      ep.sellN += 1;
      if (price >= ep.lastPrice) ep.sellHeld += 1;
    }
    if (jump > ep.maxJump) ep.maxJump = jump;
    ep.lastPrice = price;
    ep.lastTs = ev.ts;
    if (price > ep.peakPrice) {
      ep.peakPrice = price;
      ep.peakTs = ev.ts;
    }
    if (ep.sample.length < this.o.sampleSize) ep.sample.push(ev.id);
    if (ep.fadeTs === null && this.retrace(ep) >= this.o.fadeRetrace && ep.peakPrice / ep.refPrice - 1 >= this.o.pumpPeakChange / 2) {
      ep.fadeTs = ev.ts;
      // A dump confirms a pump only after one-sided buying built the rise; a frenzy may fade too.
      if (ep.status === 'frenzy' && this.looksManipulated(ep)) {
        ep.status = 'pump';
        this.raiseEpisode(s, ep, 'confirmed', ctx);
      }
    }
  }

  /** Once a minute while an episode is open: confirm a frenzy that now shows the signature, or close. */
  private checkEpisodeMinute(s: SymbolTape, ep: Episode, ctx: ObserveContext): void {
    // An empty window is a break (lunch, halt), not the end: the tape must be trading, but quietly.
    if (s.win[TRADES] > 0 && s.win[VOL] < (this.o.closeVolumeMultiple * s.baseVol * this.o.windowMinutes) / s.sessionMinutes) {
      this.close(s, ctx);
      return;
    }
    if (ep.status === 'frenzy' && this.isPump(s, ep)) {
      ep.status = 'pump';
      this.raiseEpisode(s, ep, 'confirmed', ctx);
    }
  }

  /**
   * Volume and price say "frenzy"; a pump also needs the signature of one-sided aggressive buying
   * that ramps the price, and evidence of who is behind it: our accounts that look hijacked buying
   * the symbol (held by our defence, or buying right after selling off their portfolio), or a surge
   * of the threat's size.
   */
  private isPump(s: SymbolTape, ep: Episode): boolean {
    if (!this.looksManipulated(ep)) return false;
    const o = this.o;
    if (this.onWatch(s)) return true;
    if (s.suspects.length > 0) {
      if (this.hijackEvidence(s, ep).points >= o.minHijackedBuyers) return true;
    }
    return ep.vol >= o.pumpVolumeDays * s.baseVol && ep.peakPrice / ep.refPrice - 1 >= o.pumpPeakChange;
  }

  private looksManipulated(ep: Episode): boolean {
    const o = this.o;
    const aggressive = ep.buy + ep.sell;
    const buyShare = aggressive > 0 ? ep.buy / aggressive : 0;
    // Not the gap share: with ¥1 ticks early in a ramp one marketable order walking the book
    // makes most of a small rise, so it separates nothing until the move is large (kept as data).
    return buyShare >= o.minBuyShare && ep.upBuys >= o.minUptickBuys;
  }

  private gapShare(ep: Episode): number {
    const rise = ep.peakPrice - ep.refPrice;
    return rise > 0 ? Math.min(1, ep.maxJump / rise) : 1;
  }

  private retrace(ep: Episode): number {
    const rise = ep.peakPrice - ep.refPrice;
    return rise > 0 ? Math.max(0, Math.min(1, (ep.peakPrice - ep.lastPrice) / rise)) : 0;
  }

  private close(s: SymbolTape, ctx: ObserveContext): void {
    const ep = s.episode;
    if (ep === null) return;
    s.episode = null;
    this.raiseEpisode(s, ep, 'closed', ctx);
  }

  private figures(s: SymbolTape, ep: Episode, phase: PumpAlertData['phase']): PumpAlertData {
    const minutes = Math.max(1, s.minute - ep.onsetMinute + 1);
    const normalVol = this.normalVolume(s, minutes);
    const normalTrades = (s.baseTrades * minutes) / s.sessionMinutes;
    const aggressive = ep.buy + ep.sell;
    const ev = this.hijackEvidence(s, ep);
    return {
      episode_id: ep.id,
      phase,
      status: ep.status,
      onset_ts: ep.onsetTs,
      detected_ts: ep.detectTs,
      end_ts: ep.lastTs,
      ref_price: ep.refPrice,
      last_price: ep.lastPrice,
      price_change: round4(ep.lastPrice / ep.refPrice - 1),
      peak_price: ep.peakPrice,
      peak_ts: ep.peakTs,
      peak_change: round4(ep.peakPrice / ep.refPrice - 1),
      baseline_daily_volume: round4(s.baseVol),
      baseline_daily_trades: round4(s.baseTrades),
      history_days: s.histN,
      episode_volume: ep.vol,
      episode_trades: ep.trades,
      volume_multiple: round4(normalVol > 0 ? ep.vol / normalVol : 0),
      daily_volume_multiple: round4(s.baseVol > 0 ? ep.vol / s.baseVol : 0),
      trade_count_multiple: round4(normalTrades > 0 ? ep.trades / normalTrades : 0),
      aggressive_buy_share: round4(aggressive > 0 ? ep.buy / aggressive : 0),
      uptick_buys: ep.upBuys,
      max_buy_run: ep.maxRun,
      gap_share: round4(this.gapShare(ep)),
      support_share: round4(ep.sellN > 0 ? ep.sellHeld / ep.sellN : 0),
      fade_ts: ep.fadeTs,
      retrace: round4(this.retrace(ep)),
      broker_buy_qty: ep.brokerBuy,
      broker_sell_qty: ep.brokerSell,
      broker_buy_share: round4(ep.vol > 0 ? ep.brokerBuy / ep.vol : 0),
      broker_normal_share: round4(s.baseBrokerShare),
      broker_buy_accounts: ep.buyAccounts.slice(),
      broker_sell_accounts: ep.sellAccounts.slice(),
      held_buy_accounts: ev.held,
      sold_off_buy_accounts: ev.soldOff,
      days_since_pump: this.onWatch(s) ? s.day - s.pumpDay : null,
    };
  }

  private raiseEpisode(s: SymbolTape, ep: Episode, phase: PumpAlertData['phase'], ctx: ObserveContext): void {
    const d = this.figures(s, ep, phase);
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    const reasons: Reason[] = [
      {
        code: 'VOLUME_SURGE',
        detail: `${fmt(d.episode_volume)} shares since ${d.onset_ts}: ${fmt(d.volume_multiple)}× the normal volume of those minutes, ${fmt(d.daily_volume_multiple)}× a normal day (median ${fmt(d.baseline_daily_volume)} shares/day over ${d.history_days} days)`,
      },
      {
        code: 'PRICE_RISE',
        detail: `price ${d.last_price} is ${pct(d.price_change)} from the pre-episode ${d.ref_price} (peak ${d.peak_price}, ${pct(d.peak_change)})`,
      },
      {
        code: 'AGGRESSIVE_BUYING',
        detail: `${pct(d.aggressive_buy_share)} of aggressive volume was buying; ${d.uptick_buys} price-raising buys, longest buy run ${d.max_buy_run}; largest single jump ${pct(d.gap_share)} of the rise`,
      },
    ];
    if (d.fade_ts) reasons.push({ code: 'FADE', detail: `gave back ${pct(d.retrace)} of the rise by ${d.fade_ts}` });
    if (d.broker_buy_qty > 0) {
      reasons.push({
        code: 'BROKER_BUYING',
        detail: `${d.broker_buy_accounts.length} of our accounts bought ${fmt(d.broker_buy_qty)} shares (${pct(d.broker_buy_share)} of the episode volume)`,
      });
    }
    if (d.held_buy_accounts.length > 0 || d.sold_off_buy_accounts.length > 0) {
      reasons.push({
        code: 'HIJACKED_BUYING',
        detail: `of our accounts buying it, ${d.held_buy_accounts.length} were held by our defence as hijacked and ${d.sold_off_buy_accounts.length} had just tried to sell off their portfolio`,
      });
    }
    if (d.days_since_pump !== null) {
      reasons.push({ code: 'REPEAT_OF_PUMP', detail: `this symbol was pumped ${d.days_since_pump} day(s) before; pumps repeat on the following days` });
    }
    const pump = ep.status === 'pump';
    if (pump && !ep.alerted) {
      ep.alerted = true;
      s.pumpDay = s.day;
      reasons.unshift({
        code: phase === 'onset' ? 'PUMP_SIGNATURE' : d.fade_ts ? 'DUMP_CONFIRMED' : 'PUMP_SIGNATURE',
        detail:
          phase === 'onset'
            ? 'volume, trades and price far above this symbol’s normal, driven by one-sided aggressive buying that ramps the price'
            : d.fade_ts
              ? 'the surge faded the same day: the price was pumped and dumped'
              : 'the surge turned into one-sided aggressive buying that ramps the price',
      });
    }
    let kind: string;
    if (phase === 'closed') kind = ep.alerted ? 'pump_and_dump_update' : 'market_frenzy_update';
    else kind = pump ? 'pump_and_dump' : 'market_frenzy';
    const draft: AlertDraft = {
      kind,
      severity: phase === 'closed' ? 'medium' : pump ? 'high' : 'low',
      score: this.score(d, pump),
      symbol: s.symbol,
      window: { start: ep.onsetTs, end: ep.lastTs },
      reasons,
      event_ids: ep.sample.slice(),
      data: d as unknown as Record<string, unknown>,
    };
    ctx.raise(draft);
  }

  private score(d: PumpAlertData, pump: boolean): number {
    const o = this.o;
    const v = Math.min(1, Math.log10(Math.max(1, d.volume_multiple / o.minVolumeMultiple)));
    const p = Math.min(1, Math.max(0, d.peak_change / (4 * o.minPriceChange)));
    const bShare = Math.min(1, Math.max(0, (d.aggressive_buy_share - 0.5) / 0.5));
    const s = (pump ? 0.55 : 0.2) + 0.15 * v + 0.15 * p + 0.15 * bShare;
    return round4(Math.min(1, s));
  }
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const fmt = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(round4(x)));
