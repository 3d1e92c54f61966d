import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerPhish } from './phish.js';

const dir = mkdtempSync(join(tmpdir(), 'kg-phish-'));
const fixtures = new URL('../../phishing/fixtures/', import.meta.url);

/** Run `kabuguard phish …` in-process; returns stdout lines and stderr text. */
async function run(...args: string[]): Promise<{ out: string[]; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const program = new Command().exitOverride();
    registerPhish(program);
    await program.parseAsync(['node', 'kabuguard', 'phish', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { out: out.split('\n').filter(Boolean), err };
}

afterEach(() => vi.restoreAllMocks());

describe('kabuguard phish url', () => {
  it('prints one contract verdict line per URL, goes on after a bad line and counts it', async () => {
    const list = join(dir, 'urls.txt');
    writeFileSync(list, 'https://sbi-co-jp.qzkvtr.cn/ETGate\nnot a url\n# comment\nhttps://www.sbisec.co.jp/\n');
    const { out, err } = await run('url', '--file', list);
    const lines = out.map((l) => JSON.parse(l) as { url: string; verdict: string; brand: string | null; score: number; reasons: unknown[] });
    expect(lines.map((l) => l.verdict)).toEqual(['phishing', 'error', 'benign']);
    expect(Object.keys(lines[0]).slice(0, 5)).toEqual(['url', 'verdict', 'brand', 'score', 'reasons']);
    expect(err).toContain('3 URLs: 1 phishing, 0 suspicious, 1 benign, 1 error');
  });

  it('learns kits from a JPCERT/CC feed and then names the cluster of a brand-less URL, with takedown Markdown', async () => {
    const kits = join(dir, 'kits.json');
    const learned = await run('learn', new URL('feed-jpcert.csv', fixtures).pathname, '--memory', kits);
    expect(learned.err).toMatch(/learned 6 URLs \(1 rows skipped\)/);
    const md = join(dir, 'takedown.md');
    const { out } = await run('url', 'https://fresh-site.cn/QJSmxXOQ/', '--memory', kits, '--takedown', md);
    const v = JSON.parse(out[0]) as { verdict: string; brand: string; cluster_id: string };
    expect(v).toMatchObject({ verdict: 'phishing', brand: 'SBI証券', cluster_id: expect.stringMatching(/^kit-/) });
    expect(existsSync(md)).toBe(true);
    expect(readFileSync(md, 'utf8')).toContain(`Kit cluster ${v.cluster_id}`);
  });

  it('says how to create a missing memory file', async () => {
    await expect(run('url', 'https://a.example.cn/', '--memory', join(dir, 'none.json'))).rejects.toThrow(/phish learn/);
  });
});

describe('kabuguard phish page and email on bad input', () => {
  it('a binary file gets an error verdict line and the run goes on', async () => {
    const bin = new URL('binary.png', fixtures).pathname;
    const page = new URL('login-kit.html', fixtures).pathname;
    const { out, err } = await run('page', bin, page);
    expect(out.map((l) => JSON.parse(l).verdict)).toEqual(['error', 'phishing']);
    expect(err).toContain('1 error');
  });

  it('a truncated e-mail gets an error verdict line, the run goes on and counts it (offline DNS)', async () => {
    const { out, err } = await run('email', '--offline', new URL('truncated.eml', fixtures).pathname, new URL('newsletter.eml', fixtures).pathname);
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[0])).toMatchObject({ verdict: 'error', reasons: [{ code: 'TRUNCATED_EMAIL' }] });
    expect(JSON.parse(out[1]).verdict).not.toBe('error');
    expect(err).toMatch(/^2 e-mails: .*1 error/m);
  });

  it('a binary file given as an e-mail gets an error verdict line and the run goes on', async () => {
    const { out, err } = await run('email', '--offline', new URL('binary.png', fixtures).pathname, new URL('newsletter.eml', fixtures).pathname);
    expect(out.map((l) => JSON.parse(l).verdict)[0]).toBe('error');
    expect(out).toHaveLength(2);
    expect(err).toContain('1 error');
  });
});
