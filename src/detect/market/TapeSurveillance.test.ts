import { serialize, deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert, Detector } from '../../engine/types.js';
import type { KgEvent, OrderEvent } from '../../events/schema.js';
import { generateTape, type TapeExecution, type TapeTrade, type TapeSymbol } from './generateTape.js';
import { TapeSurveillance } from './TapeSurveillance.js';
import type { PumpAlertData } from './PumpAlertData.js';

const THIN: TapeSymbol = { symbol: '7992.T', price: 105, dailyVolume: 15_000, dailyTrades: 60 };
const THIN2: TapeSymbol = { symbol: '3350.T', price: 180, dailyVolume: 5_000, dailyTrades: 25 };
const MID: TapeSymbol = { symbol: '6200.T', price: 1_450, dailyVolume: 400_000, dailyTrades: 900 };
const LARGE: TapeSymbol = { symbol: '7203.T', price: 2_800, dailyVolume: 5_000_000, dailyTrades: 4_000 };

interface Timed {
  ev: KgEvent;
  t: number;
}

/** Tape, executions and orders in time order (an execution after the print it belongs to). */
function merge(trades: TapeTrade[], executions: TapeExecution[] = [], orders: Timed[] = []): Timed[] {
  return [...trades, ...executions, ...orders].sort((a, b) => a.t - b.t || (a.ev.type === 'execution' ? 1 : 0) - (b.ev.type === 'execution' ? 1 : 0));
}

function order(account: string, symbol: string, side: 'buy' | 'sell', t: number, qty = 1_000): Timed {
  const ev: OrderEvent = {
    type: 'order',
    id: `o-${account}-${side}-${t}`,
    ts: new Date(t).toISOString(),
    order_id: `O-${account}-${t}`,
    account_id: account,
    session_id: `S-${account}`,
    ip: '203.0.113.9',
    user_agent: 'test',
    channel: 'web',
    symbol,
    side,
    qty,
    order_type: 'limit',
    limit_price: 500,
    action: 'new',
  };
  return { ev, t };
}

/** The buy order behind the first execution of each of `accounts` (one second before it). */
function buyOrders(executions: TapeExecution[], accounts: string[]): Timed[] {
  const out: Timed[] = [];
  for (const a of accounts) {
    const x = executions.find((e) => e.ev.account_id === a);
    if (x) out.push(order(a, x.ev.symbol, 'buy', x.t - 1_000, x.ev.qty));
  }
  return out;
}

/** Stands in for the login and trading defence: holds every buy of the given accounts, as hijacked. */
function defence(hijacked: string[]): Detector {
  return {
    name: 'test.defence',
    assess: (ev) =>
      ev.type === 'order' && ev.side === 'buy' && hijacked.includes(ev.account_id)
        ? { rule: 'test.defence', outcome: 'hit', decision: 'hold', score: 0.9, reasons: [{ code: 'HIJACKED', detail: 'test' }] }
        : undefined,
  };
}

const tapeOnly = () => new TapeSurveillance({ ramping: false, markingClose: false });

function run(events: Timed[], detectors: Detector[] = [tapeOnly()]): Alert[] {
  const engine = new Engine({ detectors });
  const alerts: Alert[] = [];
  for (const { ev, t } of events) alerts.push(...engine.process(ev, t).alerts);
  alerts.push(...engine.finish(events[events.length - 1].t).alerts);
  return alerts;
}

const pumpTape = (seed: number) =>
  generateTape({
    seed,
    days: 6,
    symbols: [THIN, THIN2, MID],
    episodes: [{ symbol: '7992.T', kind: 'pump', day: 4, startMinute: 40, minutes: 120, volumeMultiple: 150, peakChange: 0.35, brokerShare: 0.5 }],
  });

