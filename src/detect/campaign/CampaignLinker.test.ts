import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { Alert } from '../../engine/types.js';
import type { KgEvent } from '../../events/schema.js';
import { attacker, customer, episode } from '../trading/exampleScenarios.js';
import { TradingDetector } from '../trading/TradingDetector.js';
import { CampaignLinker } from './CampaignLinker.js';

const DAY = 86_400_000;

function run(events: KgEvent[]) {
  const linker = new CampaignLinker();
  const engine = new Engine({ detectors: [new TradingDetector(), linker] });
  const alerts: Alert[] = [];
  let last = 0;
  for (const ev of events) {
    last = Date.parse(ev.ts);
    alerts.push(...engine.process(ev, last).alerts);
  }
  alerts.push(...engine.finish(last).alerts);
  return { alerts, linker };
}

/** The coordinated episode, then ten days later an unrelated takeover from another network. */
function world() {
  const { b } = episode();
  b.wait(10 * DAY);
  customer(b, 'V7');
  const s = b.login('V7', attacker(99));
  b.order(s, { symbol: '7203.T', side: 'sell', qty: 600 });
  b.order(s, { symbol: '6758.T', side: 'sell', qty: 300 });
  b.trade('7203.T', 3000, 100);
  return b.events;
}

describe('campaign linking', () => {
  it('gives the hijacked accounts, the coordination alert and the beneficiary of one episode one campaign id', () => {
    const { alerts, linker } = run(world());
    expect(alerts.every((a) => typeof a.campaign_id === 'string')).toBe(true);
    const episodeAlerts = alerts.filter((a) => a.account_id !== 'V7');
    const kinds = new Set(episodeAlerts.map((a) => a.kind));
    expect(kinds).toEqual(new Set(['account_takeover', 'coordinated_trading', 'coordinated_trading_update', 'beneficiary']));
    const campaign = linker.resolve(episodeAlerts[0].campaign_id!);
    expect(new Set(episodeAlerts.map((a) => linker.resolve(a.campaign_id!)))).toEqual(new Set([campaign]));
    // Alerts raised once the link is known carry the surviving id itself; only a takeover alert raised
    // before anything tied its account to the episode keeps its own (resolving) id.
    const linkedAtEmission = episodeAlerts.filter((a) => a.kind !== 'account_takeover');
    expect(new Set(linkedAtEmission.map((a) => a.campaign_id))).toEqual(new Set([campaign]));
    const other = alerts.filter((a) => a.account_id === 'V7');
    expect(other).toHaveLength(1);
    expect(linker.resolve(other[0].campaign_id!)).not.toBe(campaign);
  });

  it('gives the same campaign ids when the same input is replayed', () => {
    const a = run(world()).alerts.map((x) => `${x.alert_id}=${x.campaign_id}`);
    const b = run(world()).alerts.map((x) => `${x.alert_id}=${x.campaign_id}`);
    expect(a).toEqual(b);
  });

  it('summarizes a campaign: accounts, symbol, networks, yen moved and protected, beneficiary profit', () => {
    const { alerts, linker } = run(world());
    const id = alerts.find((a) => a.kind === 'coordinated_trading')!.campaign_id!;
    const s = linker.summarize(id)!;
    expect(s.campaign_id).toBe(id);
    expect(s.hijacked_accounts).toEqual(['V1', 'V2', 'V3', 'V4']);
    expect(s.beneficiary_accounts).toEqual(['B1']);
    expect(s.accounts).toEqual(['B1', 'V1', 'V2', 'V3', 'V4']);
    expect(s.symbols).toEqual(['7992.T']);
    expect(s.networks).toEqual(expect.arrayContaining(['45.76.10.0/24', '45.76.13.0/24']));
    // Every attacker order was held: each account was held at its first sell.
    expect(s.yen_moved).toBe(0);
    // 4 accounts × (600 × ¥3000 + 300 × ¥2000) of sells plus the thin buys.
    expect(s.yen_protected).toBeGreaterThan(4 * (600 * 3000 + 300 * 2000));
    expect(s.beneficiary_profit_jpy).toBeGreaterThan(0);
    expect(linker.campaigns().map((c) => c.campaign_id)).toContain(id);
    expect(linker.summarize('cmp_unknown')).toBeUndefined();
  });

  it('keeps resolving a younger campaign id after it merged into an older one', () => {
    const { alerts, linker } = run(world());
    const ids = new Set(alerts.map((a) => a.campaign_id!));
    expect(ids.size).toBeGreaterThan(2);
    for (const id of ids) expect(linker.summarize(id)?.campaign_id).toBe(linker.resolve(id));
  });
});
