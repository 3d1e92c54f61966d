import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import { WorldState } from '../../engine/WorldState.js';
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
  const s = b.login('V7', attacker(99, 'other-crew-kit', '198.51.100'));
  b.login('V8', attacker(98, 'other-crew-kit', '198.51.100'));
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
    // The kit's hosting network, and the beneficiary's own (from its last login).
    expect(s.networks).toEqual(['203.0.113.0/24', '45.76.1.0/24']);
    expect(s.devices).toEqual(['kit-1', 'mule']);
    // Every victim's sell-off was held at its first sell (the first from a new device and network,
    // the others also from a kit already seen), and every thin buy after it.
    expect(s.yen_moved).toBe(0);
    expect(s.yen_protected).toBeGreaterThan(4 * (600 * 3000 + 300 * 2000));
    expect(s.beneficiary_profit_jpy).toBeGreaterThan(0);
    expect(linker.campaigns().map((c) => c.campaign_id)).toContain(id);
    expect(linker.summarize('cmp_unknown')).toBeUndefined();
  });

  it('keeps resolving a younger campaign id after later evidence merged it into an older one', () => {
    const linker = new CampaignLinker();
    const world = new WorldState();
    const mk = (id: string, ts: string, extra: Partial<Alert>): Alert => ({ alert_id: id, ts, kind: 'account_takeover', severity: 'high', score: 0.9, reasons: [], event_ids: [], ...extra });
    const a = mk('al_a', '2025-04-14T01:00:00.000Z', { account_id: 'X', ip: '45.76.1.9' });
    const b = mk('al_b', '2025-04-14T01:05:00.000Z', { account_id: 'Y', ip: '198.51.100.4' });
    linker.onAlert(a, { t: Date.parse(a.ts), world });
    linker.onAlert(b, { t: Date.parse(b.ts), world });
    expect(a.campaign_id).not.toBe(b.campaign_id);
    const c = mk('al_c', '2025-04-14T01:10:00.000Z', { kind: 'coordinated_trading', symbol: '7992.T', data: { accounts: ['X', 'Y'] } });
    linker.onAlert(c, { t: Date.parse(c.ts), world });
    expect(c.campaign_id).toBe(a.campaign_id);
    expect(b.campaign_id).not.toBe(a.campaign_id);
    expect(linker.resolve(b.campaign_id!)).toBe(a.campaign_id);
    expect(linker.summarize(b.campaign_id!)?.hijacked_accounts).toEqual(['X', 'Y']);
    expect(linker.campaigns()).toHaveLength(1);
  });
});
