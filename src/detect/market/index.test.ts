import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert } from '../../engine/types.js';
import { generateTape, type TapeSymbol } from './generateTape.js';
import { createMarketDetectors } from './index.js';

const SYMBOLS: TapeSymbol[] = [
  { symbol: '7992.T', price: 105, dailyVolume: 15_000, dailyTrades: 60 },
  { symbol: '3350.T', price: 180, dailyVolume: 3_000, dailyTrades: 15 },
  { symbol: '6200.T', price: 1_450, dailyVolume: 400_000, dailyTrades: 900 },
  { symbol: '7203.T', price: 2_800, dailyVolume: 5_000_000, dailyTrades: 4_000 },
  { symbol: '0700.HK', price: 380, dailyVolume: 2_000_000, dailyTrades: 2_000, tick: 0.2 },
];

function run(seed: number, episodes: Parameters<typeof generateTape>[0]['episodes'] = []): Alert[] {
  const { trades } = generateTape({ seed, days: 8, symbols: SYMBOLS, episodes });
  const engine = new Engine({ detectors: createMarketDetectors() });
  const alerts = trades.flatMap(({ ev, t }) => engine.process(ev, t).alerts);
  return [...alerts, ...engine.finish(trades[trades.length - 1].t).alerts];
}

describe('createMarketDetectors', () => {
  it('keeps every market detector quiet on ordinary random-walk tapes', () => {
    expect(run(21)).toEqual([]);
  });

  it('keeps every market detector quiet on heavy days of liquid names', () => {
    const alerts = run(23, [
      { symbol: '7203.T', kind: 'heavy', day: 5, startMinute: 0, minutes: 120, volumeMultiple: 4, peakChange: 0.04 },
      { symbol: '0700.HK', kind: 'heavy', day: 6, startMinute: 0, minutes: 60, volumeMultiple: 5, peakChange: 0.06 },
    ]);
    expect(alerts).toEqual([]);
  });

  it('can turn detectors off', () => {
    expect(createMarketDetectors({ washTrade: false }).map((d) => d.name)).toEqual(['market.tape']);
    expect(createMarketDetectors({ pump: false, ramping: false, markingClose: false }).map((d) => d.name)).toEqual(['market.wash_trade']);
  });
});
