/**
 * Pump surveillance measured on simulated worlds, with every detector (the pump call reads the
 * decisions our login and trading defence take on orders) through the same Pipeline and Engine as
 * `kabuguard replay`, so ordering and validation are identical; `--tape-only` runs the market
 * detectors alone (what a deployment without the account defence would see):
 *
 *   node dist/src/cli/main.js simulate --out /tmp/w11 --seed 11
 *   node dist/bench/evalMarket.js /tmp/w11 [/tmp/w12 …]
 *
 * For each world directory (events.ndjson + labels.json) it prints the contract §6 pump metrics
 * (episode precision/recall/F1, median delay from the labelled start, per variant), the benign
 * lookalikes on symbols that got a pump alert, the count of every market alert kind, and the
 * unmatched alerts and missed pumps so a miss can be read. Writes bench/results/evalMarket.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/engine/Engine.js';
import { Pipeline } from '../src/engine/Pipeline.js';
import type { Alert } from '../src/engine/types.js';
import { createDetectors } from '../src/detect/index.js';
import { createMarketDetectors } from '../src/detect/market/index.js';
import { readNdjsonLines } from '../src/events/readNdjsonLines.js';
import { computeMetrics } from '../src/eval/computeMetrics.js';
import { parseLabels } from '../src/eval/labels.js';

const SLACK_MS = 60 * 60_000;

async function evaluateWorld(dir: string) {
  const labels = parseLabels(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')));
  const alerts: Alert[] = [];
  const pipeline = new Pipeline(new Engine({ detectors: tapeOnly ? createMarketDetectors() : createDetectors() }), { alert: (a) => alerts.push(a) });
  for await (const batch of readNdjsonLines(join(dir, 'events.ndjson'))) {
    let n = batch.firstLine;
    for (const line of batch.lines) pipeline.ingestLine(line, n++);
  }
  pipeline.drain();
  const m = computeMetrics({ labels, alerts });
  const kinds: Record<string, number> = {};
  for (const a of alerts) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  const near = (a: Alert, p: { symbol: string; start: string; end: string }) =>
    a.symbol === p.symbol &&
    Date.parse(a.window?.start ?? a.ts) <= Date.parse(p.end) + SLACK_MS &&
    Date.parse(a.window?.end ?? a.ts) >= Date.parse(p.start) - SLACK_MS;
  const pumpAlerts = alerts.filter((a) => a.kind === 'pump_and_dump');
  const unmatched = pumpAlerts.filter((a) => !labels.pumps.some((p) => near(a, p)));
  const missed = labels.pumps.filter((p) => !pumpAlerts.some((a) => near(a, p)));
  const frenzyOnPumps = alerts.filter((a) => a.kind === 'market_frenzy' && labels.pumps.some((p) => near(a, p))).length;
  const brief = (a: Alert) => ({ ts: a.ts, symbol: a.symbol, window: a.window, data: a.data });
  return {
    dir,
    pumps: m.pumps,
    lookalikes: m.benign_lookalikes,
    kinds,
    frenzy_alerts_on_labelled_pumps: frenzyOnPumps,
    unmatched: unmatched.map(brief),
    missed: missed.map((p) => ({ ...p, alerts_on_symbol: alerts.filter((a) => a.symbol === p.symbol).map((a) => ({ kind: a.kind, ts: a.ts })) })),
    lookalike_symbol_alerts: labels.benign_lookalikes
      .filter((l) => l.symbol)
      .map((l) => ({ kind: l.kind, symbol: l.symbol, alerts: alerts.filter((a) => a.symbol === l.symbol).map((a) => ({ kind: a.kind, ts: a.ts })) })),
  };
}

const tapeOnly = process.argv.includes('--tape-only');
const dirs = process.argv.slice(2).filter((a) => a !== '--tape-only');
if (dirs.length === 0) {
  process.stderr.write('usage: node dist/bench/evalMarket.js [--tape-only] WORLD_DIR… (each with events.ndjson and labels.json)\n');
  process.exit(2);
}
const results = [];
for (const dir of dirs) results.push(await evaluateWorld(dir));

let tp = 0;
let fp = 0;
let found = 0;
let labelled = 0;
const delays: number[] = [];
const rows = ['| world | pumps | alerted episodes | precision | recall | F1 | median delay s | lookalikes alerted | alert kinds |', '|---|---:|---:|---:|---:|---:|---:|---:|---|'];
for (const r of results) {
  const p = r.pumps;
  labelled += p.labelled;
  found += Math.round(p.recall * p.labelled);
  tp += Math.round(p.precision * p.alerted_episodes);
  fp += p.alerted_episodes - Math.round(p.precision * p.alerted_episodes);
  if (p.delay_median_s !== null) delays.push(p.delay_median_s);
  rows.push(
    `| ${r.dir} | ${p.labelled} | ${p.alerted_episodes} | ${p.precision} | ${p.recall} | ${p.f1} | ${p.delay_median_s ?? '–'} | ${r.lookalikes.alerted}/${r.lookalikes.total} | ${Object.entries(r.kinds).map(([k, v]) => `${k} ${v}`).join(', ')} |`,
  );
}
const precision = tp + fp ? tp / (tp + fp) : 0;
const recall = labelled ? found / labelled : 0;
const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
rows.push(`| **pooled** | ${labelled} | ${tp + fp} | ${r4(precision)} | ${r4(recall)} | ${r4(f1)} | per-world medians ${delays.join(', ')} | | |`);
process.stdout.write(rows.join('\n') + '\n');
for (const r of results) {
  process.stdout.write(`\n${r.dir}: by variant ${JSON.stringify(r.pumps.by_variant)}\n`);
  for (const u of r.unmatched) process.stdout.write(`  unmatched pump alert ${JSON.stringify(u)}\n`);
  for (const m of r.missed) process.stdout.write(`  missed pump ${JSON.stringify(m)}\n`);
  for (const l of r.lookalike_symbol_alerts) process.stdout.write(`  lookalike ${JSON.stringify(l)}\n`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/evalMarket.json', JSON.stringify({ pooled: { precision, recall, f1, labelled }, results }, null, 2) + '\n');
