/**
 * Labelled phishing feeds for `phish learn`: the JPCERT/CC CSV (`date,URL,description`, description =
 * impersonated brand) and a plain list of `URL[,<tab> or ;]brand` lines (brand optional, `#` comments).
 */
import { findBrandByJapaneseName, type BrandCatalogue } from './brandCatalogue.js';
import { parsePhishUrl, PhishInputError, type PhishUrlParts } from './parsePhishUrl.js';

export interface FeedRow {
  line: number;
  url: string;
  /** Catalogue brand name when the label names a known broker, else the label as given, or null. */
  brand: string | null;
  /** ISO date (`2025-04-23T17:51:00+09:00`), '' when the feed has none. */
  date: string;
  parts: PhishUrlParts;
}

export interface FeedReject {
  line: number;
  reason: string;
  text: string;
}

export interface ParsedFeed {
  format: 'jpcert' | 'list';
  rows: FeedRow[];
  rejects: FeedReject[];
}

/** Split one CSV line with RFC 4180 quoting. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"' && cur === '') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * `URL<tab>brand`, `URL brand`, or `URL,brand` / `URL;brand` where the last field holds no `/` (URLs
 * may contain commas in their query, a brand label never holds a slash).
 */
function splitListLine(line: string): [string, string] {
  const tab = line.indexOf('\t');
  if (tab >= 0) return [line.slice(0, tab).trim(), line.slice(tab + 1).trim()];
  const sp = line.search(/\s/);
  if (sp >= 0) return [line.slice(0, sp), line.slice(sp + 1).trim()];
  const m = /^(.*)[,;]([^,;/]*)$/.exec(line);
  return m ? [m[1], m[2].trim()] : [line, ''];
}

/** JPCERT/CC dates are Japan time without offset (`2025/04/23 17:51:00`). */
function jpcertDate(s: string): string | undefined {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.trim());
  if (!m) return undefined;
  const p2 = (x: string | undefined) => (x ?? '0').padStart(2, '0');
  return `${m[1]}-${p2(m[2])}-${p2(m[3])}T${p2(m[4])}:${p2(m[5])}:${p2(m[6])}+09:00`;
}

/** Parse a feed; bad rows are collected in `rejects` with the reason, never thrown. */
export function parsePhishFeed(text: string, cat: BrandCatalogue): ParsedFeed {
  if (text.includes('\u0000')) {
    return { format: 'list', rows: [], rejects: [{ line: 0, reason: 'file contains NUL bytes (binary, not a URL feed)', text: '' }] };
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const jpcert = header.length >= 3 && header[0] === 'date' && header[1] === 'url';
  const rows: FeedRow[] = [];
  const rejects: FeedReject[] = [];
  for (let i = jpcert ? 1 : 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    let url: string;
    let label: string;
    let date = '';
    if (jpcert) {
      const f = splitCsv(raw);
      if (f.length < 3) {
        rejects.push({ line: i + 1, reason: 'expected 3 columns date,URL,description', text: raw.slice(0, 200) });
        continue;
      }
      // A URL with unquoted commas spills over columns: the description is always the last one.
      url = f.slice(1, -1).join(',');
      label = f[f.length - 1];
      const d = jpcertDate(f[0]);
      if (!d) {
        rejects.push({ line: i + 1, reason: `date ${JSON.stringify(f[0])} is not YYYY/MM/DD hh:mm:ss`, text: raw.slice(0, 200) });
        continue;
      }
      date = d;
    } else {
      [url, label] = splitListLine(raw.trim());
    }
    try {
      const parts = parsePhishUrl(url);
      const l = label.trim();
      const brand = l === '' ? null : (findBrandByJapaneseName(cat, l)?.name ?? l);
      rows.push({ line: i + 1, url, brand, date, parts });
    } catch (err) {
      if (!(err instanceof PhishInputError)) throw err;
      rejects.push({ line: i + 1, reason: err.message, text: raw.slice(0, 200) });
    }
  }
  return { format: jpcert ? 'jpcert' : 'list', rows, rejects };
}
