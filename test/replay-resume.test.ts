/**
 * A replay killed at any point and started again must end with exactly the outputs and counts of an
 * uninterrupted run: nothing lost, nothing written or counted twice, the same alert and decision ids.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/Engine.js';
import { Pipeline } from '../src/engine/Pipeline.js';
import type { Alert, DecisionRecord, Detector } from '../src/engine/types.js';
import { parseEventLine } from '../src/events/validateEvent.js';

const ROOT = resolve(import.meta.dirname, '..');
// A private build, not dist/: another test or a developer rebuilding dist mid-run must not swap the
// CLI under this test. Inside the repo so that package.json ("type": "module") and node_modules apply.
const BUILD = join(ROOT, '.kabuguard', `test-build-${process.pid}`);
const CLI = join(BUILD, 'src/cli/main.js');
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// A small generator of valid contract events: accounts log in (sometimes failing), trade, move cash
// and change settings while the market trades; sources interleave a little (slightly out of order,
// a few events later than the reorder window), some events are delivered twice, a few lines are
// broken. Deterministic for a seed.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateEvents(seed: number, n: number): string {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const symbols = ['7992.T', '3778.T', '0700.HK'];
  const accounts = Array.from({ length: 40 }, (_, i) => `A${i}`);
  const T0 = Date.parse('2025-04-14T00:00:00.000Z');
  const lines: string[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  let t = T0;
  let k = 0;
  const id = (p: string) => `${p}-${seed}-${k++}`;
  for (const s of symbols) {
    lines.push(JSON.stringify({ type: 'instrument', id: id('in'), ts: iso(t), symbol: s, name: s, market: s.endsWith('.HK') ? 'HKEX' : 'TSE-Standard', currency: s.endsWith('.HK') ? 'HKD' : 'JPY', issuer_country: s.endsWith('.HK') ? 'CN' : 'JP', lot_size: 100 }));
  }
  for (const a of accounts) {
    lines.push(JSON.stringify({ type: 'account', id: id('ac'), ts: iso(t), account_id: a, opened_at: '2015-06-01T00:00:00.000+09:00', holdings: [{ symbol: pick(symbols), qty: 1000 }], cash_jpy: 1_000_000 }));
  }
  const sessions = new Map<string, string>();
  const ips = ['198.51.100.7', '198.51.100.8', '203.0.113.9', '192.0.2.44'];
  while (lines.length < n) {
    t += Math.floor(rnd() * 2000);
    // Another source's clock: within the 30 s window mostly, beyond it now and then (a late event).
    const r = rnd();
    const ts = iso(r < 0.05 ? t - Math.floor(rnd() * 20_000) : r < 0.053 ? t - 60_000 - Math.floor(rnd() * 30_000) : t);
    const a = pick(accounts);
    const ip = pick(ips);
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
    const kind = rnd();
    let ev: Record<string, unknown>;
    if (kind < 0.45) {
      ev = { type: 'market_trade', id: id('mt'), ts, symbol: pick(symbols), price: 100 + Math.floor(rnd() * 20), qty: 100 * (1 + Math.floor(rnd() * 10)), aggressor: pick(['buy', 'sell']) };
    } else if (kind < 0.65 || !sessions.has(a)) {
      const ok = rnd() < 0.8;
      const sid = id('s');
      if (ok) sessions.set(a, sid);
      ev = { type: 'login', id: id('lg'), ts, account_id: a, login_id_fp: `fp-${a}`, ip, user_agent: ua, device_id: `dev-${a}`, channel: 'web', outcome: ok ? 'success' : 'bad_password', mfa: 'sms', ...(ok ? { session_id: sid } : {}) };
    } else if (kind < 0.85) {
      const oid = id('o');
      const side = pick(['buy', 'sell'] as const);
      const symbol = pick(symbols);
      const qty = 100 * (1 + Math.floor(rnd() * 5));
      ev = { type: 'order', id: id('or'), ts, order_id: oid, account_id: a, session_id: sessions.get(a), ip, user_agent: ua, channel: 'web', symbol, side, qty, order_type: 'market', action: 'new' };
      lines.push(JSON.stringify(ev));
      ev = { type: 'execution', id: id('ex'), ts, exec_id: id('x'), order_id: oid, account_id: a, symbol, side, qty, price: 100 + Math.floor(rnd() * 20) };
    } else if (kind < 0.93) {
      ev = { type: 'cash', id: id('ca'), ts, account_id: a, session_id: sessions.get(a), ip, direction: pick(['deposit', 'withdrawal']), amount_jpy: 10_000 * (1 + Math.floor(rnd() * 50)) };
    } else {
      ev = { type: 'account_change', id: id('ch'), ts, account_id: a, session_id: sessions.get(a), ip, user_agent: ua, field: pick(['email', 'phone', 'bank_account', 'notification']) };
    }
    lines.push(JSON.stringify(ev));
    const extra = rnd();
    if (extra < 0.02 && lines.length > 10) lines.push(lines[lines.length - 1 - Math.floor(rnd() * 8)]); // at-least-once delivery
    else if (extra < 0.023) lines.push('{"type":"login","id":"broken-' + k++ + '",'); // truncated write
    else if (extra < 0.026) lines.push(JSON.stringify({ type: 'order', id: id('bad'), ts, account_id: a })); // schema violation
    else if (extra < 0.028) lines.push('');
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

/** Output lines with the measured latency removed (the only field that may differ between runs). */
function normalizedLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const o = JSON.parse(l);
      delete o.latency_us;
      return JSON.stringify(o);
    });
}

