import { describe, expect, it } from 'vitest';
import type { Alert } from '../../engine/types.js';
import { alertEntities } from './alertEntities.js';

const washTrade: Alert = {
  alert_id: 'al_w',
  ts: '2025-04-14T10:02:00.000+09:00',
  kind: 'wash_trade',
  severity: 'high',
  score: 0.8,
  account_id: 'HIJACKED-1',
  symbol: '5532.T',
  reasons: [{ code: 'MATCHED_TRADES', detail: 'x' }],
  event_ids: ['e1', 'e2'],
  data: { buy_account: 'HIJACKED-1', sell_account: 'RING-7', matches: 3 },
};

describe('alertEntities', () => {
  it('links both sides of a matched trade, so the selling counterpart joins the campaign', () => {
    const e = alertEntities(washTrade, () => undefined, () => false);
    expect(e.accounts).toEqual(['HIJACKED-1', 'RING-7']);
    expect(e.keys).toContain('acct:RING-7');
    // A wash trade names no one as hijacked or as beneficiary by itself.
    expect(e.hijacked).toEqual([]);
    expect(e.beneficiaries).toEqual([]);
  });
});
