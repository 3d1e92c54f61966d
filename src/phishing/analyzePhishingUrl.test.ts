import { describe, expect, it } from 'vitest';
import { analyzePhishingUrl } from './analyzePhishingUrl.js';
import { KitMemory } from './KitMemory.js';
import { parsePhishUrl } from './parsePhishUrl.js';

const v = (u: string) => analyzePhishingUrl(u);

describe('analyzePhishingUrl on throwaway-domain patterns', () => {
  it.each([
    ['https://monex-co-jp.qzkvtr.cn/login', 'マネックス証券'],
    ['https://sbi.hermaue.com', 'SBI証券'],
    ['https://rakuten-sec-co.jp.ubfsrdscfdfc5.shop/jgjkdfjkgd', '楽天証券'],
    ['https://www.raketun-sec.ductdally.sbs/Login/', '楽天証券'],
    ['https://sec-rakouten003.com/', '楽天証券'],
    ['https://sbi-drelies07.com/', 'SBI証券'],
    ['https://moneix.oruontours.org/', 'マネックス証券'],
    ['https://neng2.com/www.sbisec.co.jp/ETGate/', 'SBI証券'],
    ['https://cwcp8.example-host.com/ITS/V_ACT_Login.html', '楽天証券'],
    ['https://mavishen.com/hauceo.html?sbisecjapan=login', 'SBI証券'],
    ['https://pwmashufwqd.top/latianzq/', '楽天証券'],
    ['https://daiwa-sec-login.top/', '大和証券'],
    ['https://matsui-jp.xyz/mgap/', '松井証券'],
  ])('%s is phishing imitating %s', (url, brand) => {
    const r = v(url);
    expect(r.verdict).toBe('phishing');
    expect(r.brand).toBe(brand);
    expect(r.reasons.length).toBeGreaterThan(0);
  });

  it('sees a broker name written with Cyrillic look-alike letters', () => {
    const r = v('https://mоnex-login.com/'); // the "о" is U+043E
    expect(r.verdict).toBe('phishing');
    expect(r.brand).toBe('マネックス証券');
    expect(r.reasons.map((x) => x.code)).toContain('CONFUSABLE_CHARACTERS');
  });

  it('sees ASCII look-alikes (0 for o, rn for m)', () => {
    expect(v('https://rnonex-login.top/').brand).toBe('マネックス証券');
    expect(v('https://n0mura-sec.com/').brand).toBe('野村證券');
  });

  it('treats a broker name on a free-hosting or dynamic-DNS name as the attacker\'s choice', () => {
    const r = v('https://monex-login.duckdns.org/');
    expect(r.verdict).toBe('phishing');
    expect(r.reasons.map((x) => x.code)).toContain('DYNAMIC_DNS');
  });
});

it('reads a short broker name in the path as the kit route on a throwaway host only', () => {
  const r = v('https://xqzvbnk.top/sbikq/');
  expect(r.verdict).not.toBe('benign');
  expect(r.brand).toBe('SBI証券');
  expect(v('https://www.example.com/sbikq/').verdict).toBe('benign');
});

describe('a lone random path token on a throwaway domain', () => {
  it('is suspicious without a brand, before the token is learned', () => {
    const r = v('https://qzkvtrx.top/QJSmxXOQ/');
    expect(r.verdict).toBe('suspicious');
    expect(r.brand).toBeNull();
    expect(r.reasons.map((x) => x.code)).toContain('RANDOM_PATH_TOKEN');
  });

  it.each([
    'https://qzkvtrx.top/AboutUs', // camel-cased words
    'https://qzkvtrx.top/qjsmxxoq', // one case only
    'https://holiday.top/QJSmxXOQ', // word-like registration: a popular site's share link
    'https://qzkvtrx.com/QJSmxXOQ', // ordinary suffix
    'https://qzkvtrx.top/QJSmxXOQ/page', // a deeper path
  ])('%s is not flagged by it', (url) => {
    expect(v(url).reasons.map((x) => x.code)).not.toContain('RANDOM_PATH_TOKEN');
  });
});

it('finds a bare-IP login host suspicious without naming a brand', () => {
  const r = v('https://47.238.159.31/#/');
  expect(r.verdict).toBe('suspicious');
  expect(r.brand).toBeNull();
});

describe('analyzePhishingUrl on the brokers\' real domains', () => {
  it.each([
    'https://www.sbisec.co.jp/ETGate',
    'https://www.rakuten-sec.co.jp/ITS/V_ACT_Login.html',
    'https://mst.monex.co.jp/pc/ITS/login/LoginIDPassword.jsp',
    'https://login.matsui.co.jp/mgap/',
    'https://s10.kabu.co.jp/_mem_bin/members/login.asp',
    'https://www.rakuten-bank.co.jp/',
    'https://www.mizuhobank.co.jp/',
    'https://www.daiwahouse.co.jp/',
    'https://hometrade.nomura.co.jp/web/rmfIndexWebAction.do',
  ])('%s is benign', (url) => {
    const r = v(url);
    expect(r.verdict).toBe('benign');
    expect(r.brand).toBeNull();
  });

  it.each(['https://www.money.com/', 'https://www.mitsui.com/', 'https://homesmart.com/', 'https://www.example.com/login'])(
    'ordinary look-alike words are not brands: %s',
    (url) => expect(v(url).verdict).toBe('benign'),
  );
});