function summaryCounts(stdout: string): Record<string, unknown> {
  const s = JSON.parse(stdout.trim().split('\n').pop()!);
  delete s.seconds;
  delete s.rejects_file;
  delete s.resumed_from_line;
  delete s.checkpoints;
  delete s.checkpoint_seconds;
  return s;
}

interface Outputs {
  alerts: string;
  decisions: string;
  rejects: string;
  state: string;
}
const outputsIn = (dir: string, name: string): Outputs => ({
  alerts: join(dir, `${name}-alerts.ndjson`),
  decisions: join(dir, `${name}-decisions.ndjson`),
  rejects: join(dir, `${name}-rejects.ndjson`),
  state: join(dir, `${name}.kgstate`),
});
const replayArgs = (events: string, o: Outputs, extra: string[] = []) => [
  CLI, 'replay', events, '--alerts', o.alerts, '--decisions', o.decisions, '--rejects', o.rejects, '--state', o.state, '--json', ...extra,
];

function readProgress(statePath: string): { status: string; next_line: number | null } | undefined {
  if (!existsSync(statePath)) return undefined;
  try {
    const db = new Database(statePath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT status, next_line FROM replay_state WHERE id = 1').get() as { status: string; next_line: number | null } | undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // being created by the replay right now
  }
}

/**
 * Start the replay and SIGKILL it as soon as its checkpoint has passed `killAtLine`. Returns whether
 * the kill landed before the run finished.
 */
function runAndKill(args: string[], statePath: string, killAtLine: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let killed = false;
    const poll = setInterval(() => {
      const p = readProgress(statePath);
      if (p && p.status === 'running' && (p.next_line ?? 0) >= killAtLine) {
        killed = child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolvePromise(killed);
      else if (code === 0) resolvePromise(false);
      else reject(new Error(`replay exited ${code ?? signal}: ${stderr}`));
    });
  });
}

let dir: string;
let events: string;
let totalLines: number;
let reference: { alerts: string[]; decisions: string[]; rejects: string[]; counts: Record<string, unknown> };
const env = { ...process.env, KABUGUARD_CHECKPOINT_EVERY: '60', CI: '1' };

