import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePhishingEmail } from './analyzePhishingEmail.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

// The DNS the tests see: the broker publishes SPF (only 192.0.2.1 sends for it), a DKIM key and a
// reject DMARC policy; the shop publishes SPF for its own server. Everything else does not exist.
const TXT: Record<string, string> = {
  'sbisec.co.jp': 'v=spf1 ip4:192.0.2.1 -all',
  'test._domainkey.sbisec.co.jp': fixture('dkim-test-key.txt').toString('utf8').trim(),
  '_dmarc.sbisec.co.jp': 'v=DMARC1; p=reject',
  'example-shop.jp': 'v=spf1 ip4:192.0.2.10 -all',
};
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && TXT[name]) return [[TXT[name]]];
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

describe('analyzePhishingEmail', () => {
  it('flags a broker-branded lure sent from an IP the broker\'s SPF does not allow, with a login link', async () => {
    const r = await analyzePhishingEmail(fixture('spf-fail.eml'), { resolver });
    expect(r.auth.spf).toBe('fail');
    expect(r.auth.dmarc).toBe('fail');
    expect(r.verdict).toBe('phishing');
    expect(r.brand).toBe('SBI証券');
    const codes = r.reasons.map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(['SPF_FAIL', 'DMARC_FAIL', 'LURE_CUES', 'PHISHING_LINK', 'LOGIN_LINK_IN_BROKER_MAIL']));
    expect(r.links[0]).toMatchObject({ url: 'https://sbi-co-jp.qzkvtr.cn/ETGate/', verdict: 'phishing', brand: 'SBI証券' });
  });

  it('reports a DKIM signature broken by an altered body', async () => {
    const r = await analyzePhishingEmail(fixture('dkim-fail.eml'), { resolver });
    expect(r.auth.dkim).toBe('fail');
    expect(r.reasons.map((x) => x.code)).toContain('DKIM_FAIL');
    expect(r.verdict).toBe('phishing');
  });

  it('leaves an ordinary newsletter that passes SPF alone', async () => {
    const r = await analyzePhishingEmail(fixture('newsletter.eml'), { resolver });
    expect(r.auth.spf).toBe('pass');
    expect(r.verdict).toBe('benign');
    expect(r.links.map((l) => l.verdict)).toEqual(['benign']);
  });
});

describe('malformed e-mails', () => {
  it.each([
    ['truncated.eml', 'TRUNCATED_EMAIL'],
    ['binary.png', 'BINARY_INPUT'],
  ])('%s gets an error verdict (%s)', async (name, code) => {
    const r = await analyzePhishingEmail(fixture(name), { resolver });
    expect(r.verdict).toBe('error');
    expect(r.reasons[0].code).toBe(code);
  });

  it('a file without a header block gets an error verdict', async () => {
    const r = await analyzePhishingEmail(Buffer.from('just some text without headers'), { resolver });
    expect(r.verdict).toBe('error');
    expect(r.error).toMatch(/truncated or not an e-mail/);
  });
});
