import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as dnsPromises } from 'node:dns';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { analyzePhishingUrl } from '../../phishing/analyzePhishingUrl.js';
import { analyzePhishingPage, type PageVerdict } from '../../phishing/analyzePhishingPage.js';
import { clusterPageKits } from '../../phishing/clusterPageKits.js';
import { analyzePhishingEmail } from '../../phishing/analyzePhishingEmail.js';
import { loadBrandCatalogue } from '../../phishing/brandCatalogue.js';
import { KitMemory, type KitMemoryFile, type KitReport } from '../../phishing/KitMemory.js';
import { parsePhishFeed } from '../../phishing/parsePhishFeed.js';
import { formatTakedownMarkdown } from '../../phishing/formatTakedownMarkdown.js';
import type { UrlVerdict, Verdict } from '../../phishing/types.js';

function loadMemory(path: string | undefined): KitMemory | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new CliError(`--memory: file not found: ${path} (create it with: kabuguard phish learn FEED.csv --memory ${path})`);
  let state: KitMemoryFile;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as KitMemoryFile;
  } catch (err) {
    throw new CliError(`--memory: ${path} is not a kit memory file (${(err as Error).message})`);
  }
  try {
    return new KitMemory(state);
  } catch (err) {
    throw new CliError(`--memory: ${(err as Error).message}`);
  }
}

/** Counts per verdict, printed to stderr so stdout stays pure NDJSON. */
function summarise(what: string, counts: Record<Verdict, number>): void {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  process.stderr.write(`${total} ${what}: ${counts.phishing} phishing, ${counts.suspicious} suspicious, ${counts.benign} benign, ${counts.error} error\n`);
}

function emptyCounts(): Record<Verdict, number> {
  return { phishing: 0, suspicious: 0, benign: 0, error: 0 };
}

async function* readUrlLines(file: string): AsyncGenerator<string> {
  if (file !== '-' && !existsSync(file)) throw new CliError(`--file: file not found: ${file}`);
  const input = file === '-' ? process.stdin : (await import('node:fs')).createReadStream(file, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    yield t;
  }
}

