import { IpIntel, mergeRanges, packCountry, type NetworkCategory } from './IpIntel.js';
import { parseNetworkList } from './parseNetworkList.js';

export interface IpIntelSources {
  /** `first,last,asn,org` lines with integer IPv4 bounds (the @ip-location-db `asn-ipv4-num.csv` format). */
  asnCsv?: string;
  /** `first,last,CC` lines with integer IPv4 bounds (the @ip-location-db `*-country-ipv4-num.csv` format). */
  countryCsv?: string;
  /** User-supplied lists (see `parseNetworkList` for the format), each loaded as one category. */
  networkLists?: { category: NetworkCategory; text: string; source?: string }[];
}

/** Build the lookup tables from already-read text (pure; `loadIpIntel` does the file reading). */
export function createIpIntel(src: IpIntelSources): IpIntel {
  const asn = parseRangeCsv(src.asnCsv ?? '', 'asn csv', (cols) => Number(cols[2]));
  const orgs = new Map<number, string>();
  for (const [a, org] of asn.extra) if (!orgs.has(a)) orgs.set(a, org);
  const country = parseRangeCsv(src.countryCsv ?? '', 'country csv', (cols) => packCountry(cols[2]));
  const networks = {} as IpIntelTables['networks'];
  for (const c of ['hosting', 'vpn', 'tor'] as const) {
    const lists = (src.networkLists ?? []).filter((l) => l.category === c).map((l) => parseNetworkList(l.text, l.source ?? `${c} list`));
    networks[c] = { ...mergeRanges(lists.flatMap((l) => l.ranges)), asns: new Set(lists.flatMap((l) => l.asns)) };
  }
  return new IpIntel({
    asn: { first: asn.first, last: asn.last, asn: Uint32Array.from(asn.values) },
    orgs,
    country: { first: country.first, last: country.last, cc: Uint16Array.from(country.values) },
    networks,
  });
}

type IpIntelTables = ConstructorParameters<typeof IpIntel>[0];

/**
 * Parse `first,last,value[,org]` lines. The source files are sorted and non-overlapping; we sort
 * anyway (cheap) so a hand-made or concatenated file cannot break the bisection.
 */
function parseRangeCsv(text: string, source: string, value: (cols: string[]) => number) {
  const rows: { f: number; l: number; v: number }[] = [];
  const extra = new Map<number, string>();
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    lineNo++;
    if (line === '' || line.startsWith('#')) continue;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    const f = Number(line.slice(0, c1));
    const l = Number(line.slice(c1 + 1, c2));
    // Only IPv4 (≤ 2^32) rows go into the 32-bit tables.
    if (c1 < 0 || c2 < 0 || !Number.isInteger(f) || !Number.isInteger(l) || l > 0xffffffff) {
      if (/^\d{11,}/.test(line)) continue;
      throw new Error(`${source} line ${lineNo}: expected "first,last,value" with integer IPv4 bounds, got "${line.slice(0, 80)}"`);
    }
    const v = value([line.slice(0, c1), line.slice(c1 + 1, c2), c3 < 0 ? line.slice(c2 + 1) : line.slice(c2 + 1, c3)]);
    rows.push({ f, l, v });
    if (c3 >= 0) extra.set(v, unquote(line.slice(c3 + 1)));
  }
  rows.sort((a, b) => a.f - b.f);
  return {
    first: Uint32Array.from(rows, (r) => r.f),
    last: Uint32Array.from(rows, (r) => r.l),
    values: rows.map((r) => r.v),
    extra,
  };
}

const unquote = (s: string): string => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