describe('malformed URLs', () => {
  it.each([
    ['', 'empty URL'],
    ['http://', 'not a parsable URL'],
    ['javascript:alert(1)', 'not a parsable URL'],
    ['ftp://example.com/x', 'scheme ftp: is not http or https'],
    ['https://exa\u0000mple.com', 'control characters'],
    ['localhost/x', 'has no dot'],
  ])('%j gives an error verdict mentioning %s', (url, why) => {
    const r = v(url);
    expect(r.verdict).toBe('error');
    expect(r.error).toContain(why);
    expect(r.reasons[0].code).toBe('UNPARSABLE_URL');
  });
});

describe('kit memory', () => {
  const report = (url: string, brand: string, date: string) => ({ parts: parsePhishUrl(url), brand, date });
  const memory = new KitMemory();
  memory.learn([
    report('https://qzkvtr.cn/QJSmxXOQ/', 'SBI証券', '2025-04-23'),
    report('https://bwxpld.cn/QJSmxXOQ/', 'SBI証券', '2025-04-28'),
    report('https://holechezizahl.qcrxh9.com/', 'マネックス証券', '2025-04-01'),
    report('https://acjl.basiuoyqas.net/', 'マネックス証券', '2025-04-07'),
  ]);

  it('catches a brand-less URL that shares a learned path token, naming the cluster and the earlier URLs', () => {
    const plain = analyzePhishingUrl('https://newdomain.cn/QJSmxXOQ/');
    expect(plain.verdict).not.toBe('phishing');
    const r = analyzePhishingUrl('https://newdomain.cn/QJSmxXOQ/', { memory });
    expect(r.verdict).toBe('phishing');
    expect(r.brand).toBe('SBI証券');
    expect(r.cluster_id).toMatch(/^kit-[0-9a-f]{10}$/);
    expect(r.kit?.matched_urls).toEqual(['https://qzkvtr.cn/QJSmxXOQ/', 'https://bwxpld.cn/QJSmxXOQ/']);
  });

  it('catches a re-used subdomain word on a fresh random domain, and new hosts under a reported zone', () => {
    expect(analyzePhishingUrl('https://holechezizahl.zz81k.com/', { memory }).brand).toBe('マネックス証券');
    const z = analyzePhishingUrl('https://wxyz.basiuoyqas.net/', { memory });
    expect(z.verdict).toBe('phishing');
    expect(z.kit?.template).toBe('parent:basiuoyqas.net');
  });

  it('does not flag unrelated URLs, and survives a JSON round trip', () => {
    const copy = new KitMemory(JSON.parse(JSON.stringify(memory.toJSON())));
    expect(analyzePhishingUrl('https://www.example.org/about', { memory: copy }).verdict).toBe('benign');
    expect(analyzePhishingUrl('https://newdomain.cn/QJSmxXOQ/', { memory: copy }).cluster_id).toBeDefined();
  });

  it('names the brand a kit served most recently, and no brand when its recent reports disagree', () => {
    const m = new KitMemory();
    m.learn([
      report('https://aaqxwz.cn/ZXkitpath/', 'イオンカード', '2025-01-10'),
      report('https://bbqxwz.cn/ZXkitpath/', 'SBI証券', '2025-04-20'),
      report('https://ccqxwz.cn/ZXkitpath/', 'SBI証券', '2025-04-21'),
      report('https://ddqxwz.cn/YYsharedkit/', 'SBI証券', '2025-04-20'),
      report('https://eeqxwz.cn/YYsharedkit/', '松井証券', '2025-04-21'),
    ]);
    expect(analyzePhishingUrl('https://fresh.cn/ZXkitpath/', { memory: m }).brand).toBe('SBI証券');
    const shared = analyzePhishingUrl('https://fresh.cn/YYsharedkit/', { memory: m });
    expect(shared.verdict).toBe('phishing');
    expect(shared.brand).toBeNull();
    expect(shared.cluster_id).toBeDefined();
    expect(shared.brand_candidates?.map((c) => c.brand).sort()).toEqual(['SBI証券', '松井証券']);
    expect(shared.reasons.map((x) => x.code)).toContain('KIT_BRAND_UNCERTAIN');
  });

  it('does not let a broad host shape name the brand', () => {
    const m = new KitMemory();
    const words = ['tetrachloroeth', 'radiobroadcast', 'unenthusiastic', 'kaiserslautern', 'lexicostatisti', 'biotransformat', 'chemiluminesce', 'internationali', 'acquaintancesh', 'parliamentaria'];
    m.learn(words.map((w, i) => report(`https://${w}.q${i}x7z.com/`, 'マネックス証券', '2025-04-01')));
    const r = analyzePhishingUrl('https://hyperparathyroi.u0p8b.com/', { memory: m });
    expect(r.kit?.template).toMatch(/^shape:/);
    expect(r.brand).toBeNull();
    expect(r.brand_candidates).toEqual([{ brand: 'マネックス証券', share: 1 }]);
  });

  it('refuses a memory file of another version with a message saying what to do', () => {
    expect(() => new KitMemory({ version: 99, learned: 0, urls: [], sites: [], brands: [], dates: [], clusters: [], templates: {} })).toThrow(/re-run phish learn/);
  });
});