beforeAll(async () => {
  // The CLI under test is the built one (tsc still emits when a type error is elsewhere).
  try {
    execFileSync('npx', ['tsc', '-p', '.', '--outDir', BUILD, '--sourceMap', 'false'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    if (!existsSync(CLI)) throw new Error(`build failed: ${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
  }
  dir = mkdtempSync(join(tmpdir(), 'kg-replay-resume-'));
  events = join(dir, 'events.ndjson');
  const text = generateEvents(7, 6000);
  writeFileSync(events, text);
  totalLines = text.split('\n').length - 1;
  const ref = outputsIn(dir, 'ref');
  const { stdout } = await run(process.execPath, replayArgs(events, ref, ['--no-checkpoint']), { env });
  reference = { alerts: normalizedLines(ref.alerts), decisions: normalizedLines(ref.decisions), rejects: normalizedLines(ref.rejects), counts: summaryCounts(stdout) };
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(BUILD, { recursive: true, force: true });
});

describe('kabuguard replay, killed and restarted', () => {
  it('the fixture exercises duplicates, re-ordering, late events and rejects', () => {
    const c = reference.counts as { duplicate: number; reordered: number; late: number; rejected: number; processed: number };
    expect(c.duplicate).toBeGreaterThan(50);
    expect(c.reordered).toBeGreaterThan(50);
    expect(c.late).toBeGreaterThan(0);
    expect(c.rejected).toBeGreaterThan(20);
    expect(reference.decisions.length).toBeGreaterThan(2000);
    expect(reference.rejects.length).toBe(c.rejected);
  });

  it('ends with the same alerts, decisions, rejects and counts as an uninterrupted run after SIGKILLs mid-run', async () => {
    const o = outputsIn(dir, 'killed');
    let landed = 0;
    for (const frac of [0.15, 0.45, 0.75]) {
      if (await runAndKill(replayArgs(events, o), o.state, Math.floor(totalLines * frac), env)) landed++;
    }
    // Most kills must really interrupt the run, or the test proves nothing.
    expect(landed).toBeGreaterThanOrEqual(2);
    expect(readProgress(o.state)?.status).toBe('running');
    const { stdout } = await run(process.execPath, replayArgs(events, o), { env });
    expect(JSON.parse(stdout).resumed_from_line).toBeGreaterThan(1);
    expect(normalizedLines(o.alerts)).toEqual(reference.alerts);
    expect(normalizedLines(o.decisions)).toEqual(reference.decisions);
    expect(normalizedLines(o.rejects)).toEqual(reference.rejects);
    expect(summaryCounts(stdout)).toEqual(reference.counts);
    expect(readProgress(o.state)?.status).toBe('complete');
  });

  it('cuts outputs written after the last checkpoint back before continuing', async () => {
    const o = outputsIn(dir, 'torn');
    expect(await runAndKill(replayArgs(events, o), o.state, Math.floor(totalLines * 0.4), env)).toBe(true);
    // What a crash between a flush and the next checkpoint leaves behind, including a torn last line.
    appendFileSync(o.alerts, '{"alert_id":"al_written_after_checkpoint","kind":"x"}\n{"alert_id":"al_torn');
    appendFileSync(o.decisions, '{"decision_id":"dec_written_after_checkpoint"}\n');
    appendFileSync(o.rejects, '{"line":1,"reason":"x","raw":""}\n');
    const { stdout } = await run(process.execPath, replayArgs(events, o), { env });
    expect(normalizedLines(o.alerts)).toEqual(reference.alerts);
    expect(normalizedLines(o.decisions)).toEqual(reference.decisions);
    expect(normalizedLines(o.rejects)).toEqual(reference.rejects);
    expect(summaryCounts(stdout)).toEqual(reference.counts);
  });

  it('starts over after a completed run, with --fresh, and when the input changed', async () => {
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, generateEvents(8, 1500));
    const o = outputsIn(dir, 'small');
    const first = await run(process.execPath, replayArgs(small, o), { env });
    const counts = summaryCounts(first.stdout);
    const rerun = await run(process.execPath, replayArgs(small, o), { env });
    expect(JSON.parse(rerun.stdout).resumed_from_line).toBeUndefined();
    expect(summaryCounts(rerun.stdout)).toEqual(counts);

    expect(await runAndKill(replayArgs(small, o), o.state, 150, env)).toBe(true);
    const fresh = await run(process.execPath, replayArgs(small, o, ['--fresh']), { env });
    expect(JSON.parse(fresh.stdout).resumed_from_line).toBeUndefined();
    expect(summaryCounts(fresh.stdout)).toEqual(counts);

    // A different input behind the same name: its checkpoint must not be applied to it.
    expect(await runAndKill(replayArgs(small, o), o.state, 150, env)).toBe(true);
    writeFileSync(small, generateEvents(9, 1500));
    const changed = await run(process.execPath, replayArgs(small, o), { env });
    expect(JSON.parse(changed.stdout).resumed_from_line).toBeUndefined();
    expect(changed.stderr).toMatch(/another version of the input/);
  });

  it('says in --help that stdin cannot be resumed', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'replay', '--help']);
    expect(stdout).toMatch(/stdin \(-\)[\s\S]*cannot be resumed/);
  });
});

// ---------------------------------------------------------------------------------------------
// Engine level: alert and decision ids come from event ids and restored state, so a resumed run
// names every alert exactly as the uninterrupted one (a stateful detector proves it).

function countingDetector(): Detector {
  let failures = new Map<string, number>();
  let logins = 0;
  return {
    name: 'test_failures',
    assess: (ev) => (ev.type === 'login' && (failures.get(ev.account_id ?? '') ?? 0) >= 2 ? { rule: 'test_failures', outcome: 'hit', decision: 'step_up', score: 0.7 } : undefined),
    observe(ev, ctx) {
      if (ev.type !== 'login') return;
      logins++;
      const a = ev.account_id ?? '';
      if (ev.outcome === 'success') failures.delete(a);
      else {
        const n = (failures.get(a) ?? 0) + 1;
        failures.set(a, n);
        if (n === 2) ctx.raise({ kind: 'credential_stuffing', severity: 'medium', score: 0.6, account_id: a, reasons: [{ code: 'FAILURES', detail: `${n} failures` }], event_ids: [ev.id] });
      }
    },
    finish(ctx) {
      ctx.raise({ kind: 'summary', severity: 'low', score: 0, reasons: [{ code: 'LOGINS', detail: String(logins) }], event_ids: [] });
    },
    snapshot: () => ({ failures, logins }),
    restore(s) {
      ({ failures, logins } = s as { failures: Map<string, number>; logins: number });
    },
  };
}

function replayInProcess(lines: string[], cutAt?: number): { alerts: Alert[]; decisions: DecisionRecord[] } {
  const alerts: Alert[] = [];
  const decisions: DecisionRecord[] = [];
  const sinks = { alert: (a: Alert) => alerts.push(a), decision: (d: DecisionRecord) => decisions.push({ ...d, latency_us: 0 }) };
  let p = new Pipeline(new Engine({ detectors: [countingDetector()] }), sinks);
  lines.forEach((l, i) => {
    if (i === cutAt) {
      // What runReplay does on resume: a new process, state from the checkpoint, seen ids from the input.
      const state = v8.serialize(p.snapshot());
      p = new Pipeline(new Engine({ detectors: [countingDetector()] }), sinks);
      p.restore(v8.deserialize(state));
      for (const before of lines.slice(0, i)) {
        const v = parseEventLine(before);
        if (v.ok) p.markSeen(v.event.id);
      }
    }
    p.ingestLine(l, i + 1);
  });
  p.drain();
  return { alerts, decisions };
}

describe('alert and decision ids across a resume', () => {
  it('are the same as in an uninterrupted run, at any cut point', () => {
    const lines = generateEvents(11, 3000).split('\n').filter((l) => l !== '');
    const whole = replayInProcess(lines);
    expect(whole.alerts.filter((a) => a.kind === 'credential_stuffing').length).toBeGreaterThan(5);
    for (const cut of [1, 500, 1234, 2999]) {
      const resumed = replayInProcess(lines, cut);
      expect(resumed.alerts).toEqual(whole.alerts);
      expect(resumed.decisions).toEqual(whole.decisions);
    }
  });
});
