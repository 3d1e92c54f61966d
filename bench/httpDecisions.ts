/**
 * Decision latency over HTTP against the in-process engine, in the same run.
 *
 *   node dist/bench/httpDecisions.js [--rates 1000,5000,10000] [--duration 10] [--connections auto] [--accounts 2000]
 *
 * Starts `kabuguard serve` (the real CLI, SQLite store, auth on) in a child process on 127.0.0.1,
 * seeds it with accounts, an instrument and a login history per account, then drives
 * `POST /v1/decisions/login` and `/v1/decisions/order` with autocannon from this process at each fixed
 * rate for `--duration` seconds. Every request carries a new event id, so each one is decided,
 * applied and committed (no idempotent replays). autocannon corrects for coordinated omission at a
 * fixed rate: a request that waited for a slow one counts its wait. Its rate limit is a per-second
 * quota per connection, sent back to back at the top of each second, so every connection adds
 * queueing of its own;  `auto` uses one connection per 125 requests/s (4 to 64), enough for the rate
 * without inventing a queue the server did not cause.
 *
 * Baseline: the same events through `pipeline.processNow` in this process (no HTTP, no store),
 * timed per call, plus the engine's own `latency_us`; then the whole service in this process
 * through `app.inject` (no socket), one request at a time. `server_cpu_us_per_req` is the server
 * process's CPU time (its own process metrics) over the answered requests of a run: the capacity of
 * one core is about 1e6 / that figure, whatever else shares the machine. The load average is
 * printed because latency on a shared machine depends on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/Engine.js';
import { Pipeline } from '../src/engine/Pipeline.js';
import { createDetectors, type DetectorOptions } from '../src/detect/index.js';
import { detectorOptionsFromFlags } from '../src/cli/detectorFlags.js';
import { validateEvent } from '../src/events/validateEvent.js';
import { buildServer } from '../src/server/buildServer.js';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { writeResult } from './writeResult.js';

interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface CannonResult {
  latency: { p50: number; p99: number; max: number; average: number };
  requests: { average: number; total: number; sent: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const RATES = arg('rates', '1000,5000,10000').split(',').map(Number);
const DURATION_S = Number(arg('duration', '10'));
const CONNECTIONS = arg('connections', 'auto');
const connectionsFor = (rate: number): number => (CONNECTIONS === 'auto' ? Math.min(64, Math.max(4, Math.ceil(rate / 125))) : Number(CONNECTIONS));
const ACCOUNTS = Number(arg('accounts', '2000'));
const BASELINE_N = 20_000;
const TOKEN = 'bench-token-' + 'x'.repeat(24);

// Deterministic PRNG (mulberry32): the same population and requests every run.
let seed = 7;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const homeIp = (a: number): string => `153.${128 + (a % 100)}.${(a >> 7) % 256}.${1 + (a % 250)}`;

/** Event time advances 5 ms per event, so sessions stay fresh for the whole run. */
let clock = Date.parse('2025-04-07T00:00:00Z');
const ts = (): string => new Date((clock += 5)).toISOString();

function seedEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    { type: 'instrument', id: 'I-7992', ts: ts(), symbol: '7992.T', name: 'Sailor Pen', market: 'TSE-Standard', currency: 'JPY', issuer_country: 'JP', lot_size: 100 },
  ];
  for (let a = 0; a < ACCOUNTS; a++) {
    out.push({ type: 'account', id: `acct-${a}`, ts: ts(), account_id: `K${a}`, opened_at: '2015-01-05T00:00:00Z', birth_year: 1950 + (a % 40), holdings: [{ symbol: '7992.T', qty: 1000 }], cash_jpy: 2_000_000 });
  }
  for (let round = 0; round < 3; round++) {
    for (let a = 0; a < ACCOUNTS; a++) out.push(loginEvent(`seed-${round}-${a}`, a, homeIp(a)));
    out.push({ type: 'market_trade', id: `mt-${round}`, ts: ts(), symbol: '7992.T', price: 105, qty: 1000, aggressor: 'buy' });
  }
  return out;
}

function loginEvent(id: string, a: number, ip: string): Record<string, unknown> {
  return {
    type: 'login', id, ts: ts(), account_id: `K${a}`, login_id_fp: `fp${a}`, ip, user_agent: UA, device_id: `dev${a}`,
    channel: 'web', outcome: 'success', mfa: 'totp', session_id: `S-${id}`,
  };
}

