import type { SerializedGraph } from 'graphology-types';

/** Where an account last logged in from: what an alert without its own network inherits. */
export interface LastLogin {
  network: string;
  ip: string;
  device_id?: string;
  user_agent: string;
}

/** One order of an account, remembered briefly so a takeover found late still counts its orders. */
export interface RecentOrder {
  t: number;
  yen: number;
  stopped: boolean;
}

/** Yen the attacker moved and the yen held or blocked, per hijacked account, from `since_t` on. */
export interface HijackTally {
  since_t: number;
  moved_jpy: number;
  protected_jpy: number;
}

export interface CampaignRecord {
  campaign_id: string;
  /** Event time of its first alert. */
  first_t: number;
  /** Graph node of its first alert. */
  first_node: string;
}

/** Plain-data state of the campaign linker (the graph is kept in graphology's serialized form). */
export interface CampaignState {
  /** Union-find parent over graph nodes (alerts and entities). */
  parent: Map<string, string>;
  /** Root node → campaign. */
  campaigns: Map<string, CampaignRecord>;
  /** Campaign id → founding alert node, so an id keeps resolving after merges. */
  founders: Map<string, string>;
  last_login: Map<string, LastLogin>;
  /** User agent → distinct accounts that logged in with it (a count; per-account sets below). */
  ua_accounts: Map<string, number>;
  account_uas: Map<string, string[]>;
  recent_orders: Map<string, RecentOrder[]>;
  hijacked: Map<string, HijackTally>;
  beneficiaries: Map<string, number>;
  graph?: SerializedGraph;
}

export function createCampaignState(): CampaignState {
  return {
    parent: new Map(),
    campaigns: new Map(),
    founders: new Map(),
    last_login: new Map(),
    ua_accounts: new Map(),
    account_uas: new Map(),
    recent_orders: new Map(),
    hijacked: new Map(),
    beneficiaries: new Map(),
  };
}
