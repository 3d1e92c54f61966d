/**
 * Parse the contract's timestamp form — `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` — to epoch ms,
 * or NaN when it is not exactly that form or not a real date/time. Hand-written because it runs
 * for every event and `Date.parse` plus a regex cost more than the rest of ingestion.
 */
export function parseTimestamp(s: string): number {
  const n = s.length;
  if (n < 20 || n > 35) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0) return NaN;
  if (d > daysIn(y, mo)) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    let scale = 100;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      i++;
    }
    const len = i - start;
    if (len < 1 || len > 9) return NaN;
    ms = Math.floor(ms + 1e-9);
  }
  let offsetMin = 0;
  const c = s.charCodeAt(i);
  if (c === 90) {
    if (i + 1 !== n) return NaN;
  } else if (c === 43 || c === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return NaN;
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
    offsetMin = (c === 43 ? 1 : -1) * (oh * 60 + om);
  } else return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000;
}

function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysIn(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
