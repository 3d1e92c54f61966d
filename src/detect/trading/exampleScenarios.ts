import { ScenarioBuilder, type Device } from './ScenarioBuilder.js';

/**
 * Small hand-made worlds for the trading and campaign tests and the decision benchmark: a thin
 * TSE-Standard name (7992.T, ¥105, 15k shares a day) next to two liquid large caps.
 */

const MIN = 60_000;
const DAY = 86_400_000;
export const HOME: Device = { ip: '110.1.2.3', user_agent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/124', device_id: 'home-pc' };
export const PHONE: Device = { ip: '60.10.20.30', user_agent: 'Mozilla/5.0 (iPhone) Safari/17', device_id: 'own-phone', channel: 'app' };

/** Two liquid large caps and one thin small cap, with a week of normal tape. */
export function market(b = new ScenarioBuilder()): ScenarioBuilder {
  b.instrument('7203.T', 'TSE-Prime');
  b.instrument('6758.T', 'TSE-Prime');
  b.instrument('7992.T', 'TSE-Standard', { market_cap_jpy: 3_000_000_000 });
  b.history(
    [
      { symbol: '7203.T', price: 3000, dailyVolume: 10_000_000 },
      { symbol: '6758.T', price: 2000, dailyVolume: 5_000_000 },
      { symbol: '7992.T', price: 105, dailyVolume: 15_000 },
    ],
    5,
  );
  return b;
}

/** A customer with a history: logins from home on several days and a few ordinary orders. */
export function customer(b: ScenarioBuilder, id: string, holdings = [{ symbol: '7203.T', qty: 500 }, { symbol: '6758.T', qty: 300 }], dev = HOME) {
  b.account(id, holdings);
  for (let d = 0; d < 4; d++) {
    const s = b.login(id, dev);
    if (d % 2 === 0) b.filled(s, { symbol: '7203.T', side: 'buy', qty: 100 }, 3000);
    b.wait(3 * 3_600_000);
  }
}

/**
 * An attacker's login for victim `n`: a crew works from one phishing kit and one hosting network,
 * so its device id and /24 recur across victims while the address and browser build change.
 */
export function attacker(n: number, crew = 'kit-1', net = '45.76.1'): Device {
  return { ip: `${net}.${n}`, user_agent: `Mozilla/5.0 (X11; Linux x86_64) Chrome/119.${n}`, device_id: crew };
}

/** Four hijacked accounts liquidate and buy the thin name within minutes; B1 accumulated it before. */
export function episode(b = market()) {
  for (const id of ['V1', 'V2', 'V3', 'V4']) customer(b, id);
  customer(b, 'L9', [{ symbol: '7992.T', qty: 2000 }]);
  customer(b, 'B1', [], { ip: '203.0.113.5', user_agent: 'Mozilla/5.0 (Macintosh) Safari/17', device_id: 'mule' });
  const bs = b.login('B1', { ip: '203.0.113.5', user_agent: 'Mozilla/5.0 (Macintosh) Safari/17', device_id: 'mule' });
  for (let i = 0; i < 3; i++) {
    b.filled(bs, { symbol: '7992.T', side: 'buy', qty: 10_000, limit_price: 100 }, 100);
    b.wait(DAY / 2);
  }
  b.wait(DAY);
  const buys: string[] = [];
  const sells: string[] = [];
  let price = 110;
  for (const [i, id] of ['V1', 'V2', 'V3', 'V4'].entries()) {
    const s = b.login(id, attacker(10 + i));
    b.filled(s, { symbol: '7203.T', side: 'sell', qty: 600 }, 3000);
    b.filled(s, { symbol: '6758.T', side: 'sell', qty: 300 }, 2000);
    for (let k = 0; k < 3; k++) {
      price += 5;
      const o = b.order(s, { symbol: '7992.T', side: 'buy', qty: 4000, limit_price: price });
      b.execution(o, price);
      buys.push(o.id);
      // The beneficiary sells into the hijacked buy at the same price, the same second.
      const so = b.order(bs, { symbol: '7992.T', side: 'sell', qty: 2500, limit_price: price });
      b.execution(so, price);
      b.trade('7992.T', price, 4000, 'buy');
      sells.push(so.id);
      b.wait(2 * MIN);
    }
  }
  // A long-time holder sells a little into the rise too.
  const ls = b.login('L9', HOME);
  b.filled(ls, { symbol: '7992.T', side: 'sell', qty: 1000, limit_price: 150 }, 150);
  return { b, buys, sells };
}