export function registerPhish(program: Command): void {
  const phish = program
    .command('phish')
    .description('phishing intelligence: analyse URLs, pages and e-mails; learn kit templates from labelled feeds');

  phish
    .command('url')
    .description('one NDJSON verdict per URL: {"url","verdict":"phishing|suspicious|benign","brand","score","reasons"} (+cluster_id when a learned kit matched)')
    .argument('[urls...]', 'URLs to analyse')
    .option('--file <file>', 'read URLs from a file, one per line (- for stdin; # comments)')
    .option('--memory <kits>', 'kit memory written by phish learn')
    .option('--takedown <file.md>', 'also write takedown evidence (Markdown, one section per cluster)')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard phish url https://sbi-co-jp.example.cn/ETGate
  kabuguard phish url --file reported.txt --memory kits.json --takedown takedown.md > verdicts.ndjson`,
    )
    .action(async (urls: string[], o: { file?: string; memory?: string; takedown?: string }) => {
      if (urls.length === 0 && !o.file) throw new CliError('give URLs as arguments or --file FILE (run with --help for examples)');
      const memory = loadMemory(o.memory);
      const counts = emptyCounts();
      const kept: UrlVerdict[] = [];
      const emit = (u: string) => {
        const v = analyzePhishingUrl(u, { memory });
        counts[v.verdict]++;
        if (o.takedown && v.verdict !== 'benign' && v.verdict !== 'error') kept.push(v);
        process.stdout.write(JSON.stringify(v) + '\n');
      };
      for (const u of urls) emit(u);
      if (o.file) for await (const u of readUrlLines(o.file)) emit(u);
      if (o.takedown) writeFileSync(o.takedown, formatTakedownMarkdown(kept, { generatedAt: new Date().toISOString() }));
      summarise('URLs', counts);
    });

  phish
    .command('learn')
    .description('learn kit templates from labelled feeds (JPCERT/CC CSV date,URL,description, or URL[,brand] lines) into KITS')
    .argument('<feeds...>', 'feed files')
    .requiredOption('--memory <kits>', 'kit memory file to write (extended when it exists)')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard phish learn phishurl-list/2025/*.csv --memory kits.json
  kabuguard phish url --file new.txt --memory kits.json`,
    )
    .action((feeds: string[], o: { memory: string }) => {
      const cat = loadBrandCatalogue();
      const memory = existsSync(o.memory) ? loadMemory(o.memory)! : new KitMemory();
      let rejects = 0;
      const reports: KitReport[] = [];
      for (const f of feeds) {
        if (!existsSync(f)) throw new CliError(`feed not found: ${f}`);
        const feed = parsePhishFeed(readFileSync(f, 'utf8'), cat);
        for (const r of feed.rejects) process.stderr.write(`${f}:${r.line}: skipped: ${r.reason}\n`);
        for (const r of feed.rows) reports.push({ parts: r.parts, brand: r.brand, date: r.date });
        rejects += feed.rejects.length;
      }
      // One learning pass: clusters are recomputed once, not once a file.
      memory.learn(reports);
      const rows = reports.length;
      writeFileSync(o.memory, JSON.stringify(memory.toJSON()));
      process.stderr.write(`learned ${rows} URLs (${rejects} rows skipped) → ${memory.size} templates in ${o.memory}\n`);
    });

  phish
    .command('page')
    .description('analyse saved HTML pages: brand cues, credential fields, form targets, Chinese kit traces, kit fingerprint (NDJSON)')
    .argument('<files...>', 'HTML files')
    .option('--url <url>', 'where the page was found (form targets are compared with it)')
    .action((files: string[], o: { url?: string }) => {
      const counts = emptyCounts();
      const cat = loadBrandCatalogue();
      const results: (PageVerdict | (Pick<PageVerdict, 'verdict' | 'brand' | 'score' | 'reasons' | 'error'> & { file: string }))[] = [];
      for (const f of files) {
        try {
          results.push({ file: f, ...analyzePhishingPage(readFileSync(f), { pageUrl: o.url, catalogue: cat }) });
        } catch (err) {
          const msg = `cannot read ${f}: ${(err as Error).message}`;
          results.push({ file: f, verdict: 'error', brand: null, score: 0, reasons: [{ code: 'UNREADABLE_FILE', detail: msg }], error: msg });
        }
      }
      // Pages analysed together are grouped into kits (similar DOM skeleton or a shared asset).
      const analysed = results.filter((r): r is PageVerdict => 'fingerprint' in r && r.verdict !== 'error');
      const kitIds = clusterPageKits(analysed.map((r) => r.fingerprint));
      const kitOf = new Map(analysed.map((r, i) => [r, kitIds[i]]));
      for (const r of results) {
        counts[r.verdict]++;
        const kit = kitOf.get(r as PageVerdict);
        process.stdout.write(JSON.stringify(kit ? { ...r, kit_id: kit } : r) + '\n');
      }
      summarise('pages', counts);
    });

  phish
    .command('email')
    .description('analyse .eml messages: SPF/DKIM/DMARC, lure cues, every link, the no-login-link rule (NDJSON)')
    .argument('<files...>', '.eml files')
    .option('--memory <kits>', 'kit memory for the links')
    .option('--ip <addr>', 'client IP of the sending MTA (default: from the first Received header)')
    .option('--offline', 'resolve no DNS: every lookup answers "not found" (SPF/DKIM then report none/neutral)')
    .action(async (files: string[], o: { memory?: string; ip?: string; offline?: boolean }) => {
      const memory = loadMemory(o.memory);
      const counts = emptyCounts();
      const cat = loadBrandCatalogue();
      const resolver = o.offline
        ? async () => {
            throw Object.assign(new Error('offline'), { code: 'ENOTFOUND' });
          }
        : (name: string, type: string) => dnsPromises.resolve(name, type) as Promise<string[] | string[][]>;
      for (const f of files) {
        let out;
        try {
          out = { file: f, ...(await analyzePhishingEmail(readFileSync(f), { resolver, ip: o.ip, memory, catalogue: cat })) };
        } catch (err) {
          const msg = `cannot analyse ${f}: ${(err as Error).message}`;
          out = { file: f, verdict: 'error' as const, brand: null, score: 0, reasons: [{ code: 'MALFORMED_EMAIL', detail: msg }], error: msg };
        }
        counts[out.verdict]++;
        process.stdout.write(JSON.stringify(out) + '\n');
      }
      summarise('e-mails', counts);
    });
}
