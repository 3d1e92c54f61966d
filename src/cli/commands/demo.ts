import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Alert, DecisionRecord } from '../../engine/types.js';
import { computeMetrics, type Metrics } from '../../eval/computeMetrics.js';
import { EventFactsCollector } from '../../eval/collectEventFacts.js';
import { parseLabels, type Labels } from '../../eval/labels.js';
import { readNdjsonLines } from '../../events/readNdjsonLines.js';
import { parseEventLine } from '../../events/validateEvent.js';
import { buildHtmlReport } from '../../report/buildHtmlReport.js';
import { collectEpisodeTape } from '../../report/collectEpisodeTape.js';
import { writeSimulatedWorld } from '../../sim/writeSimulatedWorld.js';
import { addDetectorFlags, detectorOptionsFromFlags, type DetectorFlags } from '../detectorFlags.js';
import { parseNumber } from '../parseNumber.js';
import { startProgress } from '../progress.js';
import { runReplay } from '../runReplay.js';

interface DemoFlags extends DetectorFlags {
  out: string;
  seed: string;
  accounts: string;
  days: string;
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const yen = (x: number | undefined): string => `¥${Math.round(x ?? 0).toLocaleString('en-US')}`;
const fmt = (n: number): string => n.toLocaleString('en-US');

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('simulate a small brokerage under attack, replay it through kabuguard, print what was caught and write an HTML report')
    .option('--out <dir>', 'where the world, the outputs and report.html go', 'kabuguard-demo')
    .option('--seed <n>', 'simulation seed', '1')
    .option('--accounts <n>', 'customer accounts', '3000')
    .option('--days <n>', 'calendar days', '10');
  addDetectorFlags(cmd)
    .addHelpText(
      'after',
      `
Examples:
  kabuguard demo                         about 3,000 accounts over 10 days, in well under a minute
  kabuguard demo --seed 11 --accounts 20000 --days 20 --out big-demo

The same numbers come from the three steps it runs:
  kabuguard simulate --out kabuguard-demo/world --seed 1 --accounts 3000 --days 10
  kabuguard replay kabuguard-demo/world/events.ndjson --alerts kabuguard-demo/alerts.ndjson --decisions kabuguard-demo/decisions.ndjson
  kabuguard evaluate --alerts kabuguard-demo/alerts.ndjson --decisions kabuguard-demo/decisions.ndjson --labels kabuguard-demo/world/labels.json --events kabuguard-demo/world/events.ndjson --format table`,
    )
    .action(async (o: DemoFlags) => {
      const seed = parseNumber('--seed', o.seed, { min: 0, integer: true });
      const accounts = parseNumber('--accounts', o.accounts, { min: 10, max: 10_000_000, integer: true });
      const days = parseNumber('--days', o.days, { min: 1, max: 366, integer: true });
      const detectors = detectorOptionsFromFlags(o);
      const out = resolve(o.out);
      mkdirSync(out, { recursive: true });
      const started = performance.now();
      const say = (s: string) => process.stdout.write(s + '\n');

      say(`kabuguard demo: a simulated online broker under attack (seed ${seed}, ${fmt(accounts)} accounts, ${days} days)`);
      const bar = startProgress('simulate', days, 'days');
      const world = writeSimulatedWorld(join(out, 'world'), { seed, accounts, days, onDay: (d) => bar.update(d) });
      bar.stop();
      const s = world.summary;
      say(`  world: ${fmt(s.events)} events — ${fmt(s.compromised_accounts)} hijacked accounts in ${s.pump_campaigns} pump campaigns, ${s.stuffing_waves} credential-stuffing waves, ${s.benign_lookalikes} benign lookalikes`);

      const alerts: Alert[] = [];
      const decisions: DecisionRecord[] = [];
      const alertsPath = join(out, 'alerts.ndjson');
      const decisionsPath = join(out, 'decisions.ndjson');
      const replay = await runReplay({
        input: world.eventsPath,
        alertsPath,
        decisionsPath,
        rejectsPath: join(out, 'rejects.ndjson'),
        progress: true,
        detectors,
        onAlert: (a) => alerts.push(a),
        onDecision: (d) => decisions.push(d),
      });
      say(`  replay: ${fmt(replay.stats.processed)} events in ${replay.seconds.toFixed(1)} s, ${fmt(alerts.length)} alerts, ${fmt(decisions.filter((d) => d.decision !== 'allow').length)} decisions other than allow`);

      const labels: Labels = parseLabels(JSON.parse(readFileSync(world.labelsPath, 'utf8')));
      const facts = await collectFacts(world.eventsPath, labels);
      const metrics = computeMetrics({ labels, alerts, decisions, facts });
      printCaught(say, metrics, alerts);

      const reportPath = join(out, 'report.html');
      const episode = await pumpEpisode(world.eventsPath, labels, alerts, decisions);
      writeFileSync(
        reportPath,
        buildHtmlReport({
          title: 'kabuguard demo — a simulated broker under attack',
          world: { seed, accounts, days, events: s.events, 'hijacked accounts': s.compromised_accounts, 'pump campaigns': s.pump_campaigns, 'stuffing waves': s.stuffing_waves },
          alerts,
          metrics,
          episode,
          generatedAt: new Date().toISOString(),
        }),
      );
      writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      say(`\n  report: ${reportPath}`);
      say(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s. Reproduce step by step: kabuguard demo --help`);
    });
}

async function collectFacts(eventsPath: string, labels: Labels) {
  const collector = new EventFactsCollector(new Set(labels.malicious_event_ids));
  for await (const batch of readNdjsonLines(eventsPath)) {
    for (const line of batch.lines) {
      const v = parseEventLine(line);
      if (v.ok) collector.add(v.event);
    }
  }
  return collector.result();
}

function printCaught(say: (s: string) => void, m: Metrics, alerts: Alert[]): void {
  const campaigns = new Set(alerts.map((a) => a.campaign_id).filter(Boolean));
  // A stuffing source that never got into an account is a campaign of its own; count those apart.
  const withAccounts = new Set(alerts.filter((a) => a.account_id && a.campaign_id).map((a) => a.campaign_id));
  say('\nWhat kabuguard caught:');
  say(`  campaigns linked        ${fmt(withAccounts.size)} naming accounts (+${fmt(campaigns.size - withAccounts.size)} of sources or symbols alone)`);
  say(`  hijacked accounts       ${m.accounts.tp} of ${m.accounts.tp + m.accounts.fn} (precision ${pct(m.accounts.precision)}, recall ${pct(m.accounts.recall)}), median ${m.accounts.delay_median_s ?? '–'} s after the break-in`);
  if ('attempted_jpy' in m.loss) say(`  yen protected           ${pct(m.loss.protected_share)} — ${yen(m.loss.protected_jpy)} of ${yen(m.loss.attempted_jpy)} the attackers tried to move`);
  if ('all' in m.logins && m.logins.all) say(`  attacker logins         ${pct(m.logins.all.operating_point.attack_challenged_share)} stepped up or denied; customers challenged on ${pct(m.logins.all.operating_point.legit_challenged_share)} of logins`);
  say(`  pump episodes           ${Math.round(m.pumps.recall * m.pumps.labelled)} of ${m.pumps.labelled} (precision ${pct(m.pumps.precision)}), median ${m.pumps.delay_median_s ?? '–'} s after onset`);
  say(`  beneficiary accounts    precision ${pct(m.beneficiaries.precision)}, recall ${pct(m.beneficiaries.recall)}`);
  say(`  stuffing sources        precision ${pct(m.stuffing.precision)}, recall ${pct(m.stuffing.recall)}`);
  say(`  benign lookalikes       ${m.benign_lookalikes.alerted} of ${m.benign_lookalikes.total} alerted (traps: travel, new phone, news frenzy…)`);
}

/** The labelled pump with the most hijacked orders, around its episode. */
async function pumpEpisode(eventsPath: string, labels: Labels, alerts: Alert[], decisions: DecisionRecord[]) {
  const pump = labels.pumps[0];
  if (!pump) return undefined;
  const from = Date.parse(pump.start) - 2 * 3600_000;
  const to = Date.parse(pump.end) + 3 * 3600_000;
  const byId = new Map(decisions.map((d) => [d.event_id, d]));
  const firstStop = new Map<string, number>();
  for (const d of decisions) {
    if (!d.account_id || !['hold', 'block', 'deny'].includes(d.decision)) continue;
    const t = Date.parse(d.ts);
    if (!firstStop.has(d.account_id) || t < firstStop.get(d.account_id)!) firstStop.set(d.account_id, t);
  }
  const tape = await collectEpisodeTape({
    eventsPath,
    symbol: pump.symbol,
    from,
    to,
    malicious: new Set(labels.malicious_event_ids),
    beneficiaries: new Set(labels.beneficiary_accounts.map((b) => b.account_id)),
    decisions: byId,
    firstStop,
  });
  const alertTimes = alerts
    .filter((a) => a.symbol === pump.symbol && (a.kind === 'pump_and_dump' || a.kind === 'coordinated_trading'))
    .map((a) => ({ t: Date.parse(a.ts), label: `${a.kind}: ${a.reasons[0]?.detail ?? ''}` }))
    .filter((a) => a.t >= from && a.t <= to);
  return { ...tape, alertTimes };
}
