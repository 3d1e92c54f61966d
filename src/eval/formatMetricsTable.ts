import type { Metrics } from './computeMetrics.js';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : String(x));
const yen = (x: number | undefined): string => (x === undefined ? '–' : `¥${Math.round(x).toLocaleString('en-US')}`);

/** The evaluation as a readable table (the JSON carries the same figures and more). */
export function formatMetricsTable(m: Metrics): string {
  const rows: [string, string][] = [];
  const a = m.accounts;
  rows.push(['compromised accounts', `precision ${pct(a.precision)}  recall ${pct(a.recall)}  F1 ${pct(a.f1)}  (tp ${a.tp}, fp ${a.fp}, fn ${a.fn})`]);
  rows.push(['  detection delay', `median ${num(a.delay_median_s)} s, p90 ${num(a.delay_p90_s)} s from compromise; median ${num(a.delay_from_first_order_median_s)} s from the first malicious order`]);
  for (const [v, b] of Object.entries(a.by_variant)) rows.push([`  variant ${v}`, `${b.accounts} accounts, recall ${pct(b.recall)}, median delay ${num(b.delay_median_s)} s`]);
  for (const [cause, c] of Object.entries(a.false_positive_causes)) {
    const codes = Object.entries(c.reason_codes).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, n]) => `${k}×${n}`).join(', ');
    const kinds = Object.entries(c.lookalike_kinds).map(([k, n]) => `${k}×${n}`).join(', ');
    rows.push([`  false positives ${cause}`, `${c.accounts} accounts; reasons ${codes}; lookalikes ${kinds}; e.g. ${c.examples[0] ?? '–'}`]);
  }
  if ('attempted_jpy' in m.loss) {
    const l = m.loss;
    rows.push(['yen protected', `${pct(l.protected_share)} of ${yen(l.attempted_jpy)} attempted (lost ${yen(l.executed_before_hold_jpy)}); counting passkey step-up: ${pct(l.protected_share_counting_step_up)}`]);
  } else rows.push(['yen protected', m.loss.note]);
  if ('all' in m.logins) {
    const lg = m.logins;
    const line = (s: NonNullable<typeof lg.successful>) =>
      `AUC ${num(s.roc_auc)}, PR-AUC ${num(s.pr_auc)}; attacks challenged at 0.1/1/5 % legit: ${Object.values(s.attack_challenged_at_legit_challenged).map(pct).join(' / ')}; actual: attacks ${pct(s.operating_point.attack_challenged_share)}, legit ${pct(s.operating_point.legit_challenged_share)} (${s.attack} attack, ${s.legit} legit)`;
    rows.push(["logins (all)", line(lg.all!)]);
    if (lg.successful) rows.push(['logins (successful)', line(lg.successful)]);
    if (lg.history_rich) rows.push([`logins (≥ ${lg.history_min_logins} earlier)`, line(lg.history_rich)]);
    if (lg.history_poor) rows.push([`logins (< ${lg.history_min_logins} earlier)`, line(lg.history_poor)]);
    const xb = lg.excluding_beneficiary_logins;
    if (xb) {
      rows.push(['logins w/o beneficiaries (all)', line(xb.all)]);
      if (xb.successful) rows.push(['  … successful', line(xb.successful)]);
      if (xb.history_rich) rows.push([`  … ≥ ${lg.history_min_logins} earlier`, line(xb.history_rich)]);
      if (xb.history_poor) rows.push([`  … < ${lg.history_min_logins} earlier`, line(xb.history_poor)]);
    }
    if (lg.evaluated_from) rows.push(['  login figures from', lg.evaluated_from]);
    const rules = Object.entries(lg.legit_challenged_by_rule ?? {}).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    rows.push(['  legit challenged by rule', rules || '–']);
    rows.push(['  customer re-challenge', `median ${pct(lg.median_customer_challenge_rate_after_12_logins)} after 12 logins (${lg.customers_with_more_than_12_logins} customers)`]);
  } else rows.push(['logins', m.logins.note]);
  const p = m.pumps;
  rows.push(['pump episodes', `precision ${pct(p.precision)}  recall ${pct(p.recall)}  F1 ${pct(p.f1)}  median delay ${num(p.delay_median_s)} s (${p.labelled} labelled, ${p.alerted_episodes} alerted)`]);
  rows.push(['beneficiaries', `precision ${pct(m.beneficiaries.precision)}  recall ${pct(m.beneficiaries.recall)}`]);
  rows.push(['stuffing sources', `precision ${pct(m.stuffing.precision)}  recall ${pct(m.stuffing.recall)}  (tp ${m.stuffing.tp}, fp ${m.stuffing.fp}, fn ${m.stuffing.fn})`]);
  const b = m.benign_lookalikes;
  rows.push(['benign lookalikes', `${b.alerted} of ${b.total} alerted, ${b.held} held`]);
  for (const [k, v] of Object.entries(b.by_kind)) rows.push([`  ${k}`, `${v.alerted}/${v.total} alerted, ${v.held} held`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
