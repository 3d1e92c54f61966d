/**
 * Market surveillance throughput on pre-parsed tape trades (issue 4 target: ≥ 2M trades/s per core).
 *
 *   npx tsc -p . && node --expose-gc dist/bench/market.js [--symbols 3000] [--days 5] [--runs 3]
 *
 * Generates a deterministic tape (thin, mid and large names, a few pumps), then times, in the same
 * process: a baseline loop that only reads the fields a detector reads, each market detector alone,
 * all market detectors together, and the full engine step (world state + market detectors).
 * Prints a markdown table and writes bench/results/market.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Engine } from '../src/engine/Engine.js';
import type { AlertDraft, Detector, ObserveContext } from '../src/engine/types.js';
import { WorldState } from '../src/engine/WorldState.js';
import { createMarketDetectors } from '../src/detect/market/index.js';
import { generateTape, type TapeEpisode, type TapeSymbol } from '../src/detect/market/generateTape.js';
import { TapeSurveillance } from '../src/detect/market/TapeSurveillance.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number, got "${process.argv[i + 1]}"`);
  return v;
}

const nSymbols = arg('symbols', 3000);
const days = arg('days', 5);
const runs = arg('runs', 3);
const gc = (globalThis as { gc?: () => void }).gc;

// Thin names dominate the count; a few liquid names dominate the prints, as on a real tape.
const symbols: TapeSymbol[] = [];
for (let i = 0; i < nSymbols; i++) {
  const kind = i % 10;
  if (kind < 6) symbols.push({ symbol: `${1000 + i}.T`, price: 80 + (i % 120), dailyVolume: 1_000 + (i % 20) * 1_000, dailyTrades: 10 + (i % 40) });
  else if (kind < 9) symbols.push({ symbol: `${1000 + i}.T`, price: 500 + (i % 2000), dailyVolume: 200_000, dailyTrades: 300 });
  else symbols.push({ symbol: `${1000 + i}.T`, price: 2_000 + (i % 1000), dailyVolume: 3_000_000, dailyTrades: 1_500 });
}
const episodes: TapeEpisode[] = [];
for (let i = 0; i < nSymbols; i += 97) {
  episodes.push({ symbol: symbols[i].symbol, kind: 'pump', day: days - 1, startMinute: 30 + (i % 100), minutes: 120, volumeMultiple: 150, peakChange: 0.35 });
}

const genStart = performance.now();
const { trades } = generateTape({ seed: 42, days, symbols, episodes });
const genSeconds = (performance.now() - genStart) / 1000;
const evs = trades.map((x) => x.ev);
const ts = Float64Array.from(trades, (x) => x.t);
const n = evs.length;
trades.length = 0;

function settle(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

let sink = 0;
/** Reads what the detectors read, so the difference is the detectors' own work. */
function baseline(): Measured {
  return measure(() => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const ev = evs[i];
      acc += ev.price * ev.qty + ev.symbol.length + (ev.aggressor === 'buy' ? 1 : 0) + ts[i] + ev.id.length + ev.ts.length;
    }
    sink += acc;
    return undefined;
  });
}

interface Measured {
  cpu: number;
  wall: number;
  alerts?: number;
  stateBytes?: number;
}

/** Times only `loop`; the heap is settled before and measured after, outside the timing. */
function measure(loop: () => number | undefined): Measured {
  const before = settle();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const alerts = loop();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall, alerts, stateBytes: alerts === undefined ? undefined : settle() - before };
}

function observeAll(make: () => Detector[]): Measured {
  const detectors = make();
  const world = new WorldState();
  let alerts = 0;
  const ctx: ObserveContext = {
    t: 0,
    world,
    raise(_a: AlertDraft) {
      alerts++;
    },
    notify() {},
  };
  const mutable = ctx as { t: number };
  const obs = detectors.map((d) => d.observe!.bind(d));
  const k = obs.length;
  return measure(() => {
    for (let i = 0; i < n; i++) {
      mutable.t = ts[i];
      const ev = evs[i];
      for (let j = 0; j < k; j++) obs[j](ev, ctx);
    }
    for (const d of detectors) d.finish?.(ctx);
    return alerts;
  });
}

function engineAll(): Measured {
  const engine = new Engine({ detectors: createMarketDetectors() });
  return measure(() => {
    let alerts = 0;
    for (let i = 0; i < n; i++) alerts += engine.process(evs[i], ts[i]).alerts.length;
    return alerts + engine.finish(ts[n - 1]).alerts.length;
  });
}

interface Row {
  name: string;
  /** From CPU time of this process (user + system): what one core does, whatever else runs on the machine. */
  trades_per_cpu_s: number;
  ns_per_trade: number;
  /** From wall time, which a loaded machine stretches. */
  trades_per_wall_s: number;
  alerts: number | null;
  state_mb: number | null;
}

function time(name: string, fn: () => Measured): Row {
  const all: Measured[] = [];
  for (let r = 0; r < runs; r++) all.push(fn());
  const best = Math.min(...all.map((m) => m.cpu));
  const last = all[all.length - 1];
  return {
    name,
    trades_per_cpu_s: Math.round(n / best),
    ns_per_trade: Math.round((best / n) * 1e9 * 10) / 10,
    trades_per_wall_s: Math.round(n / Math.min(...all.map((m) => m.wall))),
    alerts: last.alerts ?? null,
    state_mb: last.stateBytes === undefined ? null : Math.round((last.stateBytes / 1e6) * 10) / 10,
  };
}

const rows: Row[] = [
  time('baseline: read the fields', baseline),
  time('pump_and_dump alone', () => observeAll(() => [new TapeSurveillance({ ramping: false, markingClose: false })])),
  time('all market detectors (pump, ramping, marking the close, wash)', () => observeAll(createMarketDetectors)),
  time('Engine.process (world state + all market detectors)', engineAll),
];

const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
const fmt = (x: number) => x.toLocaleString('en-US');
const lines = [
  `Market surveillance on ${fmt(n)} pre-parsed trades (${fmt(nSymbols)} symbols × ${days} days, ${episodes.length} pumps), best of ${runs}, one core`,
  '',
  '| loop | trades/s (CPU time) | ns/trade (CPU) | trades/s (wall) | alerts | state MB |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${fmt(r.trades_per_cpu_s)} | ${r.ns_per_trade} | ${fmt(r.trades_per_wall_s)} | ${r.alerts ?? ''} | ${r.state_mb ?? ''} |`),
  '',
  `peak RSS ${peakRssMb} MB (includes the tape itself); tape generated in ${genSeconds.toFixed(1)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; ${gc ? '' : 'run with --expose-gc for state sizes; '}node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}`,
];
process.stdout.write(lines.join('\n') + '\n');
if (Number.isNaN(sink)) process.stdout.write('baseline checksum NaN\n');
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/market.json',
  JSON.stringify({ trades: n, symbols: nSymbols, days, pumps: episodes.length, runs, peak_rss_mb: peakRssMb, load_average: loadavg()[0], cores: cpus().length, node: process.version, cpu: cpus()[0]?.model, rows }, null, 2) + '\n',
);
