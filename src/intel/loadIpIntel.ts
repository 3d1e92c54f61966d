import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createIpIntel } from './createIpIntel.js';
import type { IpIntel, NetworkCategory } from './IpIntel.js';

export interface LoadIpIntelOptions {
  /**
   * User network lists, e.g. `[{ category: 'hosting', path: 'lists/datacenter.txt' }]`; format in
   * `parseNetworkList`. Default none: without them no address is flagged as hosting/VPN/Tor.
   */
  networkLists?: { category: NetworkCategory; path: string }[];
  /** Override the ASN table file. Default: `asn-ipv4-num.csv` of the installed `@ip-location-db/asn`. */
  asnCsvPath?: string;
  /** Override the country table file. Default: `asn-country-ipv4-num.csv` of `@ip-location-db/asn-country`. */
  countryCsvPath?: string;
}

/**
 * Read the IP databases shipped inside npm packages (no download at run time) and the operator's
 * network lists, and build the lookup. Takes about a second for the full tables; do it once at start.
 */
export function loadIpIntel(opts: LoadIpIntelOptions = {}): IpIntel {
  const require = createRequire(import.meta.url);
  const pkgFile = (pkg: string, file: string): string => {
    try {
      return join(dirname(require.resolve(`${pkg}/package.json`)), file);
    } catch {
      throw new Error(`the IP database package ${pkg} is not installed; run npm install (it is a dependency of kabuguard)`);
    }
  };
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
    }
  };
  return createIpIntel({
    asnCsv: read(opts.asnCsvPath ?? pkgFile('@ip-location-db/asn', 'asn-ipv4-num.csv'), 'ASN table'),
    countryCsv: read(opts.countryCsvPath ?? pkgFile('@ip-location-db/asn-country', 'asn-country-ipv4-num.csv'), 'country table'),
    networkLists: (opts.networkLists ?? []).map((l) => ({ category: l.category, text: read(l.path, `${l.category} list`), source: l.path })),
  });
}
