/**
 * In-process pre-trade decision latency of the trading detector with a population of account state.
 * Baseline measured in the same run: the same engine and events with no detectors (rule combination
 * and bookkeeping only).
 *
 *   node dist/bench/tradeDecisions.js [--accounts 100000] [--orders 200000]
 *
 * State: 60 symbols with three days of tape (50 liquid, 10 thin), each account with a portfolio, four
 * logins from its home network and three ordinary orders. Then `--orders` orders are decided: 80 %
 * ordinary orders from the usual device, 10 % from a new phone, 5 % whole-portfolio sells, 5 %
 * hijacked sessions (new device and network, liquidation, thin buy).
 */
import { Engine } from '../src/engine/Engine.js';
import type { KgEvent, LoginEvent, OrderEvent } from '../src/events/schema.js';
import { isDecisionEvent } from '../src/events/schema.js';
import { TradingDetector } from '../src/detect/trading/TradingDetector.js';
import { writeResult } from './writeResult.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ACCOUNTS = arg('accounts', 100_000);
const ORDERS = arg('orders', 200_000);

// Deterministic PRNG (mulberry32): the same state and the same requests every run.
let seed = 4242;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number): number => Math.floor(rnd() * n);

const LIQUID = Array.from({ length: 50 }, (_, i) => ({ symbol: `${1000 + i}.T`, price: 1000 + 40 * i, adv: 2_000_000 }));
const THIN = Array.from({ length: 10 }, (_, i) => ({ symbol: `${7900 + i}.T`, price: 100 + 5 * i, adv: 15_000 }));
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

let n = 0;
let t = Date.parse('2025-04-01T00:00:00Z');
const stamp = () => ({ id: `b${++n}`, ts: new Date((t += 3)).toISOString() });
const home = (a: number) => `110.${(a >> 8) & 255}.${a & 255}.7`;
const sessions = new Map<number, LoginEvent>();

function* setup(): Generator<KgEvent> {
  for (const s of [...LIQUID, ...THIN]) {
    yield { type: 'instrument', ...stamp(), symbol: s.symbol, name: s.symbol, market: s.adv > 100_000 ? 'TSE-Prime' : 'TSE-Standard', currency: 'JPY', issuer_country: 'JP', lot_size: 100 };
  }
  for (let d = 0; d < 3; d++) {
    for (const s of [...LIQUID, ...THIN]) for (let k = 0; k < 4; k++) yield { type: 'market_trade', ...stamp(), symbol: s.symbol, price: s.price, qty: s.adv / 4 };
    t += 86_400_000;
  }
  for (let a = 0; a < ACCOUNTS; a++) {
    const holdings = [0, 1, 2].map(() => ({ symbol: LIQUID[int(LIQUID.length)].symbol, qty: 100 * (1 + int(5)) }));
    yield { type: 'account', ...stamp(), account_id: `A${a}`, opened_at: '2015-01-01T00:00:00Z', holdings, cash_jpy: 1_000_000 };
    for (let k = 0; k < 4; k++) {
      const l = login(a, home(a), `dev-${a}`);
      yield l;
      if (k < 3) yield order(l, LIQUID[int(LIQUID.length)].symbol, 'buy', 100);
    }
  }
}

function login(a: number, ip: string, device: string): LoginEvent {
  const s = stamp();
  const l: LoginEvent = { type: 'login', ...s, account_id: `A${a}`, login_id_fp: `F${a}`, ip, user_agent: UA, device_id: device, channel: 'web', outcome: 'success', mfa: 'sms', session_id: `s${s.id}` };
  sessions.set(a, l);
  return l;
}

function order(l: LoginEvent, symbol: string, side: 'buy' | 'sell', qty: number, limit?: number): OrderEvent {
  return {
    type: 'order',
    ...stamp(),
    order_id: `o${n}`,
    account_id: l.account_id!,
    session_id: l.session_id!,
    ip: l.ip,
    user_agent: l.user_agent,
    channel: 'web',
    symbol,
    side,
    qty,
    order_type: limit === undefined ? 'market' : 'limit',
    ...(limit === undefined ? {} : { limit_price: limit }),
    action: 'new',
  };
}

function* measured(): Generator<KgEvent> {
  for (let i = 0; i < ORDERS; ) {
    const a = int(ACCOUNTS);
    const r = rnd();
    if (r < 0.8) {
      yield order(sessions.get(a)!, LIQUID[int(LIQUID.length)].symbol, rnd() < 0.5 ? 'buy' : 'sell', 100);
      i++;
    } else if (r < 0.9) {
      const l = login(a, `126.${int(255)}.${int(255)}.9`, `phone-${a}`);
      yield l;
      yield order(l, LIQUID[int(LIQUID.length)].symbol, 'buy', 100);
      i++;
    } else if (r < 0.95) {
      yield order(sessions.get(a)!, LIQUID[int(LIQUID.length)].symbol, 'sell', 500);
      i++;
    } else {
      const l = login(a, `45.76.${int(255)}.9`, `bad-${a}`);
      yield l;
      yield order(l, LIQUID[0].symbol, 'sell', 500);
      const thin = THIN[int(THIN.length)];
      yield order(l, thin.symbol, 'buy', 5000, thin.price * 1.1);
      i += 2;
    }
  }
}

const setupEvents = [...setup()];
const measuredEvents = [...measured()];

function runOnce(engine: Engine): number[] {
  for (const ev of setupEvents) engine.process(ev, Date.parse(ev.ts));
  const lat: number[] = [];
  for (const ev of measuredEvents) {
    const ts = Date.parse(ev.ts);
    if (ev.type === 'order' && isDecisionEvent(ev)) {
      const s = process.hrtime.bigint();
      engine.decide(ev, ts);
      lat.push(Number(process.hrtime.bigint() - s) / 1000);
    }
    engine.process(ev, ts);
  }
  return lat.sort((x, y) => x - y);
}

const q = (xs: number[], p: number): number => Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] * 100) / 100;
const baseline = runOnce(new Engine({ detectors: [] }));
const trading = new TradingDetector();
const withTrading = runOnce(new Engine({ detectors: [trading] }));
let holds = 0;
for (const ev of measuredEvents) if (ev.type === 'order' && trading.view.suspects.has(ev.account_id)) holds++;

writeResult('tradeDecisions', {
  accounts: ACCOUNTS,
  orders: withTrading.length,
  rows: [
    { engine: 'no detectors (baseline)', orders: baseline.length, p50_us: q(baseline, 0.5), p99_us: q(baseline, 0.99), max_us: q(baseline, 1) },
    { engine: 'trading detector', orders: withTrading.length, p50_us: q(withTrading, 0.5), p99_us: q(withTrading, 0.99), max_us: q(withTrading, 1) },
  ],
  orders_of_accounts_judged_hijacked: holds,
});
