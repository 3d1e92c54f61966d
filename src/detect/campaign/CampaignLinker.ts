import { UndirectedGraph } from 'graphology';
import type { KgEvent } from '../../events/schema.js';
import type { Alert, AlertContext, Detector, ObserveContext } from '../../engine/types.js';
import { networkOf } from '../trading/networkOf.js';
import { alertEntities } from './alertEntities.js';
import { createCampaignState, type CampaignRecord, type CampaignState, type RecentOrder } from './CampaignState.js';
import { summarizeCampaign, type CampaignSummary } from './summarizeCampaign.js';

/** Options of the campaign linker. */
export interface CampaignDetectorOptions {
  /**
   * A user agent links alerts only when at most this many accounts ever logged in with it: a common
   * browser string says nothing about who is behind it. Default 20.
   */
  maxUserAgentAccounts?: number;
  /** Orders kept per account so a takeover found late still counts what the attacker did, ms. Default 2 days. */
  recentOrdersMs?: number;
}

const RECENT_ORDERS_MAX = 100;

/**
 * Links every alert into a campaign: alerts that share an account, a network (/24), an ASN, a device,
 * a rare user agent, or a manipulated symbol on the same day end up in one connected component of a
 * graph (graphology) whose campaign id is that of its first alert. Ids are deterministic (they derive
 * from alert ids, which derive from event ids) and never change once emitted: when two campaigns
 * merge, the older id names the merged one and the younger keeps resolving to it.
 */
export class CampaignLinker implements Detector {
  readonly name = 'campaign';
  private state: CampaignState = createCampaignState();
  private graph = new UndirectedGraph();
  private readonly maxUa: number;
  private readonly recentMs: number;

  constructor(opts: CampaignDetectorOptions = {}) {
    this.maxUa = opts.maxUserAgentAccounts ?? 20;
    this.recentMs = opts.recentOrdersMs ?? 2 * 86_400_000;
    if (!(this.maxUa >= 0) || !(this.recentMs >= 0)) throw new Error('campaign options maxUserAgentAccounts and recentOrdersMs must be numbers >= 0');
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    const s = this.state;
    if (ev.type === 'login' && ev.outcome === 'success' && ev.account_id) {
      s.last_login.set(ev.account_id, { network: networkOf(ev.ip), ip: ev.ip, device_id: ev.device_id, user_agent: ev.user_agent });
      let uas = s.account_uas.get(ev.account_id);
      if (!uas) {
        uas = [];
        s.account_uas.set(ev.account_id, uas);
      }
      if (!uas.includes(ev.user_agent)) {
        if (uas.length >= 8) uas.shift();
        uas.push(ev.user_agent);
        s.ua_accounts.set(ev.user_agent, (s.ua_accounts.get(ev.user_agent) ?? 0) + 1);
      }
    } else if (ev.type === 'order' && ev.action !== 'cancel') {
      const price = ev.limit_price ?? ctx.world.market.get(ev.symbol)?.last_price ?? 0;
      const yen = ev.qty * price * ctx.world.fxToJpy(ev.symbol);
      const d = ctx.decision?.decision;
      const stopped = d === 'hold' || d === 'block';
      const tally = s.hijacked.get(ev.account_id);
      if (tally && ctx.t >= tally.since_t) {
        if (stopped) tally.protected_jpy += yen;
        else tally.moved_jpy += yen;
      } else {
        let list = s.recent_orders.get(ev.account_id);
        if (!list) {
          list = [];
          s.recent_orders.set(ev.account_id, list);
        }
        list.push({ t: ctx.t, yen, stopped });
        while (list.length > RECENT_ORDERS_MAX || (list.length > 0 && ctx.t - list[0].t > this.recentMs)) list.shift();
      }
    }
  }

