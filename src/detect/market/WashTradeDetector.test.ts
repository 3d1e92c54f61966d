import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert, Detector } from '../../engine/types.js';
import type { ExecutionEvent, KgEvent, MarketTradeEvent } from '../../events/schema.js';
import { WashTradeDetector } from './WashTradeDetector.js';

let seq = 0;
function exec(ts: string, account: string, side: 'buy' | 'sell', price: number, qty = 1000, symbol = '3350.T'): ExecutionEvent {
  const n = seq++;
  return { type: 'execution', id: `x${n}`, ts, exec_id: `E${n}`, order_id: `O${n}`, account_id: account, symbol, side, qty, price };
}
const at = (day: number, hh: number, mm: number, ss = 0, ms = 0) =>
  `2025-04-${String(7 + day).padStart(2, '0')}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}.${String(ms).padStart(3, '0')}+09:00`;

function run(events: KgEvent[], extra: Detector[] = []): Alert[] {
  const engine = new Engine({ detectors: [new WashTradeDetector(), ...extra] });
  return events.flatMap((ev) => engine.process(ev, Date.parse(ev.ts)).alerts).filter((a) => a.kind === 'wash_trade');
}

/** Stands in for the tape surveillance: a surge in the symbol at 10:00 on day 2. */
const surge: Detector = {
  name: 'test.surge',
  observe(ev, ctx) {
    if (ev.type === 'market_trade' && ev.id === 'surge') ctx.raise({ kind: 'market_frenzy', severity: 'low', score: 0.3, symbol: ev.symbol, reasons: [], event_ids: [ev.id] });
  },
};

/** Two days of tape for a symbol trading 15,000 shares a day, so the detector knows its normal size. */
function tape(symbol: string, perTrade: number): MarketTradeEvent[] {
  return [0, 1].flatMap((day) =>
    Array.from({ length: 30 }, (_, i) => ({ type: 'market_trade' as const, id: `m${symbol}${day}-${i}`, ts: at(day, 9, i), symbol, price: 100, qty: perTrade })),
  );
}

const cross = (mm: number, opts: { seller?: string; price?: number; gapMs?: number; side?: 'buy' | 'sell' } = {}) => [
  exec(at(2, 10, mm, 0, 100), 'HIJACKED', 'buy', 105),
  exec(new Date(Date.parse(at(2, 10, mm, 0, 100)) + (opts.gapMs ?? 300)).toISOString(), opts.seller ?? 'BENEF', opts.side ?? 'sell', opts.price ?? 105),
];

describe('WashTradeDetector', () => {
  it('raises wash_trade when the same two accounts cross twice at one price in one second', () => {
    const alerts = run([...cross(0), ...cross(5)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'wash_trade', account_id: 'HIJACKED', symbol: '3350.T' });
    expect(alerts[0].data).toMatchObject({ buy_account: 'HIJACKED', sell_account: 'BENEF', matches: 2, qty: 2000 });
    expect(alerts[0].event_ids).toEqual(['E0', 'E1', 'E2', 'E3']);
  });

  it('raises on a single cross that is large for a thin symbol', () => {
    const alerts = run([...tape('3350.T', 100), ...cross(0)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].data).toMatchObject({ matches: 1, normal_daily_volume: 3_000, during_surge: false });
  });

  it('raises a smaller single cross once the symbol is surging, on its next execution', () => {
    const trigger: MarketTradeEvent = { type: 'market_trade', id: 'surge', ts: at(2, 10, 1), symbol: '3350.T', price: 105, qty: 100 };
    const events = [...tape('3350.T', 500), ...cross(0), trigger, exec(at(2, 10, 2), 'OTHER', 'buy', 106, 100)];
    const alerts = run(events, [surge]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ account_id: 'HIJACKED', window: { start: cross(0)[0].ts } });
    expect(alerts[0].data).toMatchObject({ matches: 1, price: 105, during_surge: true });
    expect(run(events)).toEqual([]);
  });

  it('ignores fills of the same call auction', () => {
    const open = [exec(at(2, 9, 0, 0, 0), 'HIJACKED', 'buy', 105), exec(at(2, 9, 0, 0, 200), 'BENEF', 'sell', 105)];
    const reopen = [exec(at(2, 12, 30, 0, 0), 'HIJACKED', 'buy', 105), exec(at(2, 12, 30, 0, 400), 'BENEF', 'sell', 105)];
    expect(run([...open, ...reopen])).toEqual([]);
  });

  it('ignores a single small cross in a liquid symbol', () => {
    expect(run([...tape('3350.T', 500_000), ...cross(0)])).toEqual([]);
  });

  it.each([
    ['one account on both sides', { seller: 'HIJACKED' }],
    ['different prices', { price: 106 }],
    ['more than a second apart', { gapMs: 1500 }],
    ['the same side', { side: 'buy' as const }],
  ])('stays quiet on a near miss: %s', (_name, opts) => {
    expect(run([...cross(0, opts), ...cross(5, opts)])).toEqual([]);
  });
});
