import type { Alert } from '../engine/types.js';
import type { Metrics } from '../eval/computeMetrics.js';
import type { EpisodeTape } from './collectEpisodeTape.js';
import { priceVolumeChart, stackedBarChart } from './svgCharts.js';

export interface ReportInput {
  title: string;
  /** Free-form counts describing the world or input (accounts, events, …). */
  world: Record<string, number | string>;
  alerts: Alert[];
  metrics?: Metrics;
  episode?: EpisodeTape & { alertTimes: { t: number; label: string }[] };
  generatedAt: string;
}

const esc = (s: unknown): string => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const yen = (x: number | undefined): string => (x === undefined ? '–' : `¥${Math.round(x).toLocaleString('en-US')}`);
const JST = 9 * 3600_000;
const jst = (t: number): string => new Date(t + JST).toISOString().slice(5, 16).replace('T', ' ');
const jstTime = (t: number): string => new Date(t + JST).toISOString().slice(11, 16);

/** The demo's and replay's HTML report: KPIs, charts, campaigns and the evidence behind alerts. */
export function buildHtmlReport(r: ReportInput): string {
  const m = r.metrics;
  const tiles: [string, string, string][] = [];
  if (m) {
    tiles.push(['Hijacked accounts caught', `${m.accounts.tp} / ${m.accounts.tp + m.accounts.fn}`, `precision ${pct(m.accounts.precision)} · recall ${pct(m.accounts.recall)} · median delay ${m.accounts.delay_median_s ?? '–'} s`]);
    if ('attempted_jpy' in m.loss) tiles.push(['Yen protected', pct(m.loss.protected_share), `${yen(m.loss.protected_jpy)} of ${yen(m.loss.attempted_jpy)} the attackers tried to move`]);
    tiles.push(['Pump episodes found', `${Math.round(m.pumps.recall * m.pumps.labelled)} / ${m.pumps.labelled}`, `precision ${pct(m.pumps.precision)} · median delay ${m.pumps.delay_median_s ?? '–'} s`]);
    tiles.push(['Beneficiaries named', pct(m.beneficiaries.recall), `precision ${pct(m.beneficiaries.precision)}`]);
    tiles.push(['Stuffing sources', pct(m.stuffing.recall), `precision ${pct(m.stuffing.precision)}`]);
    tiles.push(['Benign lookalikes alerted', `${m.benign_lookalikes.alerted} / ${m.benign_lookalikes.total}`, 'travel, new phone, news frenzy… (traps)']);
  } else {
    tiles.push(['Alerts', String(r.alerts.length), '']);
  }

  const hourly = alertsPerHour(r.alerts);
  const campaigns = campaignRows(r.alerts);
  const top = [...r.alerts].sort((a, b) => b.score - a.score).slice(0, 25);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;margin:24px auto;max-width:960px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin-bottom:16px}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