describe('TapeSurveillance: pump-and-dump', () => {
  it('raises exactly one pump_and_dump alert early in a pump our accounts held as hijacked try to buy, with its window and figures', () => {
    const { trades, executions, episodes } = pumpTape(1);
    const alerts = run(merge(trades, executions, buyOrders(executions, ['H1', 'H2', 'H3'])), [defence(['H1', 'H2', 'H3']), tapeOnly()]);
    const pumps = alerts.filter((a) => a.kind === 'pump_and_dump');
    expect(pumps).toHaveLength(1);
    const a = pumps[0];
    expect(a.symbol).toBe('7992.T');
    const start = Date.parse(episodes[0].start);
    const end = Date.parse(episodes[0].end);
    expect(Date.parse(a.ts) - start).toBeLessThanOrEqual(10 * 60_000);
    expect(Date.parse(a.window!.start)).toBeGreaterThanOrEqual(start - 5 * 60_000);
    expect(Date.parse(a.window!.start)).toBeLessThanOrEqual(Date.parse(a.ts));
    const d = a.data as unknown as PumpAlertData;
    expect(d.volume_multiple).toBeGreaterThan(40);
    expect(d.price_change).toBeGreaterThan(0.03);
    expect(d.aggressive_buy_share).toBeGreaterThan(0.65);
    expect(d.baseline_daily_volume).toBeGreaterThan(5_000);
    expect(d.broker_buy_share).toBeGreaterThan(0.25);
    expect(d.held_buy_accounts.length).toBeGreaterThanOrEqual(2);
    expect(a.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['PUMP_SIGNATURE', 'HIJACKED_BUYING']));
    expect(a.event_ids.length).toBeGreaterThan(0);
    // One closing update carries the same episode id and the fade.
    const closed = alerts.filter((x) => x.kind === 'pump_and_dump_update');
    expect(closed).toHaveLength(1);
    const c = closed[0].data as unknown as PumpAlertData;
    expect(c.episode_id).toBe(d.episode_id);
    expect(c.peak_change).toBeGreaterThan(0.25);
    expect(c.fade_ts).not.toBeNull();
    expect(Date.parse(closed[0].window!.end)).toBeLessThanOrEqual(end + 60 * 60_000);
    expect(alerts.filter((x) => x.symbol !== '7992.T')).toEqual([]);
  });

  it('calls a pump at its onset when two of our accounts buy it right after trying to sell off their portfolio', () => {
    const { trades, executions, episodes } = pumpTape(1);
    const start = Date.parse(episodes[0].start);
    // Sell orders placed (held or not, they are the attacker's first move) earlier that day.
    const sells = ['H1', 'H2'].map((a) => order(a, '6200.T', 'sell', start - 20 * 60_000));
    const pumps = run(merge(trades, executions, [...sells, ...buyOrders(executions, ['H1', 'H2'])])).filter((a) => a.kind === 'pump_and_dump');
    expect(pumps).toHaveLength(1);
    expect(Date.parse(pumps[0].ts) - start).toBeLessThanOrEqual(10 * 60_000);
    expect((pumps[0].data as unknown as PumpAlertData).sold_off_buy_accounts.sort()).toEqual(['H1', 'H2']);
  });

  it('calls our ordinary customers rushing into news with cash a market_frenzy, however much of it they buy', () => {
    const { trades, executions } = generateTape({
      seed: 6,
      days: 6,
      symbols: [THIN, MID],
      episodes: [{ symbol: '7992.T', kind: 'news', day: 4, startMinute: 60, minutes: 120, volumeMultiple: 60, peakChange: 0.2, brokerShare: 0.6 }],
    });
    const accounts = [...new Set(executions.map((x) => x.ev.account_id))];
    const alerts = run(merge(trades, executions, buyOrders(executions, accounts)));
    expect(executions.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.kind === 'pump_and_dump')).toEqual([]);
    expect(alerts.filter((a) => a.kind === 'market_frenzy').map((a) => a.symbol)).toEqual(['7992.T']);
  });

  it('does not call a surge a pump at its onset because one customer buying it is held (a false alarm is not a campaign)', () => {
    const { trades, executions } = pumpTape(1);
    const alerts = run(merge(trades, executions, buyOrders(executions, ['H1'])), [defence(['H1']), tapeOnly()]);
    const first = alerts.find((a) => a.kind === 'pump_and_dump' || a.kind === 'market_frenzy');
    expect(first?.kind).toBe('market_frenzy');
  });

  it('does not count a hold placed days before the buy', () => {
    const { trades, executions, episodes } = pumpTape(1);
    const start = Date.parse(episodes[0].start);
    // H1 and H2 were held three days earlier (never released): their buys now say nothing new.
    const early = ['H1', 'H2'].map((a) => order(a, '3350.T', 'buy', start - 3 * 86_400_000));
    const alerts = run(merge(trades, executions, [...early, ...buyOrders(executions, ['H1', 'H2'])]), [defence(['H1', 'H2']), tapeOnly()]);
    const first = alerts.find((a) => a.kind === 'pump_and_dump' || a.kind === 'market_frenzy');
    expect(first?.kind).toBe('market_frenzy');
  });

  it('raises nothing on ordinary random-walk tapes', () => {
    for (const seed of [2, 3]) {
      const { trades } = generateTape({ seed, days: 8, symbols: [THIN, THIN2, MID, LARGE] });
      expect(run(trades)).toEqual([]);
    }
  });

  it('raises nothing on a large-cap heavy day', () => {
    const { trades } = generateTape({
      seed: 5,
      days: 6,
      symbols: [LARGE, MID],
      episodes: [
        { symbol: '7203.T', kind: 'heavy', day: 4, startMinute: 0, minutes: 90, volumeMultiple: 4, peakChange: 0.05 },
        { symbol: '6200.T', kind: 'heavy', day: 5, startMinute: 0, minutes: 60, volumeMultiple: 6, peakChange: 0.09 },
      ],
    });
    expect(run(trades)).toEqual([]);
  });

  it('calls a news gap with two-sided trading a market_frenzy, not a pump_and_dump', () => {
    const { trades } = generateTape({
      seed: 6,
      days: 6,
      symbols: [THIN, MID],
      episodes: [{ symbol: '7992.T', kind: 'news', day: 4, startMinute: 60, minutes: 120, volumeMultiple: 60, peakChange: 0.2 }],
    });
    const alerts = run(trades);
    expect(alerts.filter((a) => a.kind === 'pump_and_dump')).toEqual([]);
    expect(alerts.filter((a) => a.kind === 'market_frenzy').map((a) => a.symbol)).toEqual(['7992.T']);
  });

  it('calls a pump from the tape alone once it reaches the threat’s size, and says so later', () => {
    const { trades, episodes } = pumpTape(1);
    const pumps = run(trades).filter((a) => a.kind === 'pump_and_dump');
    expect(pumps).toHaveLength(1);
    expect(pumps[0].data).toMatchObject({ phase: 'confirmed', broker_buy_qty: 0 });
    expect((pumps[0].data as unknown as PumpAlertData).peak_change).toBeGreaterThanOrEqual(0.3);
    expect(Date.parse(pumps[0].ts)).toBeGreaterThan(Date.parse(episodes[0].start) + 10 * 60_000);
  });

  it('infers aggressors with the tick rule when the feed has none', () => {
    const { trades, executions } = generateTape({
      seed: 1,
      days: 6,
      symbols: [THIN, MID],
      missingAggressor: 1,
      episodes: [{ symbol: '7992.T', kind: 'pump', day: 4, startMinute: 40, minutes: 120, volumeMultiple: 150, peakChange: 0.35, brokerShare: 0.5 }],
    });
    const surges = run(merge(trades, executions)).filter((a) => a.kind === 'pump_and_dump' || a.kind === 'market_frenzy');
    expect(surges.map((a) => a.symbol)).toEqual(['7992.T']);
    expect((surges[0].data as unknown as PumpAlertData).aggressive_buy_share).toBeGreaterThan(0);
  });

  it('opens a new episode when the pump repeats the next day', () => {
    const { trades } = generateTape({
      seed: 7,
      days: 7,
      symbols: [THIN, MID],
      episodes: [
        { symbol: '7992.T', kind: 'pump', day: 4, startMinute: 30, minutes: 120, volumeMultiple: 120, peakChange: 0.3 },
        { symbol: '7992.T', kind: 'pump', day: 5, startMinute: 30, minutes: 120, volumeMultiple: 120, peakChange: 0.3 },
      ],
    });
    const pumps = run(trades).filter((a) => a.kind === 'pump_and_dump');
    expect(pumps).toHaveLength(2);
    expect(new Set(pumps.map((a) => (a.data as unknown as PumpAlertData).episode_id)).size).toBe(2);
  });

  it('calls a repeat of a pump on a following day a pump as soon as the tape shows the signature', () => {
    const { trades, executions, episodes } = generateTape({
      seed: 7,
      days: 7,
      symbols: [THIN, MID],
      episodes: [
        { symbol: '7992.T', kind: 'pump', day: 4, startMinute: 30, minutes: 120, volumeMultiple: 150, peakChange: 0.35, brokerShare: 0.5 },
        // Smaller, and nobody of ours buys: only the history of the symbol says who is behind it.
        { symbol: '7992.T', kind: 'pump', day: 5, startMinute: 30, minutes: 120, volumeMultiple: 40, peakChange: 0.15 },
      ],
    });
    const day4 = executions.filter((x) => x.t < Date.parse(episodes[1].start) - 3_600_000);
    const pumps = run(merge(trades, day4, buyOrders(day4, ['H1', 'H2'])), [defence(['H1', 'H2']), tapeOnly()]).filter((a) => a.kind === 'pump_and_dump');
    expect(pumps).toHaveLength(2);
    const repeat = pumps[1];
    expect(Date.parse(repeat.ts) - Date.parse(episodes[1].start)).toBeLessThanOrEqual(15 * 60_000);
    // Friday to Monday: counted in calendar days.
    expect((repeat.data as unknown as PumpAlertData).days_since_pump).toBe(Math.round((Date.parse(episodes[1].start) - Date.parse(episodes[0].start)) / 86_400_000));
    expect(repeat.reasons.map((r) => r.code)).toContain('REPEAT_OF_PUMP');
  });

  it('gives the same alerts after a snapshot and restore in the middle of an episode', () => {
    const { trades: tape, executions, episodes } = pumpTape(8);
    const trades = merge(tape, executions, buyOrders(executions, ['H1', 'H2']));
    const detectors = () => [defence(['H1', 'H2']), new TapeSurveillance()];
    const whole = run(trades, detectors());
    const cut = trades.findIndex((x) => x.t > Date.parse(episodes[0].start) + 30 * 60_000);
    const first = new Engine({ detectors: detectors() });
    const alerts: Alert[] = [];
    for (const { ev, t } of trades.slice(0, cut)) alerts.push(...first.process(ev, t).alerts);
    expect(alerts.some((a) => a.kind === 'pump_and_dump')).toBe(true);
    const second = new Engine({ detectors: detectors() });
    second.restore(deserialize(serialize(first.snapshot())));
    for (const { ev, t } of trades.slice(cut)) alerts.push(...second.process(ev, t).alerts);
    alerts.push(...second.finish(trades[trades.length - 1].t).alerts);
    expect(alerts).toEqual(whole);
  });

  it('needs a history before it can claim a volume surge', () => {
    const { trades } = generateTape({
      seed: 9,
      days: 1,
      symbols: [THIN],
      episodes: [{ symbol: '7992.T', kind: 'pump', day: 0, startMinute: 40, minutes: 120, volumeMultiple: 150, peakChange: 0.35 }],
    });
    expect(run(trades)).toEqual([]);
  });

  describe('malformed options', () => {
    it('rejects a window longer than the ring of minutes it keeps', () => {
      expect(() => new TapeSurveillance({ pump: { windowMinutes: 100 } })).toThrow(/windowMinutes/);
    });
  });
});
