import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePhishingPage, skeletonDistance } from './analyzePhishingPage.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('analyzePhishingPage', () => {
  it('recognises a broker login kit: brand, credential fields, trading PIN, foreign form target, Telegram, Chinese traces', () => {
    const r = analyzePhishingPage(fixture('login-kit.html'), { pageUrl: 'https://sbi-co-jp.wkrtzq.top/ETGate/' });
    expect(r.verdict).toBe('phishing');
    expect(r.brand).toBe('SBI証券');
    expect(new Set(r.credential_fields.map((f) => f.kind))).toEqual(new Set(['login_id', 'password', 'trading_pin', 'mfa_code']));
    const codes = r.reasons.map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(['TRADING_PIN_REQUESTED', 'MFA_RELAY', 'TELEGRAM_EXFILTRATION', 'FOREIGN_FORM_TARGET', 'CHINESE_KIT_TRACES']));
    expect(r.chinese_traces.join(' ')).toMatch(/Han characters outside Japanese usage/);
  });

  it('does not take ordinary Japanese text for Chinese, nor a search box for a login', () => {
    const r = analyzePhishingPage(fixture('benign-news.html'));
    expect(r.verdict).toBe('benign');
    expect(r.chinese_traces).toEqual([]);
    expect(r.credential_fields).toEqual([]);
  });

  it('gives replicas of one kit nearby skeleton hashes and an unrelated page a distant one', () => {
    const kit = readFileSync(new URL('./fixtures/login-kit.html', import.meta.url), 'utf8');
    const a = analyzePhishingPage(kit).fingerprint.skeleton;
    const b = analyzePhishingPage(kit.replace('SBI証券 お客様ログイン', 'マネックス証券 ログイン').replace('<p>', '<p class="x">')).fingerprint.skeleton;
    const c = analyzePhishingPage(fixture('benign-news.html')).fingerprint.skeleton;
    expect(skeletonDistance(a, b)).toBeLessThanOrEqual(8);
    expect(skeletonDistance(a, c)).toBeGreaterThan(8);
  });
});

describe('malformed pages', () => {
  it('a binary file gets an error verdict with the reason', () => {
    const r = analyzePhishingPage(fixture('binary.png'));
    expect(r.verdict).toBe('error');
    expect(r.reasons[0].code).toBe('BINARY_INPUT');
  });

  it('an empty or broken page is analysed without throwing', () => {
    expect(analyzePhishingPage('').verdict).toBe('benign');
    expect(analyzePhishingPage('<form action="http://[bad"><input type=password').verdict).not.toBe('error');
  });
});

describe('clusterPageKits', () => {
  it('puts replicas of one kit together and an unrelated page apart', async () => {
    const { clusterPageKits } = await import('./clusterPageKits.js');
    const kit = readFileSync(new URL('./fixtures/login-kit.html', import.meta.url), 'utf8');
    const pages = [kit, kit.replace('SBI証券', 'マネックス証券').replace('<h1>', '<h1 class="t">'), readFileSync(new URL('./fixtures/benign-news.html', import.meta.url), 'utf8')];
    const ids = clusterPageKits(pages.map((p) => analyzePhishingPage(p).fingerprint));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^page-kit-[0-9a-f]{10}$/);
  });
});
