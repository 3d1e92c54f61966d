import type { ExecutionEvent, MarketTradeEvent } from '../../events/schema.js';

/** A symbol of a synthetic tape and its normal day. */
export interface TapeSymbol {
  symbol: string;
  price: number;
  /** Normal shares per day. */
  dailyVolume: number;
  /** Normal trades per day. */
  dailyTrades: number;
  /** Price tick. Default 1 (TSE, prices up to ¥3,000). */
  tick?: number;
}

/**
 * A scripted episode on one symbol-day:
 * - `pump`: one-sided aggressive buying ramps the price print by print to `peakChange`, then sells
 *   give most of it back the same day (brief.md §2);
 * - `news`: the price gaps to `peakChange` at once and trades two-sided around the new level;
 * - `heavy`: a busy day (index or sector news) with `volumeMultiple` normal days and a modest drift.
 */
export interface TapeEpisode {
  symbol: string;
  kind: 'pump' | 'news' | 'heavy';
  /** 0-based day of the tape. */
  day: number;
  /** Session minute (0 = 9:00 JST, 150 = 12:30 JST) of the start. */
  startMinute: number;
  minutes: number;
  /** Extra shares traded in the episode, in normal days. */
  volumeMultiple: number;
  /** Peak price change from the pre-episode price, e.g. 0.35. */
  peakChange: number;
  /**
   * Share of the episode's buyer-initiated prints bought by this broker's accounts (ten accounts
   * `H1`…`H10`), written as `execution` events beside the tape. Default 0.
   */
  brokerShare?: number;
}

export interface GenerateTapeOptions {
  seed: number;
  days: number;
  symbols: TapeSymbol[];
  episodes?: TapeEpisode[];
  /** First day, a JST date `YYYY-MM-DD`. Default 2025-04-07 (a Monday). */
  startDate?: string;
  /** Share of trades whose feed carries no aggressor (the tick rule must infer it). Default 0. */
  missingAggressor?: number;
}

export interface TapeTrade {
  ev: MarketTradeEvent;
  /** Event time, epoch ms. */
  t: number;
}

export interface TapeExecution {
  ev: ExecutionEvent;
  t: number;
}

export interface GeneratedEpisode {
  symbol: string;
  kind: TapeEpisode['kind'];
  start: string;
  end: string;
}

const SESSION_MINUTES = 330;
const MORNING_MINUTES = 150;

/** Epoch ms of a session minute of a JST trading day (Mondays to Fridays from `startDate`). */
export function sessionTime(startDate: string, day: number, sessionMinute: number): number {
  const base = Date.parse(`${startDate}T09:00:00.000+09:00`);
  const week = Math.floor(day / 5);
  const dow = day % 5;
  const clock = sessionMinute < MORNING_MINUTES ? sessionMinute : sessionMinute + 60;
  return base + (week * 7 + dow) * 86_400_000 + clock * 60_000;
}

