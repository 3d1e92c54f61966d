import type { DecisionRecord } from '../engine/types.js';
import { readNdjsonLines } from '../events/readNdjsonLines.js';
import { parseEventLine } from '../events/validateEvent.js';
import type { ChartMarker, PriceVolumePoint } from './svgCharts.js';

export interface EpisodeTape {
  symbol: string;
  points: PriceVolumePoint[];
  markers: ChartMarker[];
}

export interface CollectEpisodeTapeOptions {
  eventsPath: string;
  symbol: string;
  from: number;
  to: number;
  /** Bucket size in ms. Default 5 minutes. */
  bucketMs?: number;
  malicious: ReadonlySet<string>;
  beneficiaries: ReadonlySet<string>;
  decisions: Map<string, DecisionRecord>;
  /** account → time of the first hold/block/deny on it (later orders are held too). */
  firstStop: Map<string, number>;
}

const STOPPING = new Set(['hold', 'block', 'deny']);

/**
 * Read the tape of one symbol over one window from the events file, in price/volume buckets, with
 * the hijacked accounts' orders (executed or held by kabuguard) and the beneficiaries' sells marked.
 */
export async function collectEpisodeTape(o: CollectEpisodeTapeOptions): Promise<EpisodeTape> {
  const bucketMs = o.bucketMs ?? 5 * 60_000;
  const buckets = new Map<number, PriceVolumePoint>();
  const markers: ChartMarker[] = [];
  let lastPrice = 0;
  for await (const batch of readNdjsonLines(o.eventsPath)) {
    for (const line of batch.lines) {
      // Cheap pre-filter: only lines that mention the symbol can matter.
      if (!line.includes(o.symbol)) continue;
      const v = parseEventLine(line);
      if (!v.ok) continue;
      const ev = v.event;
      if (v.t < o.from || v.t > o.to) continue;
      if (ev.type === 'market_trade' && ev.symbol === o.symbol) {
        const b = Math.floor(v.t / bucketMs) * bucketMs;
        const p = buckets.get(b) ?? { t: b, close: ev.price, volume: 0 };
        p.close = ev.price;
        p.volume += ev.qty;
        buckets.set(b, p);
        lastPrice = ev.price;
      } else if (ev.type === 'order' && ev.symbol === o.symbol && ev.action === 'new') {
        const d = o.decisions.get(ev.id);
        const price = ev.limit_price ?? lastPrice;
        if (o.malicious.has(ev.id)) {
          const since = o.firstStop.get(ev.account_id);
          const stopped = (since !== undefined && since <= v.t) || (d !== undefined && STOPPING.has(d.decision));
          markers.push({
            t: v.t,
            price,
            kind: stopped ? 'held' : 'attack',
            label: `${ev.account_id} ${ev.side} ${ev.qty} @ ${ev.order_type === 'limit' ? ev.limit_price : 'market'} — ${stopped ? `held (${d?.reasons[0]?.code ?? 'account on hold'})` : 'executed'}`,
          });
        } else if (o.beneficiaries.has(ev.account_id) && ev.side === 'sell') {
          markers.push({ t: v.t, price, kind: 'beneficiary', label: `beneficiary ${ev.account_id} sells ${ev.qty}` });
        }
      }
    }
  }
  return { symbol: o.symbol, points: [...buckets.values()].sort((a, b) => a.t - b.t), markers };
}
