const JST_MS = 9 * 3600_000;

/** Brokers and their customers read Japan time; the API speaks ISO 8601 with offsets. */
export function jst(iso: string | undefined, withSeconds = false): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t + JST_MS).toISOString().replace('T', ' ');
  return s.slice(0, withSeconds ? 19 : 16);
}

export const yen = (n: number | undefined): string => (n === undefined ? '–' : `¥${Math.round(n).toLocaleString('en-US')}`);
/** Yen in a tile: ¥1.16bn, ¥9.45M, ¥328,600. */
export function yenShort(n: number): string {
  if (Math.abs(n) >= 1e9) return `¥${(n / 1e9).toFixed(2)}bn`;
  if (Math.abs(n) >= 1e7) return `¥${(n / 1e6).toFixed(1)}M`;
  return yen(n);
}

export const count = (n: number | undefined): string => (n === undefined ? '–' : n.toLocaleString('en-US'));

/** `pump_and_dump_update` → `pump and dump update`. */
export const label = (code: string): string => code.replace(/_/g, ' ');

export const PALETTE = ['#d62728', '#ff7f0e', '#9467bd', '#1f77b4', '#2ca02c', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#e7ba52', '#5254a3', '#843c39'];

export const DECISION_COLORS: Record<string, string> = { allow: '#2ca02c', step_up: '#e7a600', hold: '#ff7f0e', block: '#d62728', deny: '#8c1c13' };

/** One colour per alert kind wherever it appears; an update shares its kind's colour family. */
export const KIND_COLORS: Record<string, string> = {
  account_takeover: '#d62728',
  session_hijack: '#e377c2',
  credential_stuffing: '#8da0cb',
  coordinated_trading: '#ff7f0e',
  coordinated_trading_update: '#fdae6b',
  beneficiary: '#8c564b',
  pump_and_dump: '#9467bd',
  pump_and_dump_update: '#c5b0d5',
  market_frenzy: '#2ca02c',
  market_frenzy_update: '#98df8a',
  ramping: '#17becf',
  marking_the_close: '#bcbd22',
  wash_trade: '#393b79',
  phishing_url: '#e7ba52',
  detector_error: '#7f7f7f',
};

export const DECISION_ORDER = ['allow', 'step_up', 'hold', 'block', 'deny'];
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];
