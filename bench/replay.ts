/**
 * Replay throughput of the full pipeline against the NDJSON parse rate alone (the baseline), both
 * measured in this run on the same file, each in a fresh child process so peak memory is its own.
 * Also: the tape alone (market_trade lines) parsed vs replayed — the issue-4 bound is ≤ 1.25×.
 *
 *   node dist/bench/replay.js [EVENTS.ndjson] [--workdir DIR]
 *
 * Default input: seed 5, 20,000 accounts, 10 days, simulated into DIR (default /tmp/kabuguard-bench),
 * where the tape extract is written too. Ratios are of CPU time (user + system of each child), which
 * other load on a shared machine stretches far less than wall time; wall time is reported beside.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNdjsonLines } from '../src/events/readNdjsonLines.js';
import { runReplay } from '../src/cli/runReplay.js';
import { writeResult } from './writeResult.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../src/cli/main.js');

interface ChildResult {
  mode: string;
  seconds: number;
  cpu_seconds: number;
  lines: number;
  max_rss_mb: number;
}

async function child(mode: string, file: string): Promise<ChildResult> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let lines = 0;
  if (mode === 'parse') {
    let sink = 0;
    for await (const b of readNdjsonLines(file)) {
      for (const l of b.lines) {
        const o = JSON.parse(l) as { id: string };
        sink += o.id.length;
      }
      lines += b.lines.length;
    }
    if (sink < 0) console.log(sink);
  } else {
    const r = await runReplay({ input: file, rejectsPath: '/dev/null' });
    lines = r.stats.lines;
  }
  const cpu = process.cpuUsage(cpu0);
  return { mode, seconds: (performance.now() - started) / 1000, cpu_seconds: (cpu.user + cpu.system) / 1e6, lines, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function runChild(mode: string, file: string): ChildResult {
  const out = execFileSync(process.execPath, ['--max-old-space-size=16384', fileURLToPath(import.meta.url), '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

async function extractTape(file: string, out: string): Promise<void> {
  const w = createWriteStream(out);
  for await (const b of readNdjsonLines(file)) {
    const keep = b.lines.filter((l) => l.includes('"market_trade"'));
    if (keep.length && !w.write(keep.join('\n') + '\n')) await new Promise<void>((r) => w.once('drain', () => r()));
  }
  await new Promise<void>((r) => w.end(() => r()));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    console.log(JSON.stringify(await child(process.argv[3], process.argv[4])));
    return;
  }
  const args = process.argv.slice(2);
  const w = args.indexOf('--workdir');
  const dir = w >= 0 ? args[w + 1] : '/tmp/kabuguard-bench';
  if (w >= 0) args.splice(w, 2);
  let file = args[0];
  mkdirSync(dir, { recursive: true });
  if (!file) {
    file = join(dir, 'world', 'events.ndjson');
    if (!existsSync(file)) {
      console.error('bench/replay: simulating seed 5, 20,000 accounts, 10 days …');
      execFileSync(process.execPath, [cli, 'simulate', '--out', join(dir, 'world'), '--seed', '5', '--accounts', '20000', '--days', '10'], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  const tape = join(dir, 'tape.ndjson');
  await extractTape(file, tape);
  const rows: Record<string, unknown>[] = [];
  for (const [name, f] of [['full stream', file], ['tape only', tape]] as const) {
    const parse = runChild('parse', f);
    const replay = runChild('replay', f);
    rows.push({
      input: name,
      mb: Math.round(statSync(f).size / 1e6),
      events: replay.lines,
      parse_events_per_cpu_s: Math.round(parse.lines / parse.cpu_seconds),
      replay_events_per_cpu_s: Math.round(replay.lines / replay.cpu_seconds),
      replay_cpu_over_parse: +(replay.cpu_seconds / parse.cpu_seconds).toFixed(2),
      replay_wall_over_parse: +(replay.seconds / parse.seconds).toFixed(2),
      parse_peak_rss_mb: parse.max_rss_mb,
      replay_peak_rss_mb: replay.max_rss_mb,
    });
  }
  writeResult('replay', { file, rows });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
