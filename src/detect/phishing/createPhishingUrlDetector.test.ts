import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/Engine.js';
import type { KgEvent } from '../../events/schema.js';
import { KitMemory } from '../../phishing/KitMemory.js';
import { parsePhishUrl } from '../../phishing/parsePhishUrl.js';
import { createPhishingDetectors } from './index.js';

const report = (id: string, url: string): KgEvent => ({ type: 'url_report', id, ts: '2025-05-02T10:00:00.000+09:00', url, source: 'customer' }) as KgEvent;

describe('phishing_url detector', () => {
  it('raises one phishing_url alert per phishing URL, with brand and evidence, and none for the broker\'s own site', () => {
    const engine = new Engine({ detectors: createPhishingDetectors() });
    const t = Date.parse('2025-05-02T01:00:00Z');
    const a = engine.process(report('u1', 'https://monex-co-jp.qzkvtr.cn/login'), t).alerts;
    const again = engine.process(report('u2', 'https://monex-co-jp.qzkvtr.cn/login'), t + 1000).alerts;
    const own = engine.process(report('u3', 'https://www.monex.co.jp/'), t + 2000).alerts;
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'phishing_url', severity: expect.stringMatching(/high|critical/), event_ids: ['u1'], data: expect.objectContaining({ brand: 'マネックス証券' }) });
    expect(again).toEqual([]);
    expect(own).toEqual([]);
  });

  it('names the kit cluster when a learned template matches, and keeps its memory across snapshot/restore', () => {
    const memory = new KitMemory();
    memory.learn([{ parts: parsePhishUrl('https://qzkvtr.cn/QJSmxXOQ/'), brand: 'SBI証券', date: '2025-04-23' }, { parts: parsePhishUrl('https://bwxpld.cn/QJSmxXOQ/'), brand: 'SBI証券', date: '2025-04-24' }]);
    const e1 = new Engine({ detectors: createPhishingDetectors({ url: { memory: memory.toJSON() } }) });
    const t = Date.parse('2025-05-02T01:00:00Z');
    const [alert] = e1.process(report('u1', 'https://fresh.cn/QJSmxXOQ/'), t).alerts;
    expect(alert.data).toMatchObject({ brand: 'SBI証券', cluster_id: expect.stringMatching(/^kit-/) });
    const e2 = new Engine({ detectors: createPhishingDetectors({ url: { memory: memory.toJSON() } }) });
    e2.restore(structuredClone(e1.snapshot()));
    expect(e2.process(report('u2', 'https://fresh.cn/QJSmxXOQ/'), t + 1).alerts).toEqual([]);
  });

  it('gives the brand candidates, not a guessed brand, when the kit served several brokers', () => {
    const memory = new KitMemory();
    memory.learn([
      { parts: parsePhishUrl('https://qzkvtr.cn/QJSmxXOQ/'), brand: 'SBI証券', date: '2025-04-23' },
      { parts: parsePhishUrl('https://bwxpld.cn/QJSmxXOQ/'), brand: '松井証券', date: '2025-04-24' },
    ]);
    const engine = new Engine({ detectors: createPhishingDetectors({ url: { memory: memory.toJSON() } }) });
    const [alert] = engine.process(report('u1', 'https://fresh.cn/QJSmxXOQ/'), Date.parse('2025-05-02T01:00:00Z')).alerts;
    expect(alert.data).toMatchObject({ brand: null, cluster_id: expect.stringMatching(/^kit-/) });
    expect((alert.data as { brand_candidates: { brand: string }[] }).brand_candidates.map((c) => c.brand).sort()).toEqual(['SBI証券', '松井証券']);
  });

  it('ignores an unparsable reported URL without raising or throwing', () => {
    const engine = new Engine({ detectors: createPhishingDetectors() });
    expect(engine.process(report('u1', 'not a url'), 0).alerts).toEqual([]);
  });
});
