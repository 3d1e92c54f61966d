import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert, Detector } from '../../engine/types.js';
import type { MarketTradeEvent } from '../../events/schema.js';
import { TapeSurveillance } from './TapeSurveillance.js';

let seq = 0;
function trade(ts: string, price: number, qty: number, aggressor?: 'buy' | 'sell'): MarketTradeEvent {
  return { type: 'market_trade', id: `t${seq++}`, ts, symbol: '3350.T', price, qty, ...(aggressor ? { aggressor } : {}) };
}
const at = (day: number, hh: number, mm: number, ss = 0, ms = 0) =>
  `2025-04-${String(7 + day).padStart(2, '0')}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}.${String(ms).padStart(3, '0')}+09:00`;

/** A normal day: 30 prints of 500 shares bouncing between ¥100 and ¥101 (15,000 shares). */
function normalDay(day: number): MarketTradeEvent[] {
  return Array.from({ length: 30 }, (_, i) => trade(at(day, 9 + Math.floor(i / 5), (i % 5) * 10), 100 + (i % 2), 500, i % 2 ? 'buy' : 'sell'));
}

function run(events: MarketTradeEvent[], detector: Detector = new TapeSurveillance({ pump: false, markingClose: false })): Alert[] {
  const engine = new Engine({ detectors: [detector] });
  return events.flatMap((ev) => engine.process(ev, Date.parse(ev.ts)).alerts);
}

/** Nine separate buy orders, one a second, each a yen higher: ¥100 → ¥109. */
const ramp = (day: number, opts: { orders?: number; sellAt?: number; sameMs?: boolean; base?: number } = {}) => {
  const out: MarketTradeEvent[] = [trade(at(day, 13, 0), opts.base ?? 100, 500, 'sell')];
  for (let i = 1; i <= (opts.orders ?? 9); i++) {
    if (opts.sellAt === i) out.push(trade(at(day, 13, 1, i, 500), (opts.base ?? 100) + i - 1, 100, 'sell'));
    out.push(trade(at(day, 13, 1, opts.sameMs ? 0 : i), (opts.base ?? 100) + i, 500, 'buy'));
  }
  return out;
};

describe('trackRamp', () => {
  it('raises one ramping alert on consecutive price-raising buy orders', () => {
    const alerts = run([...normalDay(0), ...normalDay(1), ...ramp(2)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'ramping', symbol: '3350.T' });
    expect(alerts[0].data).toMatchObject({ uptick_orders: 8, start_price: 100 });
    expect(alerts[0].event_ids.length).toBeGreaterThan(0);
  });

  it('raises it once per symbol and day', () => {
    expect(run([...normalDay(0), ...ramp(1), ...ramp(1, { base: 110 })])).toHaveLength(1);
  });

  it.each([
    ['a sell breaks the run', { sellAt: 5 }],
    ['too few orders', { orders: 7 }],
    ['one order walking the book is one order', { sameMs: true }],
  ])('stays quiet on a near miss: %s', (_name, opts) => {
    expect(run([...normalDay(0), ...normalDay(1), ...ramp(2, opts)])).toEqual([]);
  });

  it('stays quiet when the rise is small for the price', () => {
    const big = (day: number) => normalDay(day).map((e) => ({ ...e, price: e.price * 10 }));
    expect(run([...big(0), ...big(1), ...ramp(2, { base: 1000, orders: 12 })])).toEqual([]);
  });

  it('needs a day of history for the volume test', () => {
    expect(run(ramp(0))).toEqual([]);
  });
});
