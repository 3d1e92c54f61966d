/**
 * The web console in a real browser (Debian's chromium through playwright-core; nothing downloaded):
 * the service on a temporary SQLite store, fed a small simulated brokerage under attack, and the
 * things a fraud desk relies on: alerts appear, an alert shows its evidence and what kabuguard
 * decided, a case is opened from it, worked to a victim loss and closed, with its audit trail.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectors } from '../src/detect/index.js';
import { Engine } from '../src/engine/Engine.js';
import { buildServer } from '../src/server/buildServer.js';
import { simulateWorld } from '../src/sim/simulateWorld.js';
import { SqliteStore } from '../src/store/SqliteStore.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'console-test-token-0123456789';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;
let events = 0;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's browser (apt-get install -y chromium); the test never downloads one`);
  dir = mkdtempSync(join(tmpdir(), 'kg-console-'));
  // Built from the current source into the temp dir, so the test never checks a stale dist/web.
  const web = join(dir, 'web');
  await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'error', build: { outDir: web, emptyOutDir: true } });

  app = await buildServer({
    store: new SqliteStore(join(dir, 'kg.db')),
    token: TOKEN,
    createEngine: () => new Engine({ detectors: createDetectors() }),
    logLevel: 'silent',
    processMetrics: false,
    maxEventLoopDelayMs: 0,
    consoleDir: web,
    phish: {},
  });
  // Two days of 200 customers: one phishing-funded pump campaign and a credential-spraying wave.
  const world = simulateWorld({ seed: 1, accounts: 200, days: 2 });
  const all = world.events!;
  for (let i = 0; i < all.length; i += 2000) {
    const res = await app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${TOKEN}` }, payload: all.slice(i, i + 2000) as object[] });
    expect(res.json().rejected).toBe(0);
  }
  events = all.length;
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(5000);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('web console', () => {
  it('asks for the API token, refuses a wrong one, then shows the overview of what was recorded', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.locator('.error').textContent()).toMatch(/invalid bearer token/);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Connect' }).click();
    const tile = page.locator('.tile', { hasText: 'Events recorded' });
    await expect.poll(() => tile.locator('.v').textContent()).toBe(events.toLocaleString('en-US'));
    expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(1);
  });

  it('lists alerts, filters them by kind, and shows an alert with its evidence and the decisions taken', async () => {
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect.poll(() => page.locator('table.alerts tbody tr').count()).toBeGreaterThan(0);
    await page.getByLabel('kind').selectOption('account_takeover');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table.alerts tbody tr td:nth-child(2)').allTextContents()).toSatisfy((kinds: string[]) => kinds.length > 0 && kinds.every((k) => k === 'account takeover'));
    await page.locator('table.alerts tbody tr').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/account takeover/);
    const rows = page.locator('table.evidence tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    // The evidence the page shows is the alert's, as the API records it.
    const alertId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const detail = await (await fetch(`${base}/v1/alerts/${alertId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(await rows.count()).toBe(detail.evidence.length);
    expect(await page.locator('table.evidence .badge').count()).toBe(detail.evidence.filter((e: { decision?: unknown }) => e.decision).length);
    expect(await page.locator('ul.reasons li').count()).toBe(detail.alert.reasons.length);
  });

  it('opens a case from the alert, works it to a recorded victim loss and closes it, with the audit trail', async () => {
    await page.getByLabel('acting as').fill('sato');
    await page.getByRole('button', { name: /^Open case on account/ }).click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^case_1\s*open$/);
    const status = () => page.locator('h1 .badge').textContent();
    await page.getByRole('button', { name: 'Start investigating' }).click();
    await expect.poll(status).toBe('investigating');
    await page.getByRole('button', { name: 'Confirm takeover / fraud' }).click();
    await expect.poll(status).toBe('confirmed');
    await page.getByLabel('loss in yen').fill('1200000');
    await page.getByLabel('fees in yen').fill('800');
    await page.getByRole('button', { name: 'Record loss' }).click();
    await expect.poll(() => page.locator('td.good').first().textContent()).toBe('¥600,800');
    await page.getByRole('button', { name: 'Close case' }).click();
    await expect.poll(status).toBe('closed');
    const trail = await page.locator('table.log tbody tr td:nth-child(4)').allTextContents();
    expect(trail).toEqual(['opened', 'status', 'status', 'loss recorded', 'status']);
    expect(await page.locator('table.log tbody tr td:nth-child(3)').allTextContents()).toEqual(['sato', 'sato', 'sato', 'sato', 'sato']);
    const stored = await (await fetch(`${base}/v1/cases/case_1`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(stored).toMatchObject({ status: 'closed', restitution: { [stored.accounts[0]]: { loss_jpy: 1_200_000, compensation_jpy: 600_800 } } });
    // The case list, by status tab.
    await page.locator('nav').getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByRole('button', { name: 'closed', exact: true }).click();
    await expect.poll(() => page.locator('table tbody tr td:first-child').allTextContents()).toEqual(['case_1']);
    await page.getByRole('button', { name: 'open', exact: true }).click();
    await expect.poll(() => page.locator('p.muted', { hasText: 'No case' }).textContent()).toBe('No case is open.');
  });

  it('shows the campaign with its hijacked accounts and the yen they moved or had held', async () => {
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    const first = page.locator('table tbody tr').first();
    await expect.poll(() => first.count()).toBe(1);
    await first.click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Campaign cmp_/);
    const campaignId = (await page.locator('h1').textContent())!.replace('Campaign ', '');
    const summary = await (await fetch(`${base}/v1/campaigns/${campaignId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(summary.hijacked_accounts.length).toBeGreaterThan(0);
    const tile = (k: string) => page.locator('.tile', { hasText: k }).locator('.v').textContent();
    expect(await tile('Yen moved')).toBe(`¥${summary.yen_moved.toLocaleString('en-US')}`);
    expect(await tile('Yen protected')).toBe(`¥${summary.yen_protected.toLocaleString('en-US')}`);
    expect(await page.locator('dd .chips').first().locator('.chip').count()).toBe(summary.hijacked_accounts.length);
  });

  it('checks a reported URL for brand protection, records it, and lists the phishing alert defanged', async () => {
    await page.getByRole('link', { name: 'Phishing', exact: true }).click();
    await page.getByLabel('URLs to check').fill('https://monex-co-jp.qzkvtr.cn/login\nhttps://www.monex.co.jp/');
    await page.getByRole('button', { name: 'Check' }).click();
    const verdicts = page.locator('table.verdicts tbody tr');
    await expect.poll(() => verdicts.count()).toBe(2);
    expect(await verdicts.nth(0).locator('code').textContent()).toBe('hxxps://monex-co-jp[.]qzkvtr[.]cn/login');
    expect(await verdicts.nth(0).locator('.badge').textContent()).toMatch(/phishing|suspicious/);
    expect(await verdicts.nth(1).locator('.badge').textContent()).toBe('benign');
    await page.getByRole('button', { name: 'Record as reports' }).click();
    const reported = page.locator('section', { hasText: 'Reported phishing URLs' }).locator('tbody tr');
    await expect.poll(() => reported.count()).toBe(1);
    expect(await reported.locator('code').textContent()).toBe('hxxps://monex-co-jp[.]qzkvtr[.]cn/login');
    expect(await reported.locator('td').nth(5).textContent()).toBe('console:sato');
    // Nothing on the page links to the phishing site.
    expect(await page.locator('a[href*="qzkvtr"]').count()).toBe(0);
    // Nor does the alert, where its URL and the site's registered domain are defanged too.
    await reported.first().click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/phishing url/);
    await expect.poll(() => page.locator('.facts').last().textContent()).toMatch(/qzkvtr\[\.\]cn/);
    expect(await page.locator('main').textContent()).not.toMatch(/qzkvtr\.cn/);
  });
  it('pages through every alert with Load more, each once, and lists the notifications of one customer', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const total = Object.values((await (await fetch(`${base}/v1/summary`, auth)).json()).alerts_by_kind as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(100);
    await page.goto(`${base}/#/alerts`);
    const rows = page.locator('table.alerts tbody tr');
    await expect.poll(() => rows.count()).toBe(100);
    const more = page.getByRole('button', { name: 'Load more' });
    while ((await rows.count()) < total) {
      const before = await rows.count();
      await more.click();
      await expect.poll(() => rows.count()).toBeGreaterThan(before);
    }
    await expect.poll(() => more.count()).toBe(0);
    const ids = await rows.locator('td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(new Set(ids).size).toBe(total);

    const { notifications } = await (await fetch(`${base}/v1/notifications?limit=1`, auth)).json();
    const account: string = notifications[0].account_id;
    const own = (await (await fetch(`${base}/v1/notifications?limit=1000&account_id=${account}`, auth)).json()).notifications.length;
    await page.getByRole('link', { name: 'Notifications', exact: true }).click();
    await page.getByLabel('account').fill(account);
    await page.getByRole('button', { name: 'Filter' }).click();
    const accounts = page.locator('table tbody tr td:nth-child(2)');
    await expect.poll(() => accounts.allTextContents()).toSatisfy((a: string[]) => a.length === own && a.every((x) => x === account));
  });
  it('takes the token from a #token= link and removes it from the address; a mangled link shows the token gate', async () => {
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${base}/#token=${encodeURIComponent(TOKEN)}`);
      await expect.poll(() => fresh.locator('h1').textContent()).toBe('Overview');
      expect(new URL(fresh.url()).hash).toBe('#/');
      const mangled = await browser.newPage();
      try {
        await mangled.goto(`${base}/#token=%E0%A4%A`);
        await expect.poll(() => mangled.getByLabel('API token').count()).toBe(1);
        expect(new URL(mangled.url()).hash).toBe('#/');
      } finally {
        await mangled.close();
      }
    } finally {
      await fresh.close();
    }
  });
});
