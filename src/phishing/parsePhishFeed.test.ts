import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBrandCatalogue } from './brandCatalogue.js';
import { parsePhishFeed } from './parsePhishFeed.js';

const cat = loadBrandCatalogue();
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parsePhishFeed', () => {
  it('reads the JPCERT/CC CSV: Japan-time dates, catalogue brand names, other brands kept as given', () => {
    const feed = parsePhishFeed(fixture('feed-jpcert.csv'), cat);
    expect(feed.format).toBe('jpcert');
    expect(feed.rows).toHaveLength(6);
    expect(feed.rows[0]).toMatchObject({ brand: 'SBI証券', date: '2025-03-10T11:00:00+09:00', url: 'https://qzkvtr.cn/QJSmxXOQ/' });
    expect(feed.rows[5].brand).toBe('ヤマト運輸');
  });

  it('reads a plain URL list with a brand column separated by space, tab or comma', () => {
    const feed = parsePhishFeed(fixture('feed-list.txt'), cat);
    expect(feed.format).toBe('list');
    expect(feed.rows.map((r) => r.brand)).toEqual(['楽天証券', '楽天証券', 'SBI証券']);
  });
});

describe('malformed feeds', () => {
  it('skips a row whose URL does not parse, naming the line, and goes on', () => {
    const feed = parsePhishFeed(fixture('feed-jpcert.csv'), cat);
    expect(feed.rejects).toEqual([expect.objectContaining({ line: 8, reason: expect.stringContaining('not a parsable URL') })]);
  });

  it('rejects a binary file as a whole with the reason', () => {
    const feed = parsePhishFeed('\u0000\u0001PK', cat);
    expect(feed.rows).toEqual([]);
    expect(feed.rejects[0].reason).toMatch(/binary/);
  });

  it('reports a bad date in a JPCERT row', () => {
    const feed = parsePhishFeed('date,URL,description\nyesterday,https://a.example.cn/,SBI証券\n', cat);
    expect(feed.rejects[0]).toMatchObject({ line: 2, reason: expect.stringContaining('YYYY/MM/DD') });
  });
});
