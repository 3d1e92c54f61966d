import type { WorldSummary } from './simulateWorld.js';

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The human summary `kabuguard simulate` prints. */
export function formatWorldSummary(s: WorldSummary): string {
  const byType = Object.entries(s.events_by_type)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const lines = [
    `simulated ${s.days} days from ${s.start}${s.warmup_days ? ` after ${s.warmup_days} warm-up days` : ''} (seed ${s.seed}): ${fmt(s.accounts)} customer accounts, ${fmt(s.instruments)} instruments`,
    `  events ${fmt(s.events)}: ${byType}`,
    `  pump campaigns ${s.pump_campaigns} (${s.pumps} pump episodes), compromised accounts ${s.compromised_accounts}, beneficiaries ${s.beneficiaries}`,
    `  stuffing waves ${s.stuffing_waves} from ${fmt(s.stuffing_ips)} IPs, benign lookalikes ${s.benign_lookalikes}`,
    `  malicious events ${fmt(s.malicious_events)}; attack yen attempted ¥${fmt(s.attack_yen_attempted)}, executed ¥${fmt(s.attack_yen_executed)}`,
  ];
  for (const c of s.campaigns) lines.push(`    ${c.id} ${c.target}: ${c.victims} victims, ${c.beneficiaries} beneficiaries, ${c.episodes} episode(s) [${c.variant}]`);
  for (const w of s.waves) lines.push(`    ${w.id} ${w.style}: ${fmt(w.attempts)} attempts`);
  return lines.join('\n') + '\n';
}