/** Deterministic synthetic tapes for tests and benchmarks: random walks plus scripted episodes. */
export function generateTape(opts: GenerateTapeOptions): { trades: TapeTrade[]; executions: TapeExecution[]; episodes: GeneratedEpisode[] } {
  const rnd = mulberry32(opts.seed);
  const startDate = opts.startDate ?? '2025-04-07';
  const missing = opts.missingAggressor ?? 0;
  const trades: TapeTrade[] = [];
  const executions: TapeExecution[] = [];
  const labelled: GeneratedEpisode[] = [];
  let seq = 0;
  const push = (symbol: string, t: number, price: number, qty: number, buy: boolean) => {
    const ev: MarketTradeEvent = {
      type: 'market_trade',
      id: `mt-${opts.seed}-${seq++}`,
      ts: new Date(t).toISOString(),
      symbol,
      price,
      qty,
    };
    if (missing === 0 || rnd() >= missing) ev.aggressor = buy ? 'buy' : 'sell';
    trades.push({ ev, t });
  };

  for (const sym of opts.symbols) {
    const tick = sym.tick ?? 1;
    const round = (p: number) => Math.max(tick, Math.round(p / tick) * tick);
    const lots = Math.max(1, sym.dailyVolume / sym.dailyTrades / 100);
    const qtyOf = (scale: number) => 100 * Math.max(1, Math.round(-Math.log(1 - rnd()) * lots * scale));
    let anchor = sym.price;
    let price = round(sym.price);
    for (let day = 0; day < opts.days; day++) {
      anchor *= 1 + gauss(rnd) * 0.01;
      const ep = opts.episodes?.find((e) => e.symbol === sym.symbol && e.day === day);
      const n = Math.max(1, Math.round(sym.dailyTrades * (0.7 + 0.6 * rnd())));
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(sessionTime(startDate, day, rnd() * SESSION_MINUTES));
      times.sort((a, b) => a - b);
      const ordinary = times.map((t) => ({ t, episode: false }));
      let script: ((t: number) => { target: number; buyProb: number }) | undefined;
      let epStart = 0;
      let epEnd = 0;
      if (ep) {
        epStart = sessionTime(startDate, day, ep.startMinute);
        epEnd = sessionTime(startDate, day, ep.startMinute + ep.minutes);
        const extraTrades = Math.round(sym.dailyTrades * ep.volumeMultiple * (ep.kind === 'heavy' ? 1 : 0.5));
        for (let i = 0; i < extraTrades; i++) {
          // News and heavy days are front-loaded; hijacked accounts buy steadily through the pump.
          const u = ep.kind === 'pump' ? rnd() : Math.pow(rnd(), 2);
          const m = ep.startMinute + Math.min(0.999, u) * ep.minutes;
          ordinary.push({ t: sessionTime(startDate, day, m), episode: true });
        }
        ordinary.sort((a, b) => a.t - b.t);
        const ref = price;
        const peak = ref * (1 + ep.peakChange);
        const rampEnd = epStart + (epEnd - epStart) * 0.4;
        labelled.push({ symbol: sym.symbol, kind: ep.kind, start: new Date(epStart).toISOString(), end: new Date(epEnd).toISOString() });
        if (ep.kind === 'pump') {
          script = (t) => {
            if (t < rampEnd) return { target: ref + (peak - ref) * ((t - epStart) / (rampEnd - epStart)), buyProb: 0.82 };
            const f = Math.min(1, (t - rampEnd) / (epEnd - rampEnd));
            return { target: peak - (peak - ref) * 0.8 * f, buyProb: 0.3 };
          };
        } else if (ep.kind === 'news') {
          script = (t) => ({ target: peak * (1 - 0.05 * Math.min(1, (t - epStart) / (epEnd - epStart))), buyProb: 0.53 });
        } else {
          script = (t) => ({ target: ref * (1 + ep.peakChange * Math.min(1, (t - epStart) / (epEnd - epStart))), buyProb: 0.52 });
        }
      }
      for (const { t, episode } of ordinary) {
        const inEpisode = script !== undefined && t >= epStart && t < epEnd;
        if (inEpisode) {
          const { target, buyProb } = script!(t);
          const buy = rnd() < buyProb;
          // Aggressive buys lift the offer, sells hit the bid: the print is a tick or two off the target.
          const p = round(target + (buy ? 1 : -1) * tick * Math.floor(rnd() * 2));
          price = p;
          const qty = qtyOf(episode && ep!.kind !== 'heavy' ? 2 : 1);
          push(sym.symbol, t, p, qty, buy);
          if (buy && ep!.brokerShare && rnd() < ep!.brokerShare) {
            const n = seq++;
            executions.push({
              t,
              ev: { type: 'execution', id: `ex-${opts.seed}-${n}`, ts: new Date(t).toISOString(), exec_id: `E${n}`, order_id: `O${n}`, account_id: `H${1 + Math.floor(rnd() * 10)}`, symbol: sym.symbol, side: 'buy', qty, price: p },
            });
          }
          if (t >= epEnd - 60_000) anchor = price;
          continue;
        }
        if (script !== undefined && t >= epEnd) anchor = price;
        const buy = rnd() < 0.5;
        // A random walk around a slowly drifting anchor, pulled back when it strays.
        const pull = (anchor - price) / anchor;
        const up = buy ? rnd() < 0.35 + Math.max(-0.3, Math.min(0.3, pull * 10)) : false;
        const down = !buy ? rnd() < 0.35 - Math.max(-0.3, Math.min(0.3, pull * 10)) : false;
        price = round(price + (up ? tick : 0) - (down ? tick : 0));
        push(sym.symbol, t, price, qtyOf(1), buy);
      }
    }
  }
  trades.sort((a, b) => a.t - b.t);
  executions.sort((a, b) => a.t - b.t);
  return { trades, executions, episodes: labelled };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
