/**
 * Host lists (data/phishing/hosts.json): suspicious TLDs, free-hosting and dynamic-DNS zones, URL
 * shorteners. Matching is by suffix on whole labels, so `x.duckdns.org` is in `duckdns.org`.
 */
import hostsJson from '../../data/phishing/hosts.json' with { type: 'json' };

export interface HostLists {
  suspiciousTlds: Set<string>;
  freeHosting: Set<string>;
  dynamicDns: Set<string>;
  shorteners: Set<string>;
}

interface HostsFile {
  suspicious_tlds: string[];
  free_hosting: string[];
  dynamic_dns: string[];
  shorteners: string[];
}

export function loadHostLists(file: HostsFile = hostsJson as HostsFile): HostLists {
  return {
    suspiciousTlds: new Set(file.suspicious_tlds),
    freeHosting: new Set(file.free_hosting),
    dynamicDns: new Set(file.dynamic_dns),
    shorteners: new Set(file.shorteners),
  };
}

/** The longest suffix of `hostname` (whole labels, the host itself included) that is in `set`. */
export function findZone(set: Set<string>, hostname: string): string | undefined {
  let h = hostname;
  for (;;) {
    if (set.has(h)) return h;
    const dot = h.indexOf('.');
    if (dot < 0) return undefined;
    h = h.slice(dot + 1);
  }
}
