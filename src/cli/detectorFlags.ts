import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { KitMemoryFile } from '../phishing/KitMemory.js';
import type { DetectorOptions } from '../detect/index.js';
import { loadRestrictedSymbols } from '../detect/trading/loadRestrictedSymbols.js';
import { loadIpIntel } from '../intel/loadIpIntel.js';
import type { NetworkCategory } from '../intel/IpIntel.js';
import { loadPolicy } from '../policy/loadPolicy.js';
import { CliError } from './CliError.js';

export interface DetectorFlags {
  policy?: string;
  hostingList?: string[];
  vpnList?: string[];
  torList?: string[];
  restricted?: string;
  ipDb?: boolean;
  phishMemory?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The options every command that runs detectors shares (replay, serve, demo). */
export function addDetectorFlags(cmd: Command): Command {
  return cmd
    .option('--policy <file>', 'decision policy, JSON or YAML (default: the built-in JSDA/JFSA 2025 policy)')
    .option('--hosting-list <file>', 'datacenter/hosting networks: one CIDR or AS number per line, # comments (repeatable)', collect)
    .option('--vpn-list <file>', 'VPN networks, same format (repeatable)', collect)
    .option('--tor-list <file>', 'Tor exit addresses, same format (repeatable)', collect)
    .option('--restricted <file>', 'restricted symbols, one per line with an optional reason: buys are held')
    .option('--phish-memory <kits>', 'kit templates learned by `kabuguard phish learn`, for url_report events (and /v1/phish/urls)')
    .option('--no-ip-db', 'do not load the IP → ASN/country database (faster start, weaker login risk)');
}

/**
 * Load what the flags name into detector options. Each failure names the flag and the file, and
 * the policy loader names the bad field's path, so a broken configuration is refused at start.
 */
export function detectorOptionsFromFlags(f: DetectorFlags): DetectorOptions {
  const attempt = <T>(flag: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new CliError(`option ${flag}: ${(err as Error).message}`);
    }
  };
  const lists: { category: NetworkCategory; path: string }[] = [
    ...(f.hostingList ?? []).map((path) => ({ category: 'hosting' as const, path })),
    ...(f.vpnList ?? []).map((path) => ({ category: 'vpn' as const, path })),
    ...(f.torList ?? []).map((path) => ({ category: 'tor' as const, path })),
  ];
  const opts: DetectorOptions = { login: {}, trading: {} };
  if (f.policy) opts.login!.policy = attempt('--policy', () => loadPolicy(f.policy!));
  if (f.ipDb !== false || lists.length > 0) {
    const intel = attempt(lists.length ? '--hosting-list/--vpn-list/--tor-list' : '--ip-db', () => loadIpIntel({ networkLists: lists }));
    opts.login!.ipLookup = (ip) => intel.lookup(ip);
  }
  if (f.restricted) opts.trading!.restricted = attempt('--restricted', () => loadRestrictedSymbols(f.restricted!));
  if (f.phishMemory) {
    const memory = attempt('--phish-memory', () => {
      const kits = JSON.parse(readFileSync(f.phishMemory!, 'utf8')) as KitMemoryFile;
      if (!kits || typeof kits !== 'object' || !('templates' in kits)) throw new Error(`${f.phishMemory} is not a kit memory file from \`kabuguard phish learn\``);
      return kits;
    });
    opts.phishing = { url: { memory } };
  }
  return opts;
}
