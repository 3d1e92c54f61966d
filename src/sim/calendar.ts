/**
 * Time in the simulated world: Japan Standard Time (no daylight saving), exchange sessions, and the
 * ISO timestamps of the event contract. A simulated "day" runs 07:00 JST to 07:00 JST next day, so
 * the US session (22:30/23:30–05:00/06:00 JST) belongs to the day it opens on and each day's events
 * can be sorted and written before the next day is generated.
 */
import type { Market } from './instruments.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const JST_OFFSET = 9 * HOUR;
/** Hour (JST) at which a simulated day starts. */
export const DAY_START_HOUR = 7;

/** `2025-04-07T09:00:00.000+09:00` */
export function isoJst(t: number): string {
  return new Date(t + JST_OFFSET).toISOString().slice(0, 23) + '+09:00';
}

/** Epoch ms of 00:00 JST on a `YYYY-MM-DD` date; throws with a fix-it message on a bad date. */
export function jstMidnight(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) {
    throw new Error(`start date "${date}" is not a real calendar date in the form YYYY-MM-DD`);
  }
  return t - JST_OFFSET;
}

/** `YYYY-MM-DD` of the JST calendar date of `t`. */
export function jstDate(t: number): string {
  return new Date(t + JST_OFFSET).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, in JST. */
export function jstWeekday(t: number): number {
  return new Date(t + JST_OFFSET).getUTCDay();
}

// JPX market holidays (weekday closures) 2025–2026; weekends are closed anyway.
const TSE_HOLIDAYS = new Set([
  '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-13', '2025-02-11', '2025-02-24', '2025-03-20', '2025-04-29',
  '2025-05-05', '2025-05-06', '2025-07-21', '2025-08-11', '2025-09-15', '2025-09-23', '2025-10-13', '2025-11-03',
  '2025-11-24', '2025-12-31', '2026-01-01', '2026-01-02', '2026-01-12', '2026-02-11', '2026-02-23', '2026-03-20',
  '2026-04-29', '2026-05-04', '2026-05-05', '2026-05-06', '2026-07-20', '2026-08-11', '2026-09-21', '2026-09-22',
  '2026-09-23', '2026-10-12', '2026-11-03', '2026-11-23', '2026-12-31',
]);

export type Interval = readonly [number, number];

/**
 * Continuous-trading intervals (epoch ms) of a market for the simulated day that starts at
 * `midnight` (00:00 JST of its date). Exchange holidays other than Japan's are not modelled.
 */
export function sessionsOn(market: Market, midnight: number): Interval[] {
  const wd = jstWeekday(midnight);
  if (wd === 0 || wd === 6) return [];
  const at = (h: number, m = 0): number => midnight + h * HOUR + m * MINUTE;
  switch (market) {
    case 'TSE-Prime':
    case 'TSE-Standard':
    case 'TSE-Growth':
      if (TSE_HOLIDAYS.has(jstDate(midnight))) return [];
      return [
        [at(9), at(11, 30)],
        [at(12, 30), at(15, 30)],
      ];
    case 'HKEX':
      return [
        [at(10, 30), at(13)],
        [at(14), at(17)],
      ];
    case 'SSE':
    case 'SZSE':
      return [
        [at(10, 30), at(12, 30)],
        [at(14), at(16)],
      ];
    case 'NASDAQ':
    case 'NYSE': {
      const open = usDaylightSaving(jstDate(midnight)) ? at(22, 30) : at(23, 30);
      return [[open, open + 390 * MINUTE]];
    }
  }
}

/** US daylight saving: second Sunday of March to first Sunday of November. */
function usDaylightSaving(date: string): boolean {
  const y = +date.slice(0, 4);
  const secondSundayMarch = nthSunday(y, 2, 2);
  const firstSundayNov = nthSunday(y, 10, 1);
  const d = Date.UTC(y, +date.slice(5, 7) - 1, +date.slice(8, 10));
  return d >= secondSundayMarch && d < firstSundayNov;
}

function nthSunday(y: number, month: number, n: number): number {
  const first = Date.UTC(y, month, 1);
  const wd = new Date(first).getUTCDay();
  return first + (((7 - wd) % 7) + 7 * (n - 1)) * DAY;
}

export function isTseTradingDay(midnight: number): boolean {
  return sessionsOn('TSE-Prime', midnight).length > 0;
}

/** One simulated day. */
export interface SimDay {
  index: number;
  /** 00:00 JST of the date. */
  midnight: number;
  windowStart: number;
  windowEnd: number;
  /** TSE trades today. */
  tse: boolean;
  /** Monday to Friday (HK/Shanghai/US sessions). */
  weekday: boolean;
}

export function simDays(start: string, days: number): SimDay[] {
  const first = jstMidnight(start);
  const out: SimDay[] = [];
  for (let i = 0; i < days; i++) {
    const midnight = first + i * DAY;
    const wd = jstWeekday(midnight);
    out.push({
      index: i,
      midnight,
      windowStart: midnight + DAY_START_HOUR * HOUR,
      windowEnd: midnight + DAY + DAY_START_HOUR * HOUR,
      tse: isTseTradingDay(midnight),
      weekday: wd !== 0 && wd !== 6,
    });
  }
  return out;
}
