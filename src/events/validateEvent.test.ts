import { describe, expect, it } from 'vitest';
import { parseEventLine, validateEvent } from './validateEvent.js';

const login = {
  type: 'login',
  id: 'e1',
  ts: '2025-03-26T09:12:03.481+09:00',
  account_id: 'A1',
  login_id_fp: 'fp1',
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0',
  channel: 'web',
  outcome: 'success',
  mfa: 'sms',
  session_id: 's1',
};

describe('validateEvent', () => {
  it('accepts a contract login and gives its instant', () => {
    const v = validateEvent(login);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.t).toBe(Date.parse('2025-03-26T00:12:03.481Z'));
  });

  it('keeps optional fields the contract may add', () => {
    const v = validateEvent({ ...login, broker_extra: 42 });
    expect(v.ok && (v.event as Record<string, unknown>).broker_extra).toBe(42);
  });

  it('accepts a login whose id matched no account', () => {
    expect(validateEvent({ ...login, account_id: null, outcome: 'unknown_account', session_id: undefined }).ok).toBe(true);
  });
});

describe('malformed events', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /not a JSON object/],
    ['missing type', { id: 'x' }, /field `type`: is missing/],
    ['unknown type', { ...login, type: 'logon' }, /unknown event type "logon"/],
    ['timestamp without offset', { ...login, ts: '2025-03-26T09:12:03.481' }, /field `ts`: must be an ISO 8601 date-time with an offset/],
    ['impossible date', { ...login, ts: '2025-02-30T25:00:00.000Z' }, /field `ts`/],
    ['bad enum', { ...login, outcome: 'ok' }, /field `outcome`/],
    ['success without session', { ...login, session_id: undefined }, /field `session_id`: is required when outcome is success/],
    ['missing required field', { ...login, ip: undefined }, /field `ip`: is required/],
    ['negative quantity', { type: 'market_trade', id: 'm', ts: login.ts, symbol: '7992.T', price: 105, qty: -1 }, /field `qty`: must be > 0/],
    [
      'limit order without price',
      { type: 'order', id: 'o', ts: login.ts, order_id: 'O', account_id: 'A', session_id: 's', ip: '1.1.1.1', user_agent: 'u', channel: 'web', symbol: 'X', side: 'buy', qty: 100, order_type: 'limit', action: 'new' },
      /field `limit_price`: is required for a limit order/,
    ],
    ['empty id', { ...login, id: '' }, /field `id`: must not be empty/],
  ];
  it.each(cases)('%s is rejected with a reason naming the field', (_name, value, reason) => {
    const v = validateEvent(value);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(reason);
  });

  it('reports invalid JSON as such', () => {
    const v = parseEventLine('{"type":"login",');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/^invalid JSON/);
  });
});
