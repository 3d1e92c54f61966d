import { describe, expect, it } from 'vitest';
import type { Alert } from '../../engine/types.js';
import { parseRestrictedSymbols } from './parseRestrictedSymbols.js';
import { suggestRestrictedSymbols } from './suggestRestrictedSymbols.js';

const alert = (kind: string, symbol: string, score: number, ts = '2025-04-14T01:00:00.000Z'): Alert => ({
  alert_id: `al_${kind}_${symbol}_${ts}`,
  ts,
  kind,
  severity: 'high',
  score,
  symbol,
  reasons: [],
  event_ids: [],
});

describe('suggestRestrictedSymbols', () => {
  it('ranks symbols bought together by hijacked accounts above symbols only pumped on the tape', () => {
    const out = suggestRestrictedSymbols([
      alert('pump_and_dump', '3000.T', 0.9),
      alert('coordinated_trading', '7992.T', 0.9),
      alert('pump_and_dump', '7992.T', 0.8, '2025-04-14T00:50:00.000Z'),
    ]);
    expect(out.map((c) => c.symbol)).toEqual(['7992.T', '3000.T']);
    expect(out[0].first_ts).toBe('2025-04-14T00:50:00.000Z');
    expect(out[0].reason).toContain('1 coordinated trading, 1 pump and dump');
  });

  it('ignores a legitimate frenzy and names already restricted', () => {
    const out = suggestRestrictedSymbols(
      [alert('market_frenzy', '4000.T', 1), alert('pump_and_dump', '7992.T', 1)],
      parseRestrictedSymbols('7992.T\n'),
    );
    expect(out).toEqual([]);
  });

  it('needs more than one weak hint', () => {
    expect(suggestRestrictedSymbols([alert('beneficiary', '5000.T', 0.6)])).toEqual([]);
  });
});

describe('parseRestrictedSymbols', () => {
  it('reads symbols with optional reasons, comments and blank lines', () => {
    const m = parseRestrictedSymbols('# April\n\n7992.T pumped\n0700.HK,\tChinese name\n600519.SS\n');
    expect([...m]).toEqual([
      ['7992.T', 'pumped'],
      ['0700.HK', 'Chinese name'],
      ['600519.SS', 'on the restricted list'],
    ]);
  });

  describe('malformed lists', () => {
    it('names the file and the line of a bad symbol', () => {
      expect(() => parseRestrictedSymbols('7992.T\n"quoted"\n', 'restricted.txt')).toThrow(/restricted.txt line 2: ""quoted"" is not a symbol/);
    });
  });
});
