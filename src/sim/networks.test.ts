import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ALL_NETWORKS, drawIp, drawIpInSame24, ipToNumber } from './networks.js';
import { Rng } from './Rng.js';

// The login detector maps IPs with this same npm database, so every range must be one of its rows.
const csvPath = createRequire(import.meta.url).resolve('@ip-location-db/asn/asn-ipv4.csv');
const rows = new Set(
  readFileSync(csvPath, 'utf8')
    .split('\n')
    .map((l) => l.split(',').slice(0, 3).join(',')),
);

describe('networks', () => {
  it('uses only ranges that the ASN database maps to the intended ASN', () => {
    const missing = ALL_NETWORKS.flatMap((n) => n.ranges.filter(([a, b]) => !rows.has(`${a},${b},${n.asn}`)).map(([a, b]) => `${n.key} ${a}-${b} AS${n.asn}`));
    expect(missing).toEqual([]);
  });

  it('draws host addresses inside the network and the same /24', () => {
    const rng = new Rng(1);
    for (const n of ALL_NETWORKS) {
      for (let i = 0; i < 20; i++) {
        const ip = drawIp(rng, n);
        const x = ipToNumber(ip);
        expect(n.ranges.some(([a, b]) => x >= ipToNumber(a) && x <= ipToNumber(b)), `${ip} in ${n.key}`).toBe(true);
        expect(ip.endsWith('.0') || ip.endsWith('.255')).toBe(false);
        expect(drawIpInSame24(rng, ip).split('.').slice(0, 3)).toEqual(ip.split('.').slice(0, 3));
      }
    }
  });
});
