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
import type { KgEvent } from '../src/events/schema.js';
import { simulateWorld } from '../src/sim/simulateWorld.js';
import { Rng } from '../src/sim/Rng.js';

const ROOT = resolve(import.meta.dirname, '..');
// A private build, not dist/: another test or a developer rebuilding dist mid-run must not swap the
// CLI under this test. Inside the repo so that package.json ("type": "module") and node_modules apply.
const BUILD = join(ROOT, '.kabuguard', `test-build-${process.pid}`);
const CLI = join(BUILD, 'src/cli/main.js');
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// The simulator's world (clean, in time order) delivered the way real feeds arrive: some events
// twice (at-least-once delivery), some a few lines late (sources interleaving: re-ordered within the
// window), a few far behind (late events), some lines broken or blank. Deterministic for a seed.

function deliverWithFaults(events: KgEvent[], seed: number): string {
  const rng = new Rng(seed, 'delivery-faults');
  const rnd = () => rng.next();
  const out: string[] = [];
  // Lines held back, released when the output reaches their due position.
  const held: { due: number; line: string }[] = [];
  events.forEach((ev, i) => {
    const line = JSON.stringify(ev);
    const r = rnd();
    if (r < 0.03) held.push({ due: out.length + 1 + Math.floor(rnd() * 20), line });
    else if (r < 0.033) held.push({ due: out.length + 1500 + Math.floor(rnd() * 500), line });
    else out.push(line);
    for (let k = held.length - 1; k >= 0; k--) {
      if (held[k].due <= out.length) out.push(held.splice(k, 1)[0].line);
    }
    const f = rnd();
    if (f < 0.02 && out.length > 10) out.push(out[out.length - 1 - Math.floor(rnd() * 8)]);
    else if (f < 0.023) out.push(line.slice(0, Math.floor(line.length / 2))); // torn write
    else if (f < 0.026) out.push(JSON.stringify({ type: ev.type, id: `bad-${i}`, ts: ev.ts })); // schema violation
    else if (f < 0.028) out.push('');
  });
  for (const h of held) out.push(h.line);
  return out.join('\n') + '\n';
}

const worldEvents = (seed: number, days: number): KgEvent[] => simulateWorld({ seed, accounts: 50, days }).events!;

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
 * Start the replay and send it `signal` as soon as its checkpoint has passed `atLine`. `landed`: the
 * signal arrived before the run finished.
 */
function runAndSignal(
  args: string[],
  statePath: string,
  atLine: number,
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
): Promise<{ landed: boolean; code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let sent = false;
    const poll = setInterval(() => {
      const p = readProgress(statePath);
      if (p && p.status === 'running' && (p.next_line ?? 0) >= atLine) {
        sent = child.kill(signal);
        clearInterval(poll);
      }
    }, 2);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      if (sig === 'SIGKILL' || code === 130) resolvePromise({ landed: sent, code, stderr });
      else if (code === 0) resolvePromise({ landed: false, code, stderr });
      else reject(new Error(`replay exited ${code ?? sig}: ${stderr}`));
    });
  });
}

/** SIGKILL the replay once its checkpoint has passed `killAtLine`; whether it died mid-run. */
const runAndKill = async (args: string[], statePath: string, killAtLine: number, env: NodeJS.ProcessEnv): Promise<boolean> =>
  (await runAndSignal(args, statePath, killAtLine, env, 'SIGKILL')).landed;

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
  const text = deliverWithFaults(worldEvents(7, 1), 7);
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
    expect(reference.decisions.length).toBeGreaterThan(200);
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

  it('stops cleanly on Ctrl-C with a checkpoint, and the next run continues from there', async () => {
    const o = outputsIn(dir, 'sigint');
    const r = await runAndSignal(replayArgs(events, o), o.state, Math.floor(totalLines * 0.2), env, 'SIGINT');
    expect(r.landed).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/run the same command again to continue/);
    expect(readProgress(o.state)?.status).toBe('running');
    const { stdout } = await run(process.execPath, replayArgs(events, o), { env });
    expect(JSON.parse(stdout).resumed_from_line).toBeGreaterThan(totalLines * 0.2);
    expect(normalizedLines(o.alerts)).toEqual(reference.alerts);
    expect(normalizedLines(o.decisions)).toEqual(reference.decisions);
    expect(summaryCounts(stdout)).toEqual(reference.counts);
  });

  it('starts over after a completed run, with --fresh, and when the input changed', async () => {
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, deliverWithFaults(worldEvents(8, 1).slice(0, 2000), 8));
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
    writeFileSync(small, deliverWithFaults(worldEvents(9, 1).slice(0, 2000), 9));
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
  let trades = new Map<string, number>();
  let fills = new Map<string, number>();
  return {
    name: 'test_counts',
    assess: (ev) =>
      ev.type === 'order' && (fills.get(ev.account_id) ?? 0) >= 2 ? { rule: 'test_counts', outcome: 'hit', decision: 'step_up', score: 0.5 } : undefined,
    observe(ev, ctx) {
      if (ev.type === 'execution') fills.set(ev.account_id, (fills.get(ev.account_id) ?? 0) + 1);
      if (ev.type !== 'market_trade') return;
      const n = (trades.get(ev.symbol) ?? 0) + 1;
      trades.set(ev.symbol, n);
      if (n % 100 === 0) ctx.raise({ kind: 'test_volume', severity: 'low', score: 0.1, symbol: ev.symbol, reasons: [{ code: 'TRADES', detail: `${n} trades` }], event_ids: [ev.id] });
    },
    finish(ctx) {
      for (const [symbol, n] of trades) ctx.raise({ kind: 'test_total', severity: 'low', score: 0, symbol, reasons: [{ code: 'TRADES', detail: `${n} trades` }], event_ids: [] });
    },
    snapshot: () => ({ trades, fills }),
    restore(st) {
      ({ trades, fills } = st as { trades: Map<string, number>; fills: Map<string, number> });
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
        if (v.ok) p.markSeen(v.event);
      }
    }
    p.ingestLine(l, i + 1);
  });
  p.drain();
  return { alerts, decisions };
}

describe('alert and decision ids across a resume', () => {
  it('are the same as in an uninterrupted run, at any cut point', () => {
    const lines = deliverWithFaults(worldEvents(11, 1), 11).split('\n').slice(0, -1);
    const whole = replayInProcess(lines);
    expect(whole.alerts.filter((a) => a.kind === 'test_volume').length).toBeGreaterThan(20);
    expect(whole.decisions.some((d) => d.decision === 'step_up')).toBe(true);
    for (const cut of [1, Math.floor(lines.length / 3), Math.floor(lines.length * 0.77), lines.length - 1]) {
      const resumed = replayInProcess(lines, cut);
      expect(resumed.alerts).toEqual(whole.alerts);
      expect(resumed.decisions).toEqual(whole.decisions);
    }
  });
});
