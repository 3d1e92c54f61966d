import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert } from '../../engine/types.js';
import type { MarketTradeEvent } from '../../events/schema.js';
import { TapeSurveillance } from './TapeSurveillance.js';

let seq = 0;
function trade(ts: string, price: number, qty: number, aggressor: 'buy' | 'sell'): MarketTradeEvent {
  return { type: 'market_trade', id: `t${seq++}`, ts, symbol: '3350.T', price, qty, aggressor };
}
const at = (day: number, hh: number, mm: number, ss = 0) =>
  `2025-04-${String(7 + day).padStart(2, '0')}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}.000+09:00`;

/** A normal day of 15,000 shares around ¥100–101, with two quiet prints in the closing minutes. */
function normalDay(day: number): MarketTradeEvent[] {
  const out = Array.from({ length: 28 }, (_, i) => trade(at(day, 9 + Math.floor(i / 5), (i % 5) * 10), 100 + (i % 2), 500, i % 2 ? 'buy' : 'sell'));
  out.push(trade(at(day, 15, 25), 101, 500, 'buy'), trade(at(day, 15, 29), 100, 500, 'sell'));
  return out;
}

/** Four buys lifting the price ¥100 → ¥104 at the given time, optionally with sells in between. */
function lift(day: number, hh: number, mm: number, opts: { sells?: boolean; top?: number } = {}): MarketTradeEvent[] {
  const out = [trade(at(day, 9, 0), 100, 500, 'sell'), trade(at(day, hh, mm - 2), 100, 500, 'sell')];
  const top = opts.top ?? 104;
  for (let i = 1; i <= 4; i++) {
    out.push(trade(at(day, hh, mm, i * 10), 100 + ((top - 100) * i) / 4, 600, 'buy'));
    if (opts.sells) out.push(trade(at(day, hh, mm, i * 10 + 5), 100 + ((top - 100) * i) / 4, 900, 'sell'));
  }
  return out;
}

function run(events: MarketTradeEvent[]): Alert[] {
  const engine = new Engine({ detectors: [new TapeSurveillance({ pump: false, ramping: false })] });
  return events.flatMap((ev) => engine.process(ev, Date.parse(ev.ts)).alerts);
}

const history = [...normalDay(0), ...normalDay(1), ...normalDay(2)];

describe('trackClose', () => {
  it('raises marking_the_close when aggressive buys lift the price in the last minutes', () => {
    const alerts = run([...history, ...lift(3, 15, 24)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'marking_the_close', symbol: '3350.T' });
    expect(alerts[0].data).toMatchObject({ ref_price: 100, uptick_buys: 4 });
  });

  it.each([
    ['the same lift in the afternoon', () => lift(3, 14, 0)],
    ['a lift met by heavier selling', () => lift(3, 15, 24, { sells: true })],
    ['a 2 % lift', () => lift(3, 15, 24, { top: 102 })],
  ])('stays quiet on a near miss: %s', (_name, make) => {
    expect(run([...history, ...make()])).toEqual([]);
  });

  it('needs two days of history to know the usual closing move', () => {
    expect(run([...normalDay(0), ...lift(1, 15, 24)])).toEqual([]);
  });
});
