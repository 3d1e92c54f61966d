/**
 * Login-side evaluation on a labelled world: replays the events through the engine with only the
 * login defence (or every detector with `--all`), with offline IP intelligence and the operator's
 * network lists, and prints the contract §6 metrics that concern logins, compromised accounts and
 * stuffing sources (computed by src/eval, the same code as `kabuguard evaluate`).
 *
 *   node dist/bench/evalLogin.js WORLD_DIR [--out DIR] [--all] [--hosting FILE]… [--vpn FILE]… [--policy FILE]
 *
 * WORLD_DIR holds events.ndjson and labels.json (`kabuguard simulate --out WORLD_DIR`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetectors } from '../src/detect/index.js';
import { createLoginDetectors } from '../src/detect/login/index.js';
import { Engine } from '../src/engine/Engine.js';
import { Pipeline } from '../src/engine/Pipeline.js';
import type { Alert, DecisionRecord } from '../src/engine/types.js';
import { computeMetrics } from '../src/eval/computeMetrics.js';
import { EventFactsCollector } from '../src/eval/collectEventFacts.js';
import { parseLabels } from '../src/eval/labels.js';
import { NdjsonWriter } from '../src/events/NdjsonWriter.js';
import { readNdjsonLines } from '../src/events/readNdjsonLines.js';
import { parseEventLine } from '../src/events/validateEvent.js';
import { loadIpIntel, type NetworkCategory } from '../src/intel/index.js';
import { loadPolicy } from '../src/policy/index.js';

const args = process.argv.slice(2);
const world = args[0];
if (!world || world.startsWith('--')) {
  console.error('usage: node dist/bench/evalLogin.js WORLD_DIR [--out DIR] [--all] [--hosting FILE]… [--vpn FILE]… [--policy FILE]');
  process.exit(2);
}
const many = (flag: string): string[] => args.flatMap((a, i) => (a === flag && args[i + 1] ? [args[i + 1]] : []));
const out = many('--out')[0];
const networkLists = [
  ...many('--hosting').map((path) => ({ category: 'hosting' as NetworkCategory, path })),
  ...many('--vpn').map((path) => ({ category: 'vpn' as NetworkCategory, path })),
];
const intel = loadIpIntel({ networkLists });
const login = { ipLookup: (ip: string) => intel.lookup(ip), policy: many('--policy')[0] ? loadPolicy(many('--policy')[0]) : undefined };
const detectors = args.includes('--all') ? createDetectors({ login }) : createLoginDetectors(login);

const labels = parseLabels(JSON.parse(readFileSync(join(world, 'labels.json'), 'utf8')));
const facts = new EventFactsCollector(new Set(labels.malicious_event_ids));
const alerts: Alert[] = [];
const decisions: DecisionRecord[] = [];
if (out) mkdirSync(out, { recursive: true });
const aw = out ? new NdjsonWriter(join(out, 'alerts.ndjson')) : undefined;
const dw = out ? new NdjsonWriter(join(out, 'decisions.ndjson')) : undefined;
const pipeline = new Pipeline(new Engine({ detectors }), {
  alert: (a) => {
    alerts.push(a);
    aw?.write(a);
  },
  decision: (d) => {
    decisions.push(d);
    dw?.write(d);
  },
});
const started = performance.now();
for await (const batch of readNdjsonLines(join(world, 'events.ndjson'))) {
  let n = batch.firstLine;
  for (const line of batch.lines) {
    pipeline.ingestLine(line, n++);
    const v = parseEventLine(line);
    if (v.ok) facts.add(v.event);
  }
}
pipeline.drain();
aw?.close();
dw?.close();
const m = computeMetrics({ labels, alerts, decisions, facts: facts.result() });
console.log(
  JSON.stringify(
    {
      world,
      detectors: args.includes('--all') ? 'all' : 'login only',
      network_lists: networkLists.map((l) => `${l.category}:${l.path}`),
      seconds: Math.round((performance.now() - started) / 100) / 10,
      accounts: m.accounts,
      logins: m.logins,
      stuffing: m.stuffing,
      benign_lookalikes: m.benign_lookalikes,
      alerts_by_kind: m.alerts_by_kind,
      decisions_by_outcome: pipeline.stats.decisions,
    },
    null,
    2,
  ),
);
