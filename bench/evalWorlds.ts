/**
 * Detection quality on simulated worlds the detectors were not tuned on (tuning used seeds 1–3).
 * For each seed: simulate → replay → evaluate, through the CLI exactly as a user would.
 *
 *   node dist/bench/evalWorlds.js [--seeds 11,12,13] [--accounts 3000] [--days 10] [--warmup-days 0]
 *        [--workdir /tmp/kabuguard-eval] [--hosting-list F] [--vpn-list F]
 * --warmup-days gives customers that many ordinary days before the attack period (a broker that
 * replayed its past login logs first); the network lists are passed to replay as a user would.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metrics } from '../src/eval/computeMetrics.js';
import { writeResult } from './writeResult.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const seeds = arg('--seeds', '11,12,13').split(',').map(Number);
const accounts = arg('--accounts', '3000');
const days = arg('--days', '10');
const warmupDays = arg('--warmup-days', '0');
const workdir = arg('--workdir', '/tmp/kabuguard-eval');
const networkLists = (['--hosting-list', '--vpn-list'] as const).flatMap((flag) => (process.argv.includes(flag) ? [flag, resolve(arg(flag, ''))] : []));
const kg = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });

const rows: Record<string, unknown>[] = [];
const all: Record<string, Metrics> = {};
for (const seed of seeds) {
  const dir = join(workdir, `seed-${seed}-${accounts}x${days}-w${warmupDays}`);
  mkdirSync(dir, { recursive: true });
  kg('simulate', '--out', join(dir, 'world'), '--seed', String(seed), '--accounts', accounts, '--days', days, '--warmup-days', warmupDays);
  kg('replay', join(dir, 'world/events.ndjson'), '--alerts', join(dir, 'alerts.ndjson'), '--decisions', join(dir, 'decisions.ndjson'), '--rejects', join(dir, 'rejects.ndjson'), '--fresh', ...networkLists);
  const m = JSON.parse(kg('evaluate', '--alerts', join(dir, 'alerts.ndjson'), '--decisions', join(dir, 'decisions.ndjson'), '--labels', join(dir, 'world/labels.json'), '--events', join(dir, 'world/events.ndjson'))) as Metrics;
  all[seed] = m;
  const world = JSON.parse(readFileSync(join(dir, 'world/world.json'), 'utf8')) as { events: number; compromised_accounts: number };
  const logins = 'all' in m.logins ? m.logins : undefined;
  rows.push({
    seed,
    events: world.events,
    hijacked: world.compromised_accounts,
    acct_precision: m.accounts.precision,
    acct_recall: m.accounts.recall,
    acct_delay_median_s: m.accounts.delay_median_s,
    yen_protected: 'protected_share' in m.loss ? m.loss.protected_share : null,
    login_auc: logins?.all?.roc_auc ?? null,
    attack_logins_challenged_at_1pct: logins?.all?.attack_challenged_at_legit_challenged['0.01'] ?? null,
    legit_logins_challenged: logins?.all?.operating_point.legit_challenged_share ?? null,
    // The criminals' own (beneficiary) accounts log in from their own devices: shown apart.
    login_auc_excl_benef: ('excluding_beneficiary_logins' in m.logins ? m.logins.excluding_beneficiary_logins?.all?.roc_auc : null) ?? null,
    attack_at_1pct_excl_benef: ('excluding_beneficiary_logins' in m.logins ? m.logins.excluding_beneficiary_logins?.all?.attack_challenged_at_legit_challenged['0.01'] : null) ?? null,
    customers_held_per_1000: m.customer_friction.held_per_1000_ordering_customers,
    customer_rechallenge_after_12: logins?.median_customer_challenge_rate_after_12_logins ?? null,
    pump_f1: m.pumps.f1,
    pump_delay_median_s: m.pumps.delay_median_s,
    benef_precision: m.beneficiaries.precision,
    benef_recall: m.beneficiaries.recall,
    stuffing_precision: m.stuffing.precision,
    stuffing_recall: m.stuffing.recall,
    lookalikes_alerted: `${m.benign_lookalikes.alerted}/${m.benign_lookalikes.total}`,
  });
}
writeResult('evalWorlds', { seeds, accounts, days, warmupDays, networkLists, rows, metrics: all });
