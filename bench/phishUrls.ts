/**
 * URL analysis throughput on one core: `analyzePhishingUrl` (with and without a kit memory) against a
 * baseline of tldts parsing alone, on the same URLs in the same run.
 *
 *   node dist/bench/phishUrls.js --urls FILE [--memory-from FEED.csv …] [--repeat 8]
 * FILE: one URL per line, or a `rank,domain` CSV (each domain becomes https://DOMAIN/), or a
 * JPCERT/CC CSV (its URL column).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseTld } from 'tldts';
import { analyzePhishingUrl } from '../src/phishing/analyzePhishingUrl.js';
import { loadBrandCatalogue } from '../src/phishing/brandCatalogue.js';
import { KitMemory } from '../src/phishing/KitMemory.js';
import { parsePhishFeed } from '../src/phishing/parsePhishFeed.js';

const { values } = parseArgs({
  options: {
    urls: { type: 'string', multiple: true },
    'memory-from': { type: 'string', multiple: true },
    repeat: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.urls?.length) throw new Error('--urls FILE is required (URL per line, rank,domain CSV or JPCERT/CC CSV)');

const urls: string[] = [];
for (const f of values.urls) {
  for (const line of readFileSync(f, 'utf8').split(/\r?\n/)) {
    if (!line || line.startsWith('date,') || line === 'rank,domain') continue;
    const cols = line.split(',');
    if (/^\d+$/.test(cols[0]) && cols.length === 2) urls.push(`https://${cols[1]}/`);
    else if (/^\d{4}\/\d/.test(cols[0])) urls.push(cols.slice(1, -1).join(','));
    else urls.push(line.trim());
  }
}
const cat = loadBrandCatalogue();
let memory: KitMemory | undefined;
if (values['memory-from']?.length) {
  memory = new KitMemory();
  memory.learn(values['memory-from'].flatMap((f) => parsePhishFeed(readFileSync(f, 'utf8'), cat).rows.map((r) => ({ parts: r.parts, brand: r.brand, date: r.date }))));
}
const repeat = Number(values.repeat);

function rate(label: string, fn: (u: string) => unknown): { label: string; urlsPerS: number; usPerUrl: number } {
  for (const u of urls) fn(u); // warm-up: let the JIT optimise before timing
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    for (const u of urls) if (fn(u)) sink++;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < best) best = s;
  }
  if (sink < 0) console.log(sink);
  return { label, urlsPerS: Math.round(urls.length / best), usPerUrl: (best / urls.length) * 1e6 };
}

const results = [
  rate('baseline: tldts parse alone', (u) => parseTld(u, { allowPrivateDomains: true })),
  rate('analyzePhishingUrl (catalogue + lexical)', (u) => analyzePhishingUrl(u, { catalogue: cat })),
  ...(memory ? [rate(`analyzePhishingUrl + kit memory (${memory.size} templates)`, (u) => analyzePhishingUrl(u, { catalogue: cat, memory }))] : []),
];
if (values.json) console.log(JSON.stringify({ urls: urls.length, repeat, results }));
else {
  console.log(`${urls.length} URLs, best of ${repeat} runs, one core (node ${process.version})`);
  console.log('| what | URLs/s | µs/URL | × baseline time |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.label} | ${r.urlsPerS.toLocaleString('en')} | ${r.usPerUrl.toFixed(2)} | ${(results[0].urlsPerS / r.urlsPerS).toFixed(1)} |`);
}
