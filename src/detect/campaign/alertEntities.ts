import type { Alert } from '../../engine/types.js';
import { jstDay } from '../../engine/WorldState.js';
import { networkOf } from '../trading/networkOf.js';
import type { LastLogin } from './CampaignState.js';

/** The things an alert is about, as graph node keys (`acct:…`, `net:…`, `dev:…`, `ua:…`, `asn:…`, `sym:…@day`). */
export interface AlertEntities {
  accounts: string[];
  /** Accounts the alert says were hijacked (their orders count as the campaign's yen). */
  hijacked: string[];
  beneficiaries: string[];
  keys: string[];
}

/** Kinds whose symbol is evidence of the campaign (a legitimate frenzy's symbol is not). */
const SYMBOL_KINDS = new Set(['pump_and_dump', 'pump_and_dump_update', 'coordinated_trading', 'coordinated_trading_update', 'beneficiary', 'account_takeover']);
const HIJACK_KINDS = new Set(['account_takeover', 'session_hijack']);

/**
 * Read what an alert links to. Networks, devices and rare user agents come from the alert itself
 * (`ip`, `data.network`, `data.ips`, `data.device_id`, `data.user_agent`, `data.asn`), or else from
 * the account's last login; symbols link only within the same JST day of the episode, so a name
 * pumped twice by different crews months apart is not one campaign.
 */
export function alertEntities(alert: Alert, lastLogin: (account: string) => LastLogin | undefined, uaIsRare: (ua: string) => boolean): AlertEntities {
  const d = (alert.data ?? {}) as Record<string, unknown>;
  const keys = new Set<string>();
  const accounts = new Set<string>();
  if (alert.account_id) accounts.add(alert.account_id);
  const named = strings(d.accounts);
  for (const a of named) accounts.add(a);
  // Both sides of a matched trade between our accounts belong to whatever campaign either is in.
  if (alert.kind === 'wash_trade') for (const a of strings([d.buy_account, d.sell_account])) accounts.add(a);
  const hijackedOthers = alert.kind === 'beneficiary' ? strings(d.hijacked_accounts) : [];
  for (const a of hijackedOthers) accounts.add(a);
  for (const a of accounts) keys.add(`acct:${a}`);

  const ips = [...(alert.ip ? [alert.ip] : []), ...strings(d.ips)];
  for (const ip of ips) keys.add(`net:${networkOf(ip)}`);
  if (typeof d.network === 'string') keys.add(`net:${d.network}`);
  if (typeof d.asn === 'number' || typeof d.asn === 'string') keys.add(`asn:${String(d.asn)}`);
  if (typeof d.device_id === 'string' && d.device_id) keys.add(`dev:${d.device_id}`);
  if (typeof d.user_agent === 'string' && uaIsRare(d.user_agent)) keys.add(`ua:${d.user_agent}`);
  if (ips.length === 0 && alert.account_id) {
    const l = lastLogin(alert.account_id);
    if (l) {
      keys.add(`net:${l.network}`);
      if (l.device_id) keys.add(`dev:${l.device_id}`);
      if (uaIsRare(l.user_agent)) keys.add(`ua:${l.user_agent}`);
    }
  }
  const symbol = alert.symbol ?? (typeof d.symbol === 'string' ? d.symbol : undefined);
  if (symbol && SYMBOL_KINDS.has(alert.kind)) {
    const start = Date.parse(alert.window?.start ?? alert.ts);
    keys.add(`sym:${symbol}@${jstDay(Number.isNaN(start) ? Date.parse(alert.ts) : start)}`);
  }
  const hijacked = HIJACK_KINDS.has(alert.kind) && alert.account_id ? [alert.account_id] : alert.kind === 'coordinated_trading' || alert.kind === 'coordinated_trading_update' ? named : [];
  return {
    accounts: [...accounts].sort(),
    hijacked: [...new Set([...hijacked, ...hijackedOthers])].sort(),
    beneficiaries: alert.kind === 'beneficiary' && alert.account_id ? [alert.account_id] : [],
    keys: [...keys].sort(),
  };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}
