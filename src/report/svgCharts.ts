/**
 * Two small chart kinds for the HTML report, as self-contained SVG strings: the report must open
 * offline on an analyst's machine, so it carries no script and loads nothing.
 */

export interface StackedSeries {
  /** Bucket start labels (x axis), one per bar. */
  labels: string[];
  /** name → values per bucket. */
  series: Record<string, number[]>;
}

const PALETTE = ['#d62728', '#ff7f0e', '#9467bd', '#1f77b4', '#2ca02c', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#e7ba52', '#5254a3', '#843c39'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Stacked bar chart (e.g. alerts per hour by kind). */
export function stackedBarChart(data: StackedSeries, opts: { width?: number; height?: number; title: string }): string {
  const W = opts.width ?? 900;
  const H = opts.height ?? 260;
  const pad = { l: 44, r: 150, t: 28, b: 40 };
  const n = data.labels.length;
  const names = Object.keys(data.series);
  const totals = data.labels.map((_, i) => names.reduce((s, k) => s + (data.series[k][i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const bw = (W - pad.l - pad.r) / Math.max(1, n);
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const parts: string[] = [`<text x="${pad.l}" y="16" class="title">${esc(opts.title)}</text>`];
  for (let i = 0; i < n; i++) {
    let acc = 0;
    names.forEach((k, j) => {
      const v = data.series[k][i] ?? 0;
      if (v <= 0) return;
      const y0 = y(acc);
      const y1 = y(acc + v);
      acc += v;
      parts.push(`<rect x="${(pad.l + i * bw + 0.5).toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${PALETTE[j % PALETTE.length]}"><title>${esc(data.labels[i])}: ${esc(k)} ${v}</title></rect>`);
    });
  }
  parts.push(axisY(pad.l, pad.t, H - pad.b, max));
  const step = Math.max(1, Math.ceil(n / 8));
  for (let i = 0; i < n; i += step) parts.push(`<text x="${(pad.l + i * bw).toFixed(1)}" y="${H - pad.b + 14}" class="tick">${esc(data.labels[i])}</text>`);
  names.forEach((k, j) => {
    parts.push(`<rect x="${W - pad.r + 12}" y="${pad.t + j * 18}" width="12" height="12" fill="${PALETTE[j % PALETTE.length]}"/>`);
    parts.push(`<text x="${W - pad.r + 30}" y="${pad.t + j * 18 + 10}" class="legend">${esc(k)}</text>`);
  });
  return svg(W, H, parts);
}

export interface PriceVolumePoint {
  /** epoch ms, bucket start */
  t: number;
  close: number;
  volume: number;
}

export interface ChartMarker {
  t: number;
  price: number;
  /** `attack` hijacked order, `held` hijacked order kabuguard held/blocked, `beneficiary` a beneficiary sell. */
  kind: 'attack' | 'held' | 'beneficiary';
  label: string;
}

/** Price line over volume bars, with markers for orders and vertical lines for alerts. */
export function priceVolumeChart(
  points: PriceVolumePoint[],
  markers: ChartMarker[],
  alertLines: { t: number; label: string }[],
  opts: { width?: number; height?: number; title: string; timeLabel: (t: number) => string },
): string {
  const W = opts.width ?? 900;
  const H = opts.height ?? 340;
  const pad = { l: 54, r: 54, t: 28, b: 40 };
  if (points.length === 0) return svg(W, 60, [`<text x="10" y="30" class="title">${esc(opts.title)}: no trades</text>`]);
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const prices = [...points.map((p) => p.close), ...markers.map((m) => m.price)];
  const pMin = Math.min(...prices) * 0.98;
  const pMax = Math.max(...prices) * 1.02;
  const vMax = Math.max(1, ...points.map((p) => p.volume));
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - pad.l - pad.r);
  const yp = (p: number) => pad.t + (1 - (p - pMin) / (pMax - pMin || 1)) * (H - pad.t - pad.b);
  const volH = (H - pad.t - pad.b) * 0.35;
  const bw = Math.max(1, (W - pad.l - pad.r) / points.length - 0.5);
  const parts: string[] = [`<text x="${pad.l}" y="16" class="title">${esc(opts.title)}</text>`];
  for (const p of points) {
    const h = (p.volume / vMax) * volH;
    parts.push(`<rect x="${x(p.t).toFixed(1)}" y="${(H - pad.b - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="#c7d7ea"><title>${esc(opts.timeLabel(p.t))} volume ${p.volume}</title></rect>`);
  }
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${yp(p.close).toFixed(1)}`).join('');
  parts.push(`<path d="${path}" fill="none" stroke="#222" stroke-width="1.5"/>`);
  for (const a of alertLines) {
    parts.push(`<line x1="${x(a.t).toFixed(1)}" x2="${x(a.t).toFixed(1)}" y1="${pad.t}" y2="${H - pad.b}" stroke="#d62728" stroke-dasharray="4 3"><title>${esc(a.label)}</title></line>`);
  }
  const colour = { attack: '#d62728', held: '#2ca02c', beneficiary: '#1f77b4' } as const;
  for (const m of markers) {
    const cx = x(m.t).toFixed(1);
    const cy = yp(m.price).toFixed(1);
    const shape =
      m.kind === 'beneficiary'
        ? `<circle cx="${cx}" cy="${cy}" r="4" fill="${colour[m.kind]}" fill-opacity="0.8"/>`
        : `<path d="M${cx},${(+cy - 6).toFixed(1)} l5,9 h-10 z" fill="${m.kind === 'held' ? 'none' : colour[m.kind]}" stroke="${colour[m.kind]}" stroke-width="1.5"/>`;
    parts.push(`<g><title>${esc(m.label)}</title>${shape}</g>`);
  }
  parts.push(axisY(pad.l, pad.t, H - pad.b, pMax, pMin));
  for (let i = 0; i <= 6; i++) {
    const t = t0 + ((t1 - t0) * i) / 6;
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - pad.b + 14}" class="tick">${esc(opts.timeLabel(t))}</text>`);
  }
  const legend: [string, string][] = [
    ['hijacked order, executed', colour.attack],
    ['hijacked order, held by kabuguard', colour.held],
    ['beneficiary sell', colour.beneficiary],
    ['alert', '#d62728'],
  ];
  legend.forEach(([label, c], i) => {
    parts.push(`<rect x="${W - pad.r - 220}" y="${pad.t + i * 16}" width="10" height="10" fill="${c}"/><text x="${W - pad.r - 205}" y="${pad.t + i * 16 + 9}" class="legend">${esc(label)}</text>`);
  });
  return svg(W, H, parts);
}

function axisY(x: number, top: number, bottom: number, max: number, min = 0): string {
  const out: string[] = [`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#999"/>`];
  for (let i = 0; i <= 4; i++) {
    const v = min + ((max - min) * i) / 4;
    const yy = bottom - ((bottom - top) * i) / 4;
    out.push(`<text x="${x - 6}" y="${yy + 4}" class="tick" text-anchor="end">${Number.isInteger(v) || v > 100 ? Math.round(v) : v.toFixed(1)}</text>`);
  }
  return out.join('');
}

function svg(W: number, H: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`;
}