  onAlert(alert: Alert, ctx: AlertContext): void {
    const s = this.state;
    const ent = alertEntities(
      alert,
      (a) => s.last_login.get(a),
      (ua) => (s.ua_accounts.get(ua) ?? 0) <= this.maxUa,
    );
    const node = `alert:${alert.alert_id}`;
    const t = Date.parse(alert.ts);
    this.graph.mergeNode(node, { kind: alert.kind, t });
    s.parent.set(node, node);
    const own: CampaignRecord = { campaign_id: `cmp_${alert.alert_id.replace(/^al_/, '').slice(0, 16)}`, first_t: t, first_node: node };
    s.campaigns.set(node, own);
    s.founders.set(own.campaign_id, node);
    // An id another detector already gave (e.g. a phishing kit cluster) is one more thing to link by.
    const keys = alert.campaign_id ? [...ent.keys, `ext:${alert.campaign_id}`] : ent.keys;
    for (const key of keys) {
      this.graph.mergeNode(key);
      this.graph.mergeEdge(node, key);
      if (!s.parent.has(key)) s.parent.set(key, key);
      this.union(node, key);
    }
    alert.campaign_id = s.campaigns.get(this.find(node))!.campaign_id;

    for (const a of ent.hijacked) {
      if (s.hijacked.has(a)) continue;
      const since = sinceOf(alert, ctx.t);
      const tally = { since_t: since, moved_jpy: 0, protected_jpy: 0 };
      for (const o of s.recent_orders.get(a) ?? []) {
        if (o.t < since) continue;
        if (o.stopped) tally.protected_jpy += o.yen;
        else tally.moved_jpy += o.yen;
      }
      s.recent_orders.delete(a);
      s.hijacked.set(a, tally);
    }
    for (const a of ent.beneficiaries) {
      const profit = Number((alert.data as Record<string, unknown> | undefined)?.estimated_profit_jpy ?? 0);
      s.beneficiaries.set(a, (s.beneficiaries.get(a) ?? 0) + (Number.isFinite(profit) ? profit : 0));
    }
  }

  /** The campaign an id names now (after merges), summarized; undefined for an unknown id. */
  summarize(campaign_id: string): CampaignSummary | undefined {
    const founder = this.state.founders.get(campaign_id);
    if (!founder) return undefined;
    return summarizeCampaign(this.graph, this.state, this.find(founder));
  }

  /**
   * The id that names a campaign now. An alert keeps the id it was emitted with; when later evidence
   * links its campaign to an older one, this gives the older (surviving) id.
   */
  resolve(campaign_id: string): string | undefined {
    const founder = this.state.founders.get(campaign_id);
    return founder === undefined ? undefined : this.state.campaigns.get(this.find(founder))?.campaign_id;
  }

  /** Every campaign with at least one alert, oldest first. */
  campaigns(): CampaignSummary[] {
    const out: CampaignSummary[] = [];
    for (const [root, rec] of this.state.campaigns) if (this.find(root) === root) out.push(summarizeCampaign(this.graph, this.state, root, rec));
    return out.sort((a, b) => a.first_ts.localeCompare(b.first_ts) || a.campaign_id.localeCompare(b.campaign_id));
  }

  snapshot(): unknown {
    return { ...this.state, graph: this.graph.export() };
  }

  restore(state: unknown): void {
    const s = state as CampaignState;
    this.state = { ...s, graph: undefined };
    this.graph = new UndirectedGraph();
    if (s.graph) this.graph.import(s.graph);
  }

  private find(x: string): string {
    const p = this.state.parent;
    let r = x;
    while (p.get(r) !== r) r = p.get(r)!;
    let c = x;
    while (c !== r) {
      const n = p.get(c)!;
      p.set(c, r);
      c = n;
    }
    return r;
  }

  private union(a: string, b: string): void {
    const s = this.state;
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const ca = s.campaigns.get(ra);
    const cb = s.campaigns.get(rb);
    // The older campaign keeps its id; an entity-only root (no alert yet) has no campaign.
    let keep = ra;
    let drop = rb;
    if (!ca || (cb && (cb.first_t < ca.first_t || (cb.first_t === ca.first_t && cb.campaign_id < ca.campaign_id)))) {
      keep = rb;
      drop = ra;
    }
    s.parent.set(drop, keep);
    const dropped = s.campaigns.get(drop);
    if (dropped) {
      s.campaigns.delete(drop);
      if (!s.campaigns.has(keep)) s.campaigns.set(keep, dropped);
    }
  }
}

function sinceOf(alert: Alert, t: number): number {
  const d = alert.data as Record<string, unknown> | undefined;
  if (typeof d?.since_t === 'number') return d.since_t;
  const w = alert.window ? Date.parse(alert.window.start) : NaN;
  return Number.isNaN(w) ? t : w;
}
