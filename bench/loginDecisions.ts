/**
 * In-process login decision latency with a large population of account state, and memory per
 * account of login history. Baseline measured in the same run: the same engine with no detectors
 * (validation-free `decide`: rule combination and bookkeeping only).
 *
 *   node dist/bench/loginDecisions.js [--accounts 1000000] [--history 6] [--decisions 200000]
 *
 * State is built by feeding each account `--history` ordinary successful logins through the real
 * detector (home network and device, with mobile-network logins mixed in), then `--decisions` logins
 * are decided: 70 % known customer, 15 % customer on a new mobile IP, 10 % new device on a new
 * network, 5 % failures from one stuffing IP.
 */
import { spawnSync } from 'node:child_process';
import { deserialize, getHeapStatistics, serialize, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../src/engine/Engine.js';
import type { LoginEvent } from '../src/events/schema.js';
import { LoginDefence } from '../src/detect/login/LoginDefence.js';
import { loadIpIntel } from '../src/intel/loadIpIntel.js';
import { intToIpv4, ipv4ToInt } from '../src/intel/parseIp.js';
import { writeResult } from './writeResult.js';

// A million accounts of state need more than the default heap of small machines: re-run with room.
if (getHeapStatistics().heap_size_limit < 7e9 && !process.env.KG_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, KG_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}
if (!(globalThis as { gc?: unknown }).gc) setFlagsFromString('--expose-gc');
const gc = ((globalThis as { gc?: () => void }).gc ?? runInNewContext('gc')) as () => void;

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ACCOUNTS = arg('accounts', 1_000_000);
const HISTORY = arg('history', 6);
const DECISIONS = arg('decisions', 200_000);

// Deterministic PRNG (mulberry32): the same state and the same requests every run.
let seed = 12345;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const inRange = (a: string, b: string): string => intToIpv4(ipv4ToInt(a) + Math.floor(rnd() * (ipv4ToInt(b) - ipv4ToInt(a))));
const HOME = [['153.128.0.0', '153.253.255.255'], ['111.96.0.0', '111.111.255.255'], ['60.64.0.0', '60.159.255.255']] as const;
const MOBILE = [['106.128.0.0', '106.191.255.255'], ['126.53.0.0', '126.95.255.255']] as const;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SH-51D) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
];

interface Habit {
  home: string;
  ua: string;
  dev: string;
}
const habits: Habit[] = [];

let n = 0;
const T0 = Date.parse('2025-03-01T00:00:00Z');
const ev = (t: number, account: number, o: Partial<LoginEvent>): LoginEvent =>
  ({
    type: 'login',
    id: `b${++n}`,
    ts: new Date(t).toISOString(),
    account_id: `A${account}`,
    login_id_fp: `F${account}`,
    ip: habits[account].home,
    user_agent: habits[account].ua,
    device_id: habits[account].dev,
    channel: 'web',
    outcome: 'success',
    mfa: 'sms',
    session_id: `s${n}`,
    ...o,
  }) as LoginEvent;

const intel = loadIpIntel();
const lookup = (ip: string) => intel.lookup(ip);
gc();
const heapBefore = process.memoryUsage().heapUsed;

