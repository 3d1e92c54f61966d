import { PALETTE, count, jst, label } from './format';

export interface StackedBarsProps {
  /** Bucket starts (ISO), oldest first, including empty buckets. */
  buckets: string[];
  /** Series name → value per bucket. */
  series: Record<string, number[]>;
  colors?: Record<string, string>;
  title: string;
  height?: number;
}

/** Stacked bars over time as plain SVG: no chart library, scales to its container. */
export function StackedBars({ buckets, series, colors, title, height = 270 }: StackedBarsProps) {
  const W = 900;
  const H = height;
  const pad = { l: 44, r: 215, t: 10, b: 34 };
  const names = Object.keys(series);
  const totals = buckets.map((_, i) => names.reduce((s, k) => s + (series[k]![i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const n = Math.max(1, buckets.length);
  const bw = (W - pad.l - pad.r) / n;
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const color = (k: string, j: number) => colors?.[k] ?? PALETTE[j % PALETTE.length]!;
  const ticks = [0, max / 2, max].map((v) => Math.round(v));
  const step = Math.max(1, Math.ceil(n / 7));
  const legendRows = Math.floor((H - pad.t) / 19) - 1;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-label={title}>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} className="grid" />
          <text x={pad.l - 6} y={y(v) + 4} className="tick" textAnchor="end">
            {count(v)}
          </text>
        </g>
      ))}
      {buckets.map((b, i) => {
        let acc = 0;
        return (
          <g key={b}>
            {names.map((k, j) => {
              const v = series[k]![i] ?? 0;
              if (v <= 0) return null;
              const y0 = y(acc);
              acc += v;
              const y1 = y(acc);
              return (
                <rect key={k} x={pad.l + i * bw + 0.5} y={y1} width={Math.max(1, bw - 1)} height={Math.max(0.5, y0 - y1)} fill={color(k, j)}>
                  <title>{`${jst(b)} JST · ${label(k)}: ${count(v)}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      {buckets.map((b, i) =>
        i % step === 0 ? (
          <text key={b} x={pad.l + i * bw} y={H - pad.b + 16} className="tick">
            {jst(b).slice(5)}
          </text>
        ) : null,
      )}
      {names.slice(0, legendRows).map((k, j) => (
        <g key={k} transform={`translate(${W - pad.r + 14},${pad.t + j * 19})`}>
          <rect width="12" height="12" fill={color(k, j)} rx="2" />
          <text x="18" y="10" className="legend">
            {label(k)}
          </text>
        </g>
      ))}
      {names.length > legendRows ? (
        <text x={W - pad.r + 14} y={pad.t + legendRows * 19 + 10} className="legend">
          {`+${names.length - legendRows} more`}
        </text>
      ) : null}
    </svg>
  );
}

/** Horizontal bars, one per label, with the count written beside each. */
export function HBars({ data, colors, order, onPick }: { data: Record<string, number>; colors?: Record<string, string>; order?: string[]; onPick?: (k: string) => void }) {
  // A fixed order (severity, outcome) reads the same on every visit; otherwise largest first.
  const rank = (k: string) => (order?.includes(k) ? order.indexOf(k) : Infinity);
  const rows = Object.entries(data).sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1]);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  return (
    <div className="hbars">
      {rows.map(([k, v], j) => (
        <div key={k} className={`hbar${onPick ? ' pick' : ''}`} onClick={onPick ? () => onPick(k) : undefined}>
          <span className="hbar-label">{label(k)}</span>
          <span className="hbar-track">
            <span className="hbar-fill" style={{ width: `${(v / max) * 100}%`, background: colors?.[k] ?? PALETTE[j % PALETTE.length] }} />
          </span>
          <span className="hbar-value">{count(v)}</span>
        </div>
      ))}
      {rows.length === 0 ? <p className="muted">nothing yet</p> : null}
    </div>
  );
}
