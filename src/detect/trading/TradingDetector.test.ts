import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert, Decision, Detector } from '../../engine/types.js';
import type { KgEvent } from '../../events/schema.js';
import { parseRestrictedSymbols } from './parseRestrictedSymbols.js';
import { ScenarioBuilder } from './ScenarioBuilder.js';
import { attacker, customer, episode, HOME, market, PHONE } from './exampleScenarios.js';
import { TradingDetector } from './TradingDetector.js';
import type { TradingDetectorOptions } from './TradingDetectorOptions.js';

const MIN = 60_000;
const DAY = 86_400_000;

function run(events: KgEvent[], opts: TradingDetectorOptions = {}, extra: Detector[] = []) {
  const trading = new TradingDetector(opts);
  const engine = new Engine({ detectors: [...extra, trading] });
  const decisions = new Map<string, Decision>();
  const alerts: Alert[] = [];
  let last = 0;
  for (const ev of events) {
    last = Date.parse(ev.ts);
    const r = engine.process(ev, last);
    if (r.decision) decisions.set(ev.id, r.decision);
    alerts.push(...r.alerts);
  }
  alerts.push(...engine.finish(last).alerts);
  return { decisions, alerts, trading, engine };
}

describe('pre-trade decisions', () => {
  it('holds the first sell of a session from a kit already used on another account, and every later order', () => {
    const b = market();
    customer(b, 'V0');
    customer(b, 'V1');
    b.login('V0', attacker(0));
    const s = b.login('V1', attacker(1));
    const sell1 = b.order(s, { symbol: '7203.T', side: 'sell', qty: 600 });
    const sell2 = b.order(s, { symbol: '6758.T', side: 'sell', qty: 300 });
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 20_000, limit_price: 125 });
    b.wait(MIN).trade('7203.T', 3000, 100);
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(sell1.id)?.decision).toBe('hold');
    const codes = decisions.get(sell1.id)?.reasons.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['DEVICE_SHARED_ACROSS_ACCOUNTS', 'NEW_DEVICE', 'NEW_NETWORK', 'LIQUIDATION']));
    for (const later of [sell2, buy]) {
      expect(decisions.get(later.id)?.decision).toBe('hold');
      expect(decisions.get(later.id)?.reasons[0].code).toBe('ACCOUNT_ON_HOLD');
    }
    const ato = alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0].account_id).toBe('V1');
    expect(ato[0].event_ids).toContain(sell1.id);
  });

  it('holds a buy of a never-held thin symbol right after a liquidation, naming why', () => {
    const b = market();
    customer(b, 'V2');
    // Only the network is new (a residential proxy with the victim's own user agent and no device id).
    const s = b.login('V2', { ip: '126.200.1.7', user_agent: HOME.user_agent });
    const sell1 = b.filled(s, { symbol: '7203.T', side: 'sell', qty: 600 }, 3000);
    const sell2 = b.filled(s, { symbol: '6758.T', side: 'sell', qty: 300 }, 2000);
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 15_000, limit_price: 118 });
    const { decisions } = run(b.events);
    expect(decisions.get(sell1.id)?.decision).not.toBe('hold');
    expect(decisions.get(sell2.id)?.decision).not.toBe('hold');
    const d = decisions.get(buy.id);
    expect(d?.decision).toBe('hold');
    expect(d?.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['BUY_AFTER_LIQUIDATION', 'THIN_SYMBOL', 'AGGRESSIVE_IN_THIN', 'LARGE_VS_VOLUME', 'NEW_NETWORK']),
    );
  });

  it('lets a customer sell the whole portfolio from the usual device', () => {
    const b = market();
    customer(b, 'L1');
    const s = b.login('L1', HOME);
    const a = b.filled(s, { symbol: '7203.T', side: 'sell', qty: 600 }, 3000);
    const c = b.filled(s, { symbol: '6758.T', side: 'sell', qty: 300 }, 2000);
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(a.id)?.decision).toBe('allow');
    expect(decisions.get(c.id)?.decision).toBe('allow');
    expect(alerts).toHaveLength(0);
  });

  it("lets an elderly customer's first small-cap buy through from the usual device", () => {
    const b = market();
    customer(b, 'E1');
    const s = b.login('E1', HOME);
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 1000 });
    const { decisions } = run(b.events);
    expect(decisions.get(buy.id)?.decision).toBe('allow');
  });

  it('does not hold a customer on a new phone placing an ordinary order', () => {
    const b = market();
    customer(b, 'P1');
    const s = b.login('P1', PHONE);
    const buy = b.order(s, { symbol: '7203.T', side: 'buy', qty: 100 });
    const { decisions } = run(b.events);
    expect(['allow', 'step_up']).toContain(decisions.get(buy.id)?.decision);
  });

  it('turns a buy of a restricted symbol into a hold, and leaves sells alone', () => {
    const b = market();
    customer(b, 'R1', [{ symbol: '7992.T', qty: 1000 }, { symbol: '7203.T', qty: 500 }]);
    const s = b.login('R1', HOME);
    const sell = b.order(s, { symbol: '7992.T', side: 'sell', qty: 100, limit_price: 105 });
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 100, limit_price: 104 });
    const restricted = parseRestrictedSymbols('# wave of April\n7992.T  pumped 2025-04-14\n');
    const { decisions } = run(b.events, { restricted });
    expect(decisions.get(sell.id)?.decision).toBe('allow');
    expect(decisions.get(buy.id)?.decision).toBe('hold');
    expect(decisions.get(buy.id)?.reasons[0]).toEqual({ code: 'RESTRICTED_SYMBOL', detail: '7992.T is restricted for buying: pumped 2025-04-14' });
  });

  it('holds only the restricted buy of an ordinary customer, not the account', () => {
    const b = market();
    customer(b, 'R3', [{ symbol: '7992.T', qty: 1000 }, { symbol: '7203.T', qty: 500 }]);
    const s = b.login('R3', HOME);
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 100, limit_price: 104 });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 100, limit_price: 2900 });
    const { decisions } = run(b.events, { restricted: parseRestrictedSymbols('7992.T\n') });
    expect(decisions.get(buy.id)).toMatchObject({ decision: 'hold', hold_scope: 'order' });
    expect(decisions.get(sell.id)?.decision).toBe('allow');
  });

  it('still holds an attacker who logged in once to look around and came back days later to trade', () => {
    const b = market();
    customer(b, 'D0');
    customer(b, 'D1');
    b.login('D1', attacker(5));
    b.wait(2 * DAY);
    b.login('D0', attacker(6));
    const s = b.login('D1', attacker(5));
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 600 });
    const { decisions } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('hold');
    expect(decisions.get(sell.id)?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['RECENT_DEVICE', 'RECENT_NETWORK', 'DEVICE_SHARED_ACROSS_ACCOUNTS']));
  });

  it('asks a customer on a new phone and network who sells part of the portfolio to step up, but does not hold', () => {
    const b = market();
    customer(b, 'N1');
    const s = b.login('N1', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 400 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('step_up');
    expect(alerts).toHaveLength(0);
  });

  it('holds a sell-off of most of the portfolio from a new phone and network for confirmation, without calling it a takeover', () => {
    const b = market();
    customer(b, 'N2');
    b.wait(3 * DAY);
    const s = b.login('N2', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 700 });
    const rebuy = b.order(s, { symbol: '6758.T', side: 'buy', qty: 100 });
    const modest = b.order(s, { symbol: '7992.T', side: 'buy', qty: 300, limit_price: 105 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('hold');
    expect(decisions.get(sell.id)?.reasons[0].code).toBe('SELL_OFF_UNVOUCHED');
    // The hold covers the account; buying back a name it knows, or a modest first small-cap buy at
    // the last price, is no sign of theft.
    expect(decisions.get(rebuy.id)?.reasons[0].code).toBe('ACCOUNT_ON_HOLD');
    expect(decisions.get(modest.id)?.reasons.map((r) => r.code)).toEqual(['ACCOUNT_ON_HOLD']);
    expect(alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('names a held sell-off a takeover once the account tries to buy a thin name it never held with the proceeds', () => {
    const b = market();
    customer(b, 'N3');
    b.wait(3 * DAY);
    const s = b.login('N3', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 700 });
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 5000, limit_price: 106 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('hold');
    const codes = decisions.get(buy.id)?.reasons.map((r) => r.code);
    expect(codes?.slice(0, 2)).toEqual(['ACCOUNT_ON_HOLD', 'HELD_ACCOUNT_BUYS_THIN_NAME']);
    expect(codes).toContain('BUY_AFTER_LIQUIDATION');
    const ato = alerts.filter((a) => a.kind === 'account_takeover');
    expect(ato).toHaveLength(1);
    expect(ato[0].account_id).toBe('N3');
  });

  it('blocks orders in a session whose login was refused', () => {
    const b = market();
    customer(b, 'F1');
    const s = b.login('F1', attacker(6));
    const buy = b.order(s, { symbol: '7203.T', side: 'buy', qty: 100 });
    const denyLogin: Detector = {
      name: 'fake-login',
      assess: (ev) => (ev.type === 'login' && ev.ip.startsWith('45.76.') ? { rule: 'fake', outcome: 'hit', decision: 'deny', score: 0.99 } : undefined),
    };
    const { decisions } = run(b.events, {}, [denyLogin]);
    expect(decisions.get(buy.id)?.decision).toBe('block');
    expect(decisions.get(buy.id)?.reasons[0].code).toBe('LOGIN_REFUSED');
  });

  it('holds a sell of a quarter of the portfolio in a session whose passkey step-up was not met, without calling it a takeover', () => {
    const b = market();
    customer(b, 'P1');
    const s = b.login('P1', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 300 });
    const askPasskey: Detector = {
      name: 'scripted-login',
      assess: (ev) => (ev.type === 'login' && ev.ip === '133.5.6.7' ? { rule: 'scripted', outcome: 'hit', decision: 'step_up', required_auth: 'passkey', score: 0.7 } : undefined),
    };
    const { decisions, alerts } = run(b.events, {}, [askPasskey]);
    expect(decisions.get(sell.id)?.decision).toBe('hold');
    expect(decisions.get(sell.id)?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['SELL_OFF_UNVOUCHED', 'STEP_UP_NOT_MET']));
    expect(alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('holds a thin buy with the proceeds of a sell-off from a barely-new session, without calling it a takeover', () => {
    const b = market();
    customer(b, 'P2');
    // The customer's own device and browser; only the network is new.
    const s = b.login('P2', { ip: '121.5.6.7', user_agent: HOME.user_agent, device_id: HOME.device_id });
    b.filled(s, { symbol: '7203.T', side: 'sell', qty: 700 }, 3000);
    const buy = b.order(s, { symbol: '7992.T', side: 'buy', qty: 2000, limit_price: 105 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(buy.id)?.decision).toBe('hold');
    expect(decisions.get(buy.id)?.reasons[0].code).toBe('PROCEEDS_INTO_THIN_NAME');
    expect(alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('holds a session that hops across networks order after order while emptying an established account, without calling it a takeover', () => {
    const b = market();
    customer(b, 'H1');
    b.wait(3 * DAY);
    const s = b.login('H1', { ip: '47.81.1.1', user_agent: HOME.user_agent });
    const first = b.order({ ...s, ip: '47.102.3.4' }, { symbol: '6758.T', side: 'sell', qty: 300 });
    const third = b.order({ ...s, ip: '8.136.5.6' }, { symbol: '7203.T', side: 'sell', qty: 700 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(first.id)?.decision).not.toBe('hold');
    expect(decisions.get(third.id)?.decision).toBe('hold');
    expect(decisions.get(third.id)?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['SELL_OFF_UNVOUCHED', 'SESSION_HOPS_NETWORKS', 'LIQUIDATION']));
    // Phones hop across their carrier's networks the same way: novelty alone is no takeover claim.
    expect(alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(0);
  });

  it('names a takeover when a session new to the account silences notifications and then sells off', () => {
    const b = market();
    customer(b, 'C1');
    customer(b, 'C2', undefined, PHONE);
    const s = b.login('C1', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    b.change(s, 'notification');
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 700 });
    // The customer's own change from home, then a sale: their business.
    const own = b.login('C2', PHONE);
    b.change(own, 'notification');
    const ownSell = b.order(own, { symbol: '7203.T', side: 'sell', qty: 700 });
    const { decisions, alerts } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('hold');
    expect(decisions.get(sell.id)?.reasons.map((r) => r.code)).toContain('CONTACT_CHANGED_BEFORE_SELL_OFF');
    expect(alerts.filter((a) => a.kind === 'account_takeover').map((a) => a.account_id)).toEqual(['C1']);
    expect(decisions.get(ownSell.id)?.decision).toBe('allow');
  });

  it('does not hold a sell-off in an account\'s first days, when every second device is still new', () => {
    const b = market();
    customer(b, 'H2');
    const s = b.login('H2', { ip: '133.5.6.7', user_agent: 'Mozilla/5.0 (Android 14) Chrome/124', device_id: 'new-phone', channel: 'app' });
    const sell = b.order(s, { symbol: '7203.T', side: 'sell', qty: 700 });
    const { decisions } = run(b.events);
    expect(decisions.get(sell.id)?.decision).toBe('step_up');
  });

  it('applies restrictions added and lifted through the list API to later orders', () => {
    const b = market();
    customer(b, 'R2');
    const s = b.login('R2', HOME);
    const first = b.order(s, { symbol: '7992.T', side: 'buy', qty: 100, limit_price: 104 });
    const second = b.order(s, { symbol: '7992.T', side: 'buy', qty: 100, limit_price: 104 });
    const third = b.order(s, { symbol: '7992.T', side: 'buy', qty: 100, limit_price: 104 });
    const trading = new TradingDetector();
    const engine = new Engine({ detectors: [trading] });
    const decided = new Map<string, string>();
    for (const ev of b.events) {
      if (ev.id === second.id) trading.restrict('7992.T', 'pump suspected');
      if (ev.id === third.id) expect(trading.unrestrict('7992.T')).toBe(true);
      const r = engine.process(ev, Date.parse(ev.ts));
      if (r.decision) decided.set(ev.id, r.decision.decision);
    }
    // A restricted buy holds that order only: once the symbol is lifted, the next buy goes through.
    expect([decided.get(first.id), decided.get(second.id), decided.get(third.id)]).toEqual(['allow', 'hold', 'allow']);
    expect(engine.world.holds.has('R2')).toBe(false);
  });

  it('holds the orders of an account the login defence already alerted as taken over', () => {
    const b = market();
    customer(b, 'T1');
    const s = b.login('T1', { ip: '126.1.2.3', user_agent: HOME.user_agent });
    const buy = b.order(s, { symbol: '7203.T', side: 'buy', qty: 100 });
    const login: Detector = {
      name: 'fake-login',
      observe(ev, ctx) {
        if (ev.type === 'login' && ev.account_id === 'T1' && ev.ip === '126.1.2.3') {
          ctx.raise({ kind: 'account_takeover', severity: 'high', score: 0.9, account_id: 'T1', reasons: [], event_ids: [ev.id], window: { start: ev.ts, end: ev.ts } });
        }
      },
    };
    const { decisions, alerts } = run(b.events, {}, [login]);
    expect(decisions.get(buy.id)?.decision).toBe('hold');
    expect(decisions.get(buy.id)?.reasons[0].code).toBe('TAKEOVER_ALERTED');
    expect(alerts.filter((a) => a.kind === 'account_takeover')).toHaveLength(1);
  });

  it('never stands in the way of a cancel', () => {
    const b = market();
    customer(b, 'C1');
    const s = b.login('C1', attacker(3));
    b.order(s, { symbol: '7203.T', side: 'sell', qty: 600 });
    const cancel = b.order(s, { symbol: '7203.T', side: 'sell', qty: 600, action: 'cancel' });
    const { decisions } = run(b.events);
    expect(decisions.get(cancel.id)?.decision).toBe('allow');
  });
});

describe('coordinated trading and beneficiaries', () => {
  it('raises one coordinated_trading alert naming the hijacked accounts, and one takeover each', () => {
    const { b } = episode();
    const { alerts } = run(b.events);
    const coord = alerts.filter((a) => a.kind === 'coordinated_trading');
    expect(coord).toHaveLength(1);
    expect(coord[0].symbol).toBe('7992.T');
    const named = coord[0].data?.accounts as string[];
    expect(named.length).toBeGreaterThanOrEqual(3);
    expect(named.every((a) => ['V1', 'V2', 'V3', 'V4'].includes(a))).toBe(true);
    expect(coord[0].event_ids.length).toBeGreaterThanOrEqual(3);
    const ato = alerts.filter((a) => a.kind === 'account_takeover').map((a) => a.account_id).sort();
    expect(ato).toEqual(['V1', 'V2', 'V3', 'V4']);
  });

  it('names the account that accumulated before and sold into the hijacked buys, with its profit', () => {
    const { b } = episode();
    const { alerts } = run(b.events);
    const ben = alerts.filter((a) => a.kind === 'beneficiary');
    expect(ben.map((a) => a.account_id)).toEqual(['B1']);
    const d = ben[0].data as Record<string, number>;
    expect(d.pre_episode_qty).toBe(30_000);
    expect(d.avg_cost).toBe(100);
    expect(d.crossed_qty).toBeGreaterThan(0);
    // Profit = shares sold so far × (average sell price − 100).
    expect(d.estimated_profit_jpy).toBe(Math.round(d.sold_qty * (d.avg_sell_price - 100)));
    expect(d.estimated_profit_jpy).toBeGreaterThan(0);
    expect(ben[0].event_ids.length).toBeGreaterThan(0);
  });

  it("holds a large holder's sells into the hijacked buying before they cross", () => {
    const { b, sells } = episode();
    const { decisions } = run(b.events);
    const held = sells.filter((id) => decisions.get(id)?.decision === 'hold');
    expect(held.length).toBeGreaterThanOrEqual(sells.length - 1);
    expect(decisions.get(held[0])?.reasons[0].code).toBe('SELLS_INTO_HIJACKED_BUYING');
  });

  it('does not raise a second account_takeover when the login defence already did', () => {
    const { b } = episode();
    const login: Detector = {
      name: 'fake-login',
      observe(ev, ctx) {
        if (ev.type === 'login' && ev.account_id === 'V2' && ev.ip.startsWith('45.76.')) {
          ctx.raise({ kind: 'account_takeover', severity: 'high', score: 0.9, account_id: 'V2', reasons: [], event_ids: [ev.id] });
        }
      },
    };
    const { alerts } = run(b.events, {}, [login]);
    expect(alerts.filter((a) => a.kind === 'account_takeover' && a.account_id === 'V2')).toHaveLength(1);
  });

  it('finds the beneficiary from a tape alert alone when the hijacked buying was not seen as such', () => {
    const b = market();
    b.account('B2', []);
    const bs = b.login('B2', HOME);
    for (let i = 0; i < 3; i++) {
      b.filled(bs, { symbol: '7992.T', side: 'buy', qty: 15_000, limit_price: 100 }, 100);
      b.wait(DAY / 2);
    }
    b.wait(DAY);
    const onset = new Date(b.t).toISOString();
    for (let k = 0; k < 5; k++) {
      b.trade('7992.T', 110 + 5 * k, 40_000, 'buy');
      b.filled(bs, { symbol: '7992.T', side: 'sell', qty: 5000, limit_price: 110 + 5 * k }, 110 + 5 * k);
      b.wait(MIN);
    }
    const tape: Detector = {
      name: 'fake-market',
      observe(ev, ctx) {
        if (ev.type === 'market_trade' && ev.price === 120) {
          ctx.raise({ kind: 'pump_and_dump', severity: 'high', score: 0.9, symbol: '7992.T', reasons: [], event_ids: [ev.id], window: { start: onset, end: ev.ts }, data: { onset } });
        }
      },
    };
    b.trade('7992.T', 100, 10);
    const { alerts } = run(b.events, {}, [tape]);
    const ben = alerts.filter((a) => a.kind === 'beneficiary');
    expect(ben.map((a) => a.account_id)).toEqual(['B2']);
  });
});

describe('state', () => {
  it('gives the same alerts when snapshotted and restored through the structured-clone serializer mid-stream', async () => {
    const { serialize, deserialize } = await import('node:v8');
    const { b } = episode();
    const key = (xs: Alert[]) => xs.map((a) => `${a.kind}:${a.account_id ?? a.symbol}:${a.ts}`);
    const whole = run(b.events);

    const cut = Math.floor(b.events.length * 0.8);
    const before = new Engine({ detectors: [new TradingDetector()] });
    const alerts: Alert[] = [];
    for (const ev of b.events.slice(0, cut)) alerts.push(...before.process(ev, Date.parse(ev.ts)).alerts);
    const after = new Engine({ detectors: [new TradingDetector()] });
    after.restore(deserialize(serialize(before.snapshot())));
    let last = 0;
    for (const ev of b.events.slice(cut)) {
      last = Date.parse(ev.ts);
      alerts.push(...after.process(ev, last).alerts);
    }
    alerts.push(...after.finish(last).alerts);
    expect(key(alerts)).toEqual(key(whole.alerts));
    expect(whole.alerts.length).toBeGreaterThan(3);
  });
});
