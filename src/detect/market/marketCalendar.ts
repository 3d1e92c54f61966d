/**
 * Just enough of each market's calendar to bucket a tape: the local trading day, the number of
 * continuous-session minutes (to turn a normal daily volume into a normal per-minute volume) and
 * the close (for marking-the-close surveillance).
 */
import type { WorldState } from '../../engine/WorldState.js';

export interface MarketCalendar {
  /** Hours east of UTC of the exchange's local time. */
  utcOffsetHours: number;
  /** Minutes of continuous trading in a normal day. */
  sessionMinutes: number;
  /** Local minute of the day of the close, or -1 when it moves with daylight saving (unknown here). */
  closeMinute: number;
  /** Local second of the day of each call auction (itayose) that opens or closes a session. */
  auctionSeconds: number[];
}

// TSE: 9:00–11:30 and 12:30–15:30 since 2024-11-05. HKEX: 9:30–12:00, 13:00–16:00.
// SSE/SZSE: 9:30–11:30, 13:00–15:00. US markets: 9:30–16:00 ET, whose offset moves with DST.
const TSE: MarketCalendar = { utcOffsetHours: 9, sessionMinutes: 330, closeMinute: 15 * 60 + 30, auctionSeconds: [9 * 3600, 12.5 * 3600, 15.5 * 3600] };
const HKEX: MarketCalendar = { utcOffsetHours: 8, sessionMinutes: 330, closeMinute: 16 * 60, auctionSeconds: [9.5 * 3600, 13 * 3600, 16 * 3600] };
const CHINA: MarketCalendar = { utcOffsetHours: 8, sessionMinutes: 240, closeMinute: 15 * 60, auctionSeconds: [9.25 * 3600, 15 * 3600] };
const US: MarketCalendar = { utcOffsetHours: -5, sessionMinutes: 390, closeMinute: -1, auctionSeconds: [] };

const BY_MARKET: Record<string, MarketCalendar> = {
  'TSE-Prime': TSE,
  'TSE-Standard': TSE,
  'TSE-Growth': TSE,
  HKEX,
  SSE: CHINA,
  SZSE: CHINA,
  NASDAQ: US,
  NYSE: US,
};

const BY_SUFFIX: Array<[string, MarketCalendar]> = [
  ['.T', TSE],
  ['.HK', HKEX],
  ['.SS', CHINA],
  ['.SZ', CHINA],
];

/** The calendar of a symbol: from its `instrument` event when seen, else from its suffix, else TSE. */
export function findMarketCalendar(symbol: string, world?: WorldState): MarketCalendar {
  const market = world?.instruments.get(symbol)?.market;
  if (market && BY_MARKET[market]) return BY_MARKET[market];
  for (const [suffix, cal] of BY_SUFFIX) if (symbol.endsWith(suffix)) return cal;
  return TSE;
}

const DAY_MS = 86_400_000;

/** Local trading-day number of an instant. */
export function localDay(t: number, cal: MarketCalendar): number {
  return Math.floor((t + cal.utcOffsetHours * 3_600_000) / DAY_MS);
}

/** Local minute of the day (0..1439) of an instant. */
export function localMinute(t: number, cal: MarketCalendar): number {
  const local = t + cal.utcOffsetHours * 3_600_000;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
}

/** Is the instant within the first second of a call auction, where every fill shares one price? */
export function isAuctionSecond(t: number, cal: MarketCalendar): boolean {
  const local = t + cal.utcOffsetHours * 3_600_000;
  const ms = local - Math.floor(local / DAY_MS) * DAY_MS;
  for (const s of cal.auctionSeconds) if (ms >= s * 1000 && ms < s * 1000 + 1000) return true;
  return false;
}
