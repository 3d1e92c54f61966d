import type { ReplayResult } from './runReplay.js';

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The human summary printed after a replay. */
export function formatReplaySummary(r: ReplayResult): string {
  const s = r.stats;
  const lines = [
    `replayed ${fmt(s.processed)} events in ${r.seconds.toFixed(1)} s (${fmt(Math.round(s.processed / Math.max(r.seconds, 1e-9)))} events/s)`,
    `  input lines ${fmt(s.lines)}: accepted ${fmt(s.accepted)}, rejected ${fmt(s.rejected)}, duplicate ${fmt(s.duplicate)}, blank ${fmt(s.blank)}`,
    `  re-ordered ${fmt(s.reordered)}, late ${fmt(s.late)}`,
    `  decisions: ${Object.entries(s.decisions).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none'}`,
    `  alerts: ${Object.entries(s.alerts).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none'}`,
  ];
  if (r.rejectsPath) lines.push(`  rejected lines written to ${r.rejectsPath} (line number and reason for each)`);
  return lines.join('\n') + '\n';
}
