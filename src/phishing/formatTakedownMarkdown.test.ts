import { describe, expect, it } from 'vitest';
import { formatTakedownMarkdown } from './formatTakedownMarkdown.js';
import type { UrlVerdict } from './types.js';

const kitVerdict = (url: string, brand: string | null, candidates?: { brand: string; share: number }[]): UrlVerdict => ({
  url,
  verdict: 'phishing',
  brand,
  score: 0.9,
  reasons: [{ code: 'KIT_TEMPLATE', detail: 'path:qjsmxxoq seen on 3 reported domain(s)' }],
  cluster_id: 'kit-0123456789',
  kit: { cluster_id: 'kit-0123456789', template: 'path:qjsmxxoq', domains_seen: 3, matched_urls: ['https://qzkvtr.cn/QJSmxXOQ/'], brand },
  domain: new URL(url).hostname,
  ...(candidates ? { brand_candidates: candidates } : {}),
});

describe('formatTakedownMarkdown', () => {
  it('groups a kit cluster, defangs every URL and names the imitated brand', () => {
    const md = formatTakedownMarkdown([kitVerdict('https://aa.cn/QJSmxXOQ/', 'SBI証券'), kitVerdict('https://bb.cn/QJSmxXOQ/', 'SBI証券')], { generatedAt: '2025-06-01T00:00:00Z' });
    expect(md).toContain('## Kit cluster kit-0123456789');
    expect(md).toContain('- Imitated brand: SBI証券');
    expect(md).toContain('hxxps://aa[.]cn/QJSmxXOQ/');
    expect(md).not.toMatch(/https?:\/\/aa\.cn/);
  });

  it('when the URL names no brand, lists the brands the kit was reported for', () => {
    const md = formatTakedownMarkdown([kitVerdict('https://aa.cn/QJSmxXOQ/', null, [{ brand: 'SBI証券', share: 0.5 }, { brand: '松井証券', share: 0.5 }])], { generatedAt: '2025-06-01T00:00:00Z' });
    expect(md).toContain('- Imitated brand: not named in the URL; the kit was reported for SBI証券, 松井証券');
  });
});