let detectorOpts: DetectorOptions | undefined;
/** What `kabuguard serve` runs with no detector flags (the IP database included), loaded once. */
const detectorOptions = (): DetectorOptions => (detectorOpts ??= detectorOptionsFromFlags({}));

let seq = 0;
/** 95 % of logins from the customer's home network, 5 % from an unseen one. */
function nextLogin(): Record<string, unknown> {
  const a = Math.floor(rnd() * ACCOUNTS);
  const ip = rnd() < 0.95 ? homeIp(a) : `45.${Math.floor(rnd() * 250)}.${Math.floor(rnd() * 250)}.${1 + Math.floor(rnd() * 250)}`;
  return loginEvent(`L-${seq++}`, a, ip);
}

/** Orders in the sessions the seed logins opened: small limit buys and sells of one issue. */
function nextOrder(): Record<string, unknown> {
  const a = Math.floor(rnd() * ACCOUNTS);
  const side = rnd() < 0.5 ? 'buy' : 'sell';
  return {
    type: 'order', id: `O-${seq++}`, ts: ts(), order_id: `ord-${seq}`, account_id: `K${a}`, session_id: `S-seed-2-${a}`, ip: homeIp(a), user_agent: UA,
    channel: 'web', symbol: '7992.T', side, qty: 100 * (1 + Math.floor(rnd() * 3)), order_type: 'limit', limit_price: side === 'buy' ? 104 : 106, action: 'new',
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** In-process baseline: the same kind of events, straight into `processNow`. */
function baseline(kind: 'login' | 'order'): { call_us: number[]; engine_us: number[] } {
  const pipeline = new Pipeline(new Engine({ detectors: createDetectors(detectorOptions()) }), {});
  for (const ev of seedEvents()) {
    const v = validateEvent(ev);
    if (!v.ok) throw new Error(`seed event rejected: ${v.reason}`);
    pipeline.processNow(v.event, v.t);
  }
  const call_us: number[] = [];
  const engine_us: number[] = [];
  for (let i = 0; i < BASELINE_N; i++) {
    const v = validateEvent(kind === 'login' ? nextLogin() : nextOrder());
    if (!v.ok) throw new Error(v.reason);
    const t0 = performance.now();
    const res = pipeline.processNow(v.event, v.t);
    const dt = (performance.now() - t0) * 1000;
    // The first quarter warms the JIT; only the rest is kept.
    if (i >= BASELINE_N / 4) {
      call_us.push(dt);
      engine_us.push(res.decision!.latency_us);
    }
  }
  return { call_us, engine_us };
}

/**
 * The whole service in this process through `app.inject` (routing, auth, validation, engine,
 * SQLite commit; no socket), one request at a time: what HTTP adds before the network.
 */
async function injected(kind: 'login' | 'order', db: string): Promise<Record<string, unknown>> {
  const app = await buildServer({
    store: new SqliteStore(db),
    token: TOKEN,
    logLevel: 'silent',
    processMetrics: false,
    createEngine: () => new Engine({ detectors: createDetectors(detectorOptions()) }),
  });
  try {
    const seedBody = seedEvents();
    for (let k = 0; k < seedBody.length; k += 2000) {
      const res = await app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: seedBody.slice(k, k + 2000) });
      if (res.statusCode !== 200 || res.json().rejected) throw new Error(`seeding failed: ${res.body.slice(0, 500)}`);
    }
    const ms: number[] = [];
    const n = BASELINE_N / 4;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const payload = kind === 'login' ? nextLogin() : nextOrder();
      const t0 = performance.now();
      const res = await app.inject({ method: 'POST', url: `/v1/decisions/${kind}`, headers: auth, payload });
      ms.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`inject answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    }
    const cpu = process.cpuUsage(cpu0);
    const kept = ms.slice(n / 4);
    return {
      path: `in-process app.inject, sequential (${kind})`,
      target_rps: '-',
      achieved_rps: Math.round(n / (ms.reduce((a, b) => a + b, 0) / 1000)),
      p50_ms: pct(kept, 50).toFixed(3),
      p99_ms: pct(kept, 99).toFixed(3),
      max_ms: Math.max(...kept).toFixed(3),
      errors_non2xx: 0,
      engine_p50_us: '',
      engine_p99_us: '',
      server_cpu_us_per_req: Math.round((cpu.user + cpu.system) / n),
    };
  } finally {
    await app.close();
  }
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const cli = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../src/cli/main.js');
  writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', join(dir, 'bench.db'), '--token-file', join(dir, 'token'), '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  const url = await new Promise<string>((res, rej) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`kabuguard serve exited with ${code}: ${err}`)));
  });
  child.stderr!.pipe(process.stderr);
  return { child, url };
}

/** CPU time (user + system) the server process has used, from its own /metrics. */
async function serverCpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(url + '/metrics', { headers: auth })).text();
  let s = 0;
  for (const m of text.matchAll(/^kabuguard_process_cpu_(?:user|system)_seconds_total (\S+)$/gm)) s += Number(m[1]);
  return s;
}

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-bench-http-'));
  const rows: Record<string, unknown>[] = [];
  const raw: Record<string, unknown>[] = [];
  const load_before = loadavg()[0]!;

  for (const kind of ['login', 'order'] as const) {
    seq = 0;
    clock = Date.parse('2025-04-07T00:00:00Z');
    const b = baseline(kind);
    const row = {
      path: `in-process processNow (${kind})`,
      target_rps: '-',
      achieved_rps: '-',
      p50_ms: (pct(b.call_us, 50) / 1000).toFixed(3),
      p99_ms: (pct(b.call_us, 99) / 1000).toFixed(3),
      max_ms: (Math.max(...b.call_us) / 1000).toFixed(3),
      errors_non2xx: 0,
      engine_p50_us: pct(b.engine_us, 50),
      engine_p99_us: pct(b.engine_us, 99),
      server_cpu_us_per_req: '',
    };
    rows.push(row);
    raw.push({ kind, baseline: true, samples: b.call_us.length, ...row });
  }

  for (const kind of ['login', 'order'] as const) {
    seq = 0;
    clock = Date.parse('2025-04-07T00:00:00Z');
    const row = await injected(kind, join(dir, `inject-${kind}.db`));
    rows.push(row);
    raw.push({ kind, injected: true, ...row });
  }

  seq = 0;
  clock = Date.parse('2025-04-07T00:00:00Z');
  const { child, url } = await startServer(dir);
  try {
    const seedBody = seedEvents();
    for (let k = 0; k < seedBody.length; k += 2000) {
      const res = await fetch(url + '/v1/events', { method: 'POST', headers: auth, body: JSON.stringify(seedBody.slice(k, k + 2000)) });
      const body = (await res.json()) as { rejected?: number; errors?: unknown[] };
      if (res.status !== 200 || body.rejected) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
    }
    for (const kind of ['login', 'order'] as const) {
      for (const rate of RATES) {
        const cpuBefore = await serverCpuSeconds(url);
        const r = await autocannon({
          url,
          connections: connectionsFor(rate),
          duration: DURATION_S,
          overallRate: rate,
          requests: [
            {
              method: 'POST',
              path: `/v1/decisions/${kind}`,
              headers: auth,
              setupRequest: (req: CannonRequest) => ({ ...req, body: JSON.stringify(kind === 'login' ? nextLogin() : nextOrder()) }),
            },
          ],
        });
        const cpuUs = ((await serverCpuSeconds(url)) - cpuBefore) * 1e6;
        const row = {
          path: `HTTP POST /v1/decisions/${kind}`,
          target_rps: rate,
          connections: connectionsFor(rate),
          achieved_rps: Math.round(r['2xx'] / r.duration),
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          max_ms: r.latency.max,
          errors_non2xx: r.errors + r.timeouts + r.non2xx,
          engine_p50_us: '',
          engine_p99_us: '',
          server_cpu_us_per_req: Math.round(cpuUs / Math.max(1, r['2xx'])),
        };
        rows.push(row);
        raw.push({ kind, rate, duration_s: r.duration, sent: r.requests.sent, ok: r['2xx'], errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, latency_ms: r.latency });
        // Let the server drain its commit queue before the next rate.
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
    const metrics = await (await fetch(url + '/metrics', { headers: auth })).text();
    const engineLine = (type: string) => metrics.split('\n').filter((l) => l.startsWith(`kabuguard_engine_decision_seconds_count{type="${type}"}`));
    raw.push({ server_engine_decision_counts: [...engineLine('login'), ...engineLine('order')] });
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    rmSync(dir, { recursive: true, force: true });
  }
  writeResult('httpDecisions', {
    rows,
    settings: { rates: RATES, duration_s: DURATION_S, connections: CONNECTIONS, accounts: ACCOUNTS, baseline_decisions: BASELINE_N * 0.75, load_avg_before: load_before, load_avg_after: loadavg()[0] },
    raw,
  });
  console.log(`load average (1 min) before ${load_before.toFixed(1)}, after ${loadavg()[0]!.toFixed(1)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
