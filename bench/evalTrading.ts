/**
 * Trading-defence figures on simulated (or any labelled) worlds, computed in-process with the
 * project's own metric code (src/eval): compromised-account precision/recall and delay, yen
 * protected, beneficiaries, lookalikes — overall and per attack variant.
 *
 *   node dist/bench/evalTrading.js WORLD_DIR... [--detectors all|trading] [--debug]
 *
 * Each WORLD_DIR holds `events.ndjson` and `labels.json` (`kabuguard simulate --out WORLD_DIR`).
 * `--detectors trading` runs only the trading and campaign detectors (no login defence, no tape
 * surveillance), to see what trading defence achieves alone; the default runs the whole registry.
 * `--debug` lists the false and missed accounts with the reasons of their first non-allow decision.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectorOptionsFromFlags } from '../src/cli/detectorFlags.js';
import { createDetectors } from '../src/detect/index.js';
import { CampaignLinker } from '../src/detect/campaign/CampaignLinker.js';
import { TradingDetector } from '../src/detect/trading/TradingDetector.js';
import { Engine } from '../src/engine/Engine.js';
import { Pipeline } from '../src/engine/Pipeline.js';
import type { Alert, DecisionRecord } from '../src/engine/types.js';
import { EventFactsCollector, type MaliciousOrder } from '../src/eval/collectEventFacts.js';
import { computeMetrics } from '../src/eval/computeMetrics.js';
import { parseLabels } from '../src/eval/labels.js';
import { readNdjsonLines } from '../src/events/readNdjsonLines.js';
import { parseEventLine } from '../src/events/validateEvent.js';

const argv = process.argv.slice(2);
const only = argv.includes('--detectors') ? argv[argv.indexOf('--detectors') + 1] : 'all';
const debug = argv.includes('--debug');
const dirs = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--detectors');
if (dirs.length === 0) {
  console.error('usage: node dist/bench/evalTrading.js WORLD_DIR... [--detectors all|trading] [--debug]');
  process.exit(2);
}

interface Sum {
  tp: number;
  fp: number;
  fn: number;
  btp: number;
  bfp: number;
  bfn: number;
  attempted: number;
  protected: number;
  delays: number[];
}
const total: Sum = { tp: 0, fp: 0, fn: 0, btp: 0, bfp: 0, bfn: 0, attempted: 0, protected: 0, delays: [] };

for (const dir of dirs) {
  const labels = parseLabels(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')));
  // The same detector options as `kabuguard replay` with no flags (the IP database on), so the figures match the CLI's.
  const detectors = only === 'trading' ? [new TradingDetector(), new CampaignLinker()] : createDetectors(detectorOptionsFromFlags({}));
  const alerts: Alert[] = [];
  const decisions: DecisionRecord[] = [];
  const pipeline = new Pipeline(new Engine({ detectors }), { alert: (a) => alerts.push(a), decision: (d) => decisions.push(d) });
  const facts = new EventFactsCollector(new Set(labels.malicious_event_ids));
  const started = performance.now();
  for await (const batch of readNdjsonLines(join(dir, 'events.ndjson'))) {
    let n = batch.firstLine;
    for (const line of batch.lines) {
      pipeline.ingestLine(line, n++);
      const v = parseEventLine(line);
      if (v.ok) facts.add(v.event);
    }
  }
  pipeline.drain();
  const factsResult = facts.result();
  const m = computeMetrics({ labels, alerts, decisions, facts: factsResult });
  const loss = m.loss as { attempted_jpy: number; protected_jpy: number; protected_share: number | null; by_variant: unknown; protected_share_counting_step_up: number | null };
  total.tp += m.accounts.tp;
  total.fp += m.accounts.fp;
  total.fn += m.accounts.fn;
  total.btp += m.beneficiaries.tp;
  total.bfp += m.beneficiaries.fp;
  total.bfn += m.beneficiaries.fn;
  total.attempted += loss.attempted_jpy;
  total.protected += loss.protected_jpy;
  if (m.accounts.delay_median_s !== null) total.delays.push(m.accounts.delay_median_s);
  const byDetector: Record<string, number> = {};
  for (const a of alerts) byDetector[`${a.detector ?? '?'}:${a.kind}`] = (byDetector[`${a.detector ?? '?'}:${a.kind}`] ?? 0) + 1;
  console.log(
    JSON.stringify(
      {
        world: dir,
        detectors: only,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        accounts: m.accounts,
        loss: { protected_share: loss.protected_share, protected_share_counting_step_up: loss.protected_share_counting_step_up, attempted_jpy: loss.attempted_jpy, by_variant: loss.by_variant },
        beneficiaries: m.beneficiaries,
        login_scores: (m.logins as { successful?: unknown }).successful ?? null,
        pumps: { precision: m.pumps.precision, recall: m.pumps.recall, delay_median_s: m.pumps.delay_median_s },
        benign_lookalikes: m.benign_lookalikes,
        alerts: byDetector,
        campaigns: (detectors.find((d) => d instanceof CampaignLinker) as CampaignLinker | undefined)?.campaigns().filter((c) => c.hijacked_accounts.length > 0).length,
      },
      null,
      1,
    ),
  );
  if (debug) printDebug(labels, alerts, decisions, factsResult.maliciousOrders);
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
console.log(
  JSON.stringify({
    worlds: dirs.length,
    accounts: { precision: r4(total.tp / Math.max(1, total.tp + total.fp)), recall: r4(total.tp / Math.max(1, total.tp + total.fn)), tp: total.tp, fp: total.fp, fn: total.fn, per_world_median_delay_s: total.delays },
    yen_protected_share: r4(total.protected / Math.max(1, total.attempted)),
    beneficiaries: { precision: r4(total.btp / Math.max(1, total.btp + total.bfp)), recall: r4(total.btp / Math.max(1, total.btp + total.bfn)), tp: total.btp, fp: total.bfp, fn: total.bfn },
  }),
);

function printDebug(labels: ReturnType<typeof parseLabels>, alerts: Alert[], decisions: DecisionRecord[], facts: MaliciousOrder[]): void {
  const truth = new Set(labels.compromised_accounts.map((c) => c.account_id));
  const variant = new Map(labels.compromised_accounts.map((c) => [c.account_id, c.variant]));
  const flagged = new Map<string, Alert>();
  for (const a of alerts) if ((a.kind === 'account_takeover' || a.kind === 'session_hijack') && a.account_id && !flagged.has(a.account_id)) flagged.set(a.account_id, a);
  const firstStop = new Map<string, DecisionRecord>();
  for (const d of decisions) if (d.account_id && d.type === 'order' && d.decision !== 'allow' && !firstStop.has(d.account_id)) firstStop.set(d.account_id, d);
  for (const [acct, a] of flagged) if (!truth.has(acct)) console.log('FALSE', acct, a.detector, a.kind, a.reasons.map((r) => r.code).join(','));
  // Every trading-side takeover claim, true or false, and whether another detector named the account
  // first: a false one needs its own fix even where the login defence also erred.
  for (const a of alerts) {
    if (a.detector !== 'trading' || !a.account_id || a.kind !== 'account_takeover') continue;
    const first = flagged.get(a.account_id);
    const tag = truth.has(a.account_id) ? `TRUE_TRADING ${variant.get(a.account_id)}` : 'FALSE_TRADING';
    console.log(tag, a.account_id, a.ts, first && first !== a ? `after:${first.detector}:${first.kind}` : 'first', `ctx=${String(a.data?.context_score)},ord=${String(a.data?.order_score)}`, a.reasons.map((r) => r.code).join(','));
  }
  for (const acct of truth) if (!flagged.has(acct)) console.log('MISSED', acct, variant.get(acct), firstStop.get(acct)?.decision ?? 'allowed', firstStop.get(acct)?.reasons.map((r) => r.code).join(',') ?? '');
  const benTruth = new Set(labels.beneficiary_accounts.map((b) => b.account_id));
  for (const a of alerts) if (a.kind === 'beneficiary' && !benTruth.has(a.account_id!)) console.log('FALSE_BENEFICIARY', a.account_id, a.symbol, JSON.stringify(a.data));
  const benFound = new Set(alerts.filter((a) => a.kind === 'beneficiary').map((a) => a.account_id));
  for (const b of labels.beneficiary_accounts) if (!benFound.has(b.account_id)) console.log('MISSED_BENEFICIARY', b.account_id, b.symbol);
  const mal = new Set(labels.malicious_event_ids);
  const stop = new Map<string, number>();
  for (const d of decisions) if (d.account_id && (d.decision === 'hold' || d.decision === 'block' || d.decision === 'deny') && !stop.has(d.account_id)) stop.set(d.account_id, Date.parse(d.ts));
  const lostBy = new Map<string, number>();
  const dec = new Map(decisions.map((d) => [d.event_id, d]));
  for (const o of facts) {
    const st = stop.get(o.account_id);
    if ((st !== undefined && o.t >= st) || ['hold', 'block'].includes(dec.get(o.event_id)?.decision ?? '')) continue;
    lostBy.set(o.account_id, (lostBy.get(o.account_id) ?? 0) + o.executed_jpy);
  }
  for (const [acct, yen] of [...lostBy].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    const first = decisions.find((d) => d.account_id === acct && mal.has(d.event_id) && d.type === 'order');
    console.log('LOST', acct, variant.get(acct) ?? (benTruth.has(acct) ? 'beneficiary' : '?'), Math.round(yen), first?.decision, first?.reasons.map((r) => r.code).join(','));
  }
  const legitHeld = new Map<string, DecisionRecord>();
  for (const d of decisions) if (d.type === 'order' && (d.decision === 'hold' || d.decision === 'block') && !mal.has(d.event_id) && !legitHeld.has(d.account_id!)) legitHeld.set(d.account_id!, d);
  const customersHeld = [...legitHeld.keys()].filter((a) => !truth.has(a) && !benTruth.has(a));
  const ordering = new Set(decisions.filter((d) => d.type === 'order' && !mal.has(d.event_id)).map((d) => d.account_id));
  console.log('LEGIT_ORDER_HOLDS accounts', legitHeld.size, 'customers (not victims, not beneficiaries)', customersHeld.length, 'of', ordering.size, 'who ordered');
  for (const [acct, d] of [...legitHeld].slice(0, 15)) console.log('  HELD', acct, truth.has(acct) ? '(victim, own order)' : '', d.reasons.map((r) => r.code).join(','));
}
