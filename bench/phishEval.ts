/**
 * Measure the phishing URL analysis on the JPCERT/CC feed (learn from the months up to --train-until,
 * test on the --test months, securities brands only) and its false positives on a popularity list.
 * Shared data is read only from the paths given; nothing here runs in the tests.
 *
 *   node dist/bench/phishEval.js --jpcert ../shared/data/jpcert-phishurl \
 *     --tranco ../shared/data/sublime/tranco_top_50k.csv [--train-until 202504] [--test 202505,202506] [--online] [--json]
 *
 * --online adds a third measurement: the memory also learns each test day's reports after that day is
 * scored (a feed consumed daily), so a URL is scored with everything reported before its day.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBrandCatalogue } from '../src/phishing/brandCatalogue.js';
import { analyzePhishingUrl } from '../src/phishing/analyzePhishingUrl.js';
import { KitMemory } from '../src/phishing/KitMemory.js';
import { parsePhishFeed, type FeedRow } from '../src/phishing/parsePhishFeed.js';
import type { UrlVerdict } from '../src/phishing/types.js';

const { values } = parseArgs({
  options: {
    jpcert: { type: 'string' },
    tranco: { type: 'string' },
    'train-until': { type: 'string', default: '202504' },
    test: { type: 'string', default: '202505,202506' },
    json: { type: 'boolean', default: false },
    'list-misses': { type: 'boolean', default: false },
    online: { type: 'boolean', default: false },
  },
});
if (!values.jpcert) throw new Error('--jpcert DIR (the JPCERT/CC phishurl-list folder, one YYYYMM.csv per month) is required');

const cat = loadBrandCatalogue();
const testMonths = values.test!.split(',').map((s) => s.trim());
const trainUntil = values['train-until']!;
const files = readdirSync(values.jpcert).filter((f) => /^\d{6}\.csv$/.test(f)).sort();
const train: FeedRow[] = [];
const test = new Map<string, FeedRow[]>();
let rejected = 0;
for (const f of files) {
  const month = f.slice(0, 6);
  const isTest = testMonths.includes(month);
  if (month > trainUntil && !isTest) continue;
  const feed = parsePhishFeed(readFileSync(join(values.jpcert, f), 'utf8'), cat);
  rejected += feed.rejects.length;
  if (isTest) test.set(month, feed.rows);
  else train.push(...feed.rows);
}

const t0 = performance.now();
const memory = new KitMemory();
memory.learn(train.map((r) => ({ parts: r.parts, brand: r.brand, date: r.date })));
const learnMs = performance.now() - t0;
const staticTemplates = memory.size;

const securities = (r: FeedRow) => r.brand !== null && /証券/.test(r.brand);
/**
 * named: caught with a brand; rightBrand: caught with the true brand; inCandidates: caught with brand null
 * and the true brand among `brand_candidates` (the analyst's short list).
 */
interface Tally { n: number; phishing: number; caught: number; named: number; rightBrand: number; inCandidates: number; kit: number }
const blank = (): Tally => ({ n: 0, phishing: 0, caught: 0, named: 0, rightBrand: 0, inCandidates: 0, kit: 0 });
const withMem = new Map<string, Tally>();
const noMem = new Map<string, Tally>();
const online = new Map<string, Tally>();
const misses: string[] = [];
const wrong: string[] = [];
function tally(map: Map<string, Tally>, key: string, v: UrlVerdict, truth: string): void {
  const t = map.get(key) ?? blank();
  map.set(key, t);
  t.n++;
  if (v.verdict === 'phishing') t.phishing++;
  if (v.verdict === 'phishing' || v.verdict === 'suspicious') {
    t.caught++;
    if (v.brand !== null) t.named++;
    if (v.brand === truth) t.rightBrand++;
    if (v.brand === null && v.brand_candidates?.some((c) => c.brand === truth)) t.inCandidates++;
    if (v.cluster_id) t.kit++;
  }
}
const scored: { month: string; row: FeedRow }[] = [];
for (const [month, rows] of test) {
  const seen = new Set<string>();
  for (const r of rows) {
    if (!securities(r) || seen.has(r.url)) continue;
    seen.add(r.url);
    scored.push({ month, row: r });
    const a = analyzePhishingUrl(r.url, { memory });
    const b = analyzePhishingUrl(r.url);
    for (const key of [`month ${month}`, `brand ${r.brand}`, 'all']) {
      tally(withMem, key, a, r.brand!);
      tally(noMem, key, b, r.brand!);
    }
    if (a.verdict === 'benign' || a.verdict === 'error') misses.push(`${month} ${r.brand} ${r.url}`);
    else if (a.brand !== r.brand) wrong.push(`${month} ${r.brand} → ${a.brand} ${r.url}`);
  }
}
/**
 * A stress case the root URLs cannot show: the same popular domain serving a lone random mixed-case path
 * (a share link, a short id), deterministic per domain.
 */