.tile{border:1px solid #ddd;border-radius:6px;padding:10px 12px;background:#fafafa}
.tile .k{color:#555;font-size:12px;text-transform:uppercase;letter-spacing:.03em}.tile .v{font-size:26px;font-weight:600}.tile .n{color:#666;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}
.title{font-weight:600;font-size:13px}.tick{font-size:10px;fill:#555}.legend{font-size:11px;fill:#333}
code{font-size:12px;background:#f4f4f4;padding:0 3px;border-radius:3px}
.sev-critical{color:#b00;font-weight:600}.sev-high{color:#d62728}.sev-medium{color:#c60}.sev-low{color:#666}
</style></head><body>
<h1>${esc(r.title)}</h1>
<div class="sub">${Object.entries(r.world).map(([k, v]) => `${esc(k)}: <b>${esc(typeof v === 'number' ? v.toLocaleString('en-US') : v)}</b>`).join(' · ')}<br>generated ${esc(r.generatedAt)}</div>
<div class="tiles">${tiles.map(([k, v, n]) => `<div class="tile"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="n">${esc(n)}</div></div>`).join('')}</div>
<h2>Alerts over time</h2>
${stackedBarChart(hourly, { title: 'alerts per hour (JST), by kind' })}
${r.episode ? `<h2>The pump: ${esc(r.episode.symbol)}</h2>
<p>Price (line) and volume (bars) of the pumped symbol around the episode. Triangles are the hijacked accounts' orders: filled red when executed, hollow green when kabuguard held or blocked them; blue dots are the beneficiaries' sells; dashed lines are alerts.</p>
${priceVolumeChart(r.episode.points, r.episode.markers, r.episode.alertTimes, { title: `${r.episode.symbol}: price and volume per 5 minutes`, timeLabel: jstTime })}` : ''}
<h2>Campaigns</h2>
${campaigns.length ? `<table><tr><th>campaign</th><th>alerts</th><th>accounts</th><th>symbols</th><th>first</th><th>last</th></tr>
${campaigns.map((c) => `<tr><td><code>${esc(c.id)}</code></td><td>${esc(c.kinds)}</td><td>${c.accounts}</td><td>${esc(c.symbols)}</td><td>${esc(jst(c.first))}</td><td>${esc(jst(c.last))}</td></tr>`).join('')}</table>` : '<p>No alert carries a campaign id.</p>'}
${m ? `<h2>Evaluation against ground truth</h2>${metricsTable(m)}` : ''}
<h2>Highest-scoring alerts and their evidence</h2>
<table><tr><th>time (JST)</th><th>kind</th><th>severity</th><th>subject</th><th>reasons</th><th>evidence</th></tr>
${top.map((a) => `<tr><td>${esc(jst(Date.parse(a.ts)))}</td><td>${esc(a.kind)}</td><td class="sev-${esc(a.severity)}">${esc(a.severity)} ${a.score.toFixed(2)}</td><td>${esc([a.account_id, a.symbol, a.ip].filter(Boolean).join(' '))}</td><td>${a.reasons.map((x) => `<code>${esc(x.code)}</code> ${esc(x.detail)}`).join('<br>')}</td><td>${a.event_ids.length} events</td></tr>`).join('')}
</table>
</body></html>
`;
}

function alertsPerHour(alerts: Alert[]) {
  if (alerts.length === 0) return { labels: [], series: {} };
  const HOUR = 3600_000;
  const times = alerts.map((a) => Date.parse(a.ts));
  const start = Math.floor(Math.min(...times) / HOUR) * HOUR;
  const end = Math.floor(Math.max(...times) / HOUR) * HOUR;
  // Long worlds are shown per day instead of per hour.
  const step = (end - start) / HOUR > 96 ? 24 * HOUR : HOUR;
  const base = Math.floor(start / step) * step;
  const n = Math.floor((end - base) / step) + 1;
  const labels = Array.from({ length: n }, (_, i) => jst(base + i * step).slice(0, step === HOUR ? 11 : 5));
  const series: Record<string, number[]> = {};
  alerts.forEach((a, i) => {
    const b = Math.floor((times[i] - base) / step);
    (series[a.kind] ??= new Array(n).fill(0))[b]++;
  });
  return { labels, series };
}

function campaignRows(alerts: Alert[]) {
  const by = new Map<string, Alert[]>();
  for (const a of alerts) if (a.campaign_id) by.set(a.campaign_id, [...(by.get(a.campaign_id) ?? []), a]);
  return [...by]
    .map(([id, list]) => {
      const kinds = new Map<string, number>();
      for (const a of list) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
      const times = list.map((a) => Date.parse(a.ts));
      return {
        id,
        size: list.length,
        kinds: [...kinds].map(([k, n]) => `${k} ×${n}`).join(', '),
        accounts: new Set(list.map((a) => a.account_id).filter(Boolean)).size,
        symbols: [...new Set(list.map((a) => a.symbol).filter(Boolean))].join(' '),
        first: Math.min(...times),
        last: Math.max(...times),
      };
    })
    .sort((a, b) => b.size - a.size)
    .slice(0, 20);
}

function metricsTable(m: Metrics): string {
  const rows: [string, string][] = [
    ['compromised accounts', `precision ${pct(m.accounts.precision)}, recall ${pct(m.accounts.recall)}, F1 ${pct(m.accounts.f1)}; delay median ${m.accounts.delay_median_s ?? '–'} s, p90 ${m.accounts.delay_p90_s ?? '–'} s`],
    ...Object.entries(m.accounts.by_variant).map(([v, b]): [string, string] => [`  variant ${v}`, `${b.accounts} accounts, recall ${pct(b.recall)}, median delay ${b.delay_median_s ?? '–'} s`]),
  ];
  if ('attempted_jpy' in m.loss) rows.push(['yen protected', `${pct(m.loss.protected_share)} (${yen(m.loss.protected_jpy)} of ${yen(m.loss.attempted_jpy)}); counting passkey step-ups ${pct(m.loss.protected_share_counting_step_up)}`]);
  if ('all' in m.logins && m.logins.all) {
    const l = m.logins.all;
    rows.push(['login score', `ROC AUC ${l.roc_auc ?? '–'}, PR AUC ${l.pr_auc ?? '–'}; attacks challenged at 0.1 / 1 / 5 % of customers challenged: ${Object.values(l.attack_challenged_at_legit_challenged).map(pct).join(' / ')}`]);
    rows.push(['customer re-challenge', `median ${pct(m.logins.median_customer_challenge_rate_after_12_logins)} after 12 logins`]);
  }
  rows.push(['pump episodes', `precision ${pct(m.pumps.precision)}, recall ${pct(m.pumps.recall)}, F1 ${pct(m.pumps.f1)}, median delay ${m.pumps.delay_median_s ?? '–'} s`]);
  rows.push(['beneficiaries', `precision ${pct(m.beneficiaries.precision)}, recall ${pct(m.beneficiaries.recall)}`]);
  rows.push(['stuffing sources', `precision ${pct(m.stuffing.precision)}, recall ${pct(m.stuffing.recall)}`]);
  rows.push(['benign lookalikes', `${m.benign_lookalikes.alerted} of ${m.benign_lookalikes.total} alerted, ${m.benign_lookalikes.held} held`]);
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}
