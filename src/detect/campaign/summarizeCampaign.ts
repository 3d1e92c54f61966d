import type { AbstractGraph } from 'graphology-types';
import type { CampaignRecord, CampaignState } from './CampaignState.js';

/** What a reviewer needs first about a campaign. */
export interface CampaignSummary {
  campaign_id: string;
  first_ts: string;
  last_ts: string;
  alerts: number;
  alert_kinds: Record<string, number>;
  accounts: string[];
  hijacked_accounts: string[];
  beneficiary_accounts: string[];
  symbols: string[];
  networks: string[];
  devices: string[];
  asns: string[];
  /** Yen of the hijacked accounts' orders that were let through (from the start of the takeover). */
  yen_moved: number;
  /** Yen of their orders held or blocked before execution. */
  yen_protected: number;
  /** Estimated profit of the beneficiaries, yen. */
  beneficiary_profit_jpy: number;
}

/**
 * Summarize the connected component of `root` in the campaign graph: its accounts, symbols,
 * networks and devices, and the yen its hijacked accounts moved or had held.
 */
export function summarizeCampaign(graph: AbstractGraph, state: CampaignState, root: string, rec?: CampaignRecord): CampaignSummary {
  const campaign = rec ?? state.campaigns.get(root);
  if (!campaign) throw new Error(`no campaign is rooted at ${root}; summarize by campaign id instead`);
  const seen = new Set<string>([campaign.first_node]);
  const queue = [campaign.first_node];
  while (queue.length > 0) {
    const n = queue.pop()!;
    graph.forEachNeighbor(n, (m) => {
      if (!seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    });
  }
  const accounts = new Set<string>();
  const symbols = new Set<string>();
  const networks = new Set<string>();
  const devices = new Set<string>();
  const asns = new Set<string>();
  const kinds: Record<string, number> = {};
  let alerts = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const n of seen) {
    const [kind, ...rest] = n.split(':');
    const v = rest.join(':');
    if (kind === 'alert') {
      alerts++;
      const a = graph.getNodeAttributes(n) as { kind: string; t: number };
      kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
      first = Math.min(first, a.t);
      last = Math.max(last, a.t);
    } else if (kind === 'acct') accounts.add(v);
    else if (kind === 'sym') symbols.add(v.replace(/@\d+$/, ''));
    else if (kind === 'net') networks.add(v);
    else if (kind === 'dev') devices.add(v);
    else if (kind === 'asn') asns.add(v);
  }
  let moved = 0;
  let held = 0;
  let profit = 0;
  const hijacked: string[] = [];
  const beneficiaries: string[] = [];
  for (const a of accounts) {
    const tally = state.hijacked.get(a);
    if (tally) {
      hijacked.push(a);
      moved += tally.moved_jpy;
      held += tally.protected_jpy;
    }
    const p = state.beneficiaries.get(a);
    if (p !== undefined) {
      beneficiaries.push(a);
      profit += p;
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    campaign_id: campaign.campaign_id,
    first_ts: new Date(first).toISOString(),
    last_ts: new Date(last).toISOString(),
    alerts,
    alert_kinds: kinds,
    accounts: sorted(accounts),
    hijacked_accounts: hijacked.sort(),
    beneficiary_accounts: beneficiaries.sort(),
    symbols: sorted(symbols),
    networks: sorted(networks),
    devices: sorted(devices),
    asns: sorted(asns),
    yen_moved: Math.round(moved),
    yen_protected: Math.round(held),
    beneficiary_profit_jpy: Math.round(profit),
  };
}