function randomPathOf(domain: string): string {
  const h = createHash('sha1').update(domain).digest();
  const abc = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let t = '';
  for (let i = 0; i < 8; i++) t += abc[h[i] % abc.length];
  return /[a-z]/.test(t) && /[A-Z]/.test(t) ? t : 'aB' + t.slice(2);
}
let fp: { n: number; flagged: string[]; phishing: number; ownFlagged: string[]; withRandomPath: number } | undefined;
let fpOnline: number | undefined;
if (values.tranco) {
  const flagged: string[] = [];
  let n = 0;
  let phishing = 0;
  let withRandomPath = 0;
  for (const line of readFileSync(values.tranco, 'utf8').split(/\r?\n/)) {
    const domain = line.split(',')[1]?.trim();
    if (!domain || domain === 'domain') continue;
    n++;
    const v = analyzePhishingUrl(`https://${domain}/`, { memory });
    if (v.verdict === 'phishing' || v.verdict === 'suspicious') {
      flagged.push(`${domain} ${v.verdict} ${v.brand ?? '-'} ${v.score} ${v.reasons.map((r) => r.code).join('+')} ${v.kit?.template ?? ''}`);
      if (v.verdict === 'phishing') phishing++;
    }
    const r = analyzePhishingUrl(`https://${domain}/${randomPathOf(domain)}`, { memory });
    if (r.verdict === 'phishing' || r.verdict === 'suspicious') withRandomPath++;
  }
  const ownFlagged: string[] = [];
  for (const b of cat.brands) {
    for (const d of [...b.domains, ...b.group_domains]) {
      for (const u of [`https://${d}/`, `https://www.${d}/`, `https://login.${d}/login`]) {
        const v = analyzePhishingUrl(u, { memory });
        if (v.verdict !== 'benign') ownFlagged.push(`${u} ${v.verdict}`);
      }
    }
  }
  fp = { n, flagged, phishing, ownFlagged, withRandomPath };
}

if (values.online) {
  // Day by day: score the day's securities URLs with the memory as it stands, then learn every report
  // of that day (all brands). The static memory object is reused: the static results are already taken.
  const allTest = [...test.values()].flat().sort((x, y) => x.date.localeCompare(y.date));
  const byDay = new Map<string, FeedRow[]>();
  for (const r of allTest) byDay.set(r.date.slice(0, 10), [...(byDay.get(r.date.slice(0, 10)) ?? []), r]);
  const toScore = new Map<string, { month: string; row: FeedRow }[]>();
  for (const x of scored) toScore.set(x.row.date.slice(0, 10), [...(toScore.get(x.row.date.slice(0, 10)) ?? []), x]);
  for (const [day, rows] of [...byDay].sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const { month, row } of toScore.get(day) ?? []) {
      const v = analyzePhishingUrl(row.url, { memory });
      for (const key of [`month ${month}`, `brand ${row.brand}`, 'all']) tally(online, key, v, row.brand!);
    }
    memory.learn(rows.map((r) => ({ parts: r.parts, brand: r.brand, date: r.date })));
  }
  if (values.tranco) {
    // False positives again, with the memory as it stands after the test months.
    fpOnline = 0;
    for (const line of readFileSync(values.tranco, 'utf8').split(/\r?\n/)) {
      const domain = line.split(',')[1]?.trim();
      if (!domain || domain === 'domain') continue;
      const v = analyzePhishingUrl(`https://${domain}/`, { memory });
      if (v.verdict === 'phishing' || v.verdict === 'suspicious') fpOnline++;
    }
  }
}

const pct = (a: number, b: number) => (b === 0 ? '-' : ((100 * a) / b).toFixed(1) + '%');
if (values.json) {
  console.log(JSON.stringify({ trainUntil, testMonths, trainRows: train.length, templates: staticTemplates, withMemory: Object.fromEntries(withMem), noMemory: Object.fromEntries(noMem), online: Object.fromEntries(online), fp, fpOnline }, null, 1));
} else {
  console.log(`learned ${train.length} reports (≤ ${trainUntil}, ${rejected} rejected rows) into ${staticTemplates} templates in ${learnMs.toFixed(0)} ms`);
  console.log(`test months ${testMonths.join(', ')}: securities-brand phishing URLs (distinct per month)\n`);
  const on = values.online;
  console.log(`| slice | URLs | caught (phishing+suspicious) | phishing | right brand of caught | brand named of caught | right of named | null brand, truth in candidates | via kit | caught, no learning | right brand, no learning |${on ? ' caught, daily learning | right brand, daily learning | right of named, daily learning |' : ''}`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${on ? '---:|---:|---:|' : ''}`);
  const keys = [...withMem.keys()].sort((a, b) => (a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b)));
  for (const k of keys) {
    const a = withMem.get(k)!;
    const b = noMem.get(k)!;
    const c = online.get(k);
    const tail = on && c ? ` ${pct(c.caught, c.n)} | ${pct(c.rightBrand, c.caught)} | ${pct(c.rightBrand, c.named)} |` : '';
    console.log(`| ${k} | ${a.n} | ${pct(a.caught, a.n)} | ${pct(a.phishing, a.n)} | ${pct(a.rightBrand, a.caught)} | ${pct(a.named, a.caught)} | ${pct(a.rightBrand, a.named)} | ${a.inCandidates} | ${a.kit} | ${pct(b.caught, b.n)} | ${pct(b.rightBrand, b.caught)} |${tail}`);
  }
  if (fp) {
    console.log(`\nfalse positives on ${fp.n} popular domains (https://DOMAIN/): ${fp.flagged.length} flagged (${fp.phishing} phishing), ${pct(fp.flagged.length, fp.n)}`);
    for (const f of fp.flagged) console.log('  ' + f);
    console.log(`the same domains with a random mixed-case path (https://DOMAIN/aB3kQz9x): ${fp.withRandomPath} flagged, ${pct(fp.withRandomPath, fp.n)}`);
    console.log(`brokers' own and group domains flagged: ${fp.ownFlagged.length}`);
    for (const f of fp.ownFlagged) console.log('  ' + f);
    if (fpOnline !== undefined) console.log(`popular domains flagged with the memory after daily learning through the test months: ${fpOnline}`);
  }
  if (values['list-misses']) {
    console.log(`\nmissed (${misses.length}):`);
    for (const m of misses) console.log('  ' + m);
    console.log(`\nwrong brand (${wrong.length}):`);
    for (const m of wrong) console.log('  ' + m);
  }
}