const detector = new LoginDefence({ ipLookup: lookup });
const engine = new Engine({ detectors: [detector] });
const started = performance.now();
for (let a = 0; a < ACCOUNTS; a++) {
  const [lo, hi] = pick(HOME);
  habits.push({ home: inRange(lo, hi), ua: pick(UAS), dev: `d${a}` });
}
const habitBytes = (() => {
  gc();
  return process.memoryUsage().heapUsed - heapBefore;
})();
// History days are spread so that sessions expire as they would in a live service.
for (let h = 0; h < HISTORY; h++) {
  for (let a = 0; a < ACCOUNTS; a++) {
    const t = T0 + h * 5 * 86_400_000 + Math.floor((a / ACCOUNTS) * 86_400_000);
    const mobile = rnd() < 0.3;
    const [lo, hi] = pick(MOBILE);
    engine.process(ev(t, a, mobile ? { ip: inRange(lo, hi) } : {}), t);
  }
}
const buildS = (performance.now() - started) / 1000;
engine.world.sessions.clear();
gc();
const stateBytes = process.memoryUsage().heapUsed - heapBefore - habitBytes;
// History alone: a copy of just the per-account histories (and the global value counts) is made
// with the structured-clone serializer and its heap footprint measured.
const snap = detector.snapshot();
const sourceEntries = Object.values(snap.sources).reduce((n, m) => n + m.size, 0);
const packed = serialize({ accounts: snap.accounts, global: snap.global });
gc();
const beforeCopy = process.memoryUsage().heapUsed;
const historyCopy = deserialize(packed) as { accounts: Map<string, unknown> };
gc();
const historyBytes = process.memoryUsage().heapUsed - beforeCopy;
if (historyCopy.accounts.size !== ACCOUNTS) throw new Error(`history copy has ${historyCopy.accounts.size} accounts, expected ${ACCOUNTS}`);

// The requests, built before timing.
const tDecide = T0 + HISTORY * 5 * 86_400_000 + 3600_000;
const requests: LoginEvent[] = [];
for (let i = 0; i < DECISIONS; i++) {
  const a = Math.floor(rnd() * ACCOUNTS);
  const r = rnd();
  if (r < 0.7) requests.push(ev(tDecide, a, {}));
  else if (r < 0.85) {
    const [lo, hi] = pick(MOBILE);
    requests.push(ev(tDecide, a, { ip: inRange(lo, hi) }));
  }
  else if (r < 0.95) requests.push(ev(tDecide, a, { ip: inRange('3.96.0.0', '3.207.255.255'), device_id: `new${i}`, user_agent: UAS[2] }));
  else requests.push(ev(tDecide, a, { ip: '45.76.1.2', device_id: undefined, user_agent: 'python-requests/2.31', outcome: 'bad_password', session_id: undefined }));
}
// Feed the stuffing IP's earlier failures so its decisions take the flagged path.
for (let i = 0; i < 50; i++) engine.process(ev(tDecide - 60_000 + i, i, { ip: '45.76.1.2', device_id: undefined, user_agent: 'python-requests/2.31', outcome: 'bad_password', session_id: undefined }), tDecide - 60_000 + i);

const measure = (e: Engine): { p50: number; p99: number; max: number } => {
  for (let i = 0; i < Math.min(20_000, requests.length); i++) e.decide(requests[i], tDecide); // warm-up
  const lat = new Float64Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const s = performance.now();
    e.decide(requests[i], tDecide);
    lat[i] = (performance.now() - s) * 1000;
  }
  lat.sort();
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 10) / 10;
  return { p50: q(0.5), p99: q(0.99), max: Math.round(lat[lat.length - 1]) };
};
const baseline = measure(new Engine({ detectors: [] }));
const full = measure(engine);
const decided = requests.slice(0, 10_000).map((r) => engine.decide(r, tDecide).decision);

writeResult('loginDecisions', {
  accounts: ACCOUNTS,
  history_logins_per_account: HISTORY,
  decisions: DECISIONS,
  build_state_s: Math.round(buildS),
  memory_bytes_per_account_history: Math.round(historyBytes / ACCOUNTS),
  memory_bytes_per_account_all_state: Math.round(stateBytes / ACCOUNTS),
  source_entries: sourceEntries,
  challenged_share_of_sample: decided.filter((d) => d !== 'allow').length / decided.length,
  rows: [
    { engine: 'no detectors (baseline)', p50_us: baseline.p50, p99_us: baseline.p99, max_us: baseline.max },
    { engine: `login defence, ${ACCOUNTS.toLocaleString('en')} accounts`, p50_us: full.p50, p99_us: full.p99, max_us: full.max, state_MB: Math.round(stateBytes / 1e6), history_bytes_per_account: Math.round(historyBytes / ACCOUNTS), all_state_bytes_per_account: Math.round(stateBytes / ACCOUNTS) },
  ],
});
