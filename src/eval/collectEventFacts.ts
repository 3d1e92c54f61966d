import { fxToJpy } from '../events/fx.js';
import type { KgEvent } from '../events/schema.js';

/** One order the attackers placed, valued in yen. */
export interface MaliciousOrder {
  event_id: string;
  order_id: string;
  account_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  t: number;
  /** qty × (limit price, else the last tape price, else the fill price) in yen. */
  attempted_jpy: number;
  /** Yen value of the executions of this order. */
  executed_jpy: number;
}

export interface EventFacts {
  maliciousOrders: MaliciousOrder[];
  /** Ids of login events whose outcome was `success`. */
  successfulLogins: Set<string>;
  /** Events seen, by type (for the report). */
  counts: Record<string, number>;
}

/**
 * Streams through the events once and keeps only what the loss metric needs: the attackers'
 * new orders and the yen value of their executions.
 */
export class EventFactsCollector {
  private currency = new Map<string, string>();
  private lastPrice = new Map<string, number>();
  private orders = new Map<string, MaliciousOrder>();
  private pendingFills = new Map<string, number>();
  private counts: Record<string, number> = {};
  private successfulLogins = new Set<string>();

  constructor(private readonly malicious: ReadonlySet<string>) {}

  add(ev: KgEvent): void {
    this.counts[ev.type] = (this.counts[ev.type] ?? 0) + 1;
    switch (ev.type) {
      case 'instrument':
        this.currency.set(ev.symbol, ev.currency);
        break;
      case 'login':
        if (ev.outcome === 'success') this.successfulLogins.add(ev.id);
        break;
      case 'market_trade':
        this.lastPrice.set(ev.symbol, ev.price);
        break;
      case 'order': {
        if (ev.action !== 'new' || !this.malicious.has(ev.id)) break;
        const px = ev.limit_price ?? this.lastPrice.get(ev.symbol) ?? 0;
        const o: MaliciousOrder = {
          event_id: ev.id,
          order_id: ev.order_id,
          account_id: ev.account_id,
          symbol: ev.symbol,
          side: ev.side,
          t: Date.parse(ev.ts),
          attempted_jpy: ev.qty * px * this.fx(ev.symbol),
          executed_jpy: this.pendingFills.get(ev.order_id) ?? 0,
        };
        this.pendingFills.delete(ev.order_id);
        this.orders.set(ev.order_id, o);
        break;
      }
      case 'execution': {
        const value = ev.qty * ev.price * this.fx(ev.symbol);
        const o = this.orders.get(ev.order_id);
        if (o) {
          o.executed_jpy += value;
          if (o.attempted_jpy === 0) o.attempted_jpy = o.executed_jpy;
        } else if (this.malicious.has(ev.id)) {
          // An execution that arrived before its order (interleaved sources).
          this.pendingFills.set(ev.order_id, (this.pendingFills.get(ev.order_id) ?? 0) + value);
        }
        break;
      }
      default:
        break;
    }
  }

  result(): EventFacts {
    // A market order whose price was unknown when placed is valued at what it filled for.
    for (const o of this.orders.values()) if (o.attempted_jpy < o.executed_jpy) o.attempted_jpy = o.executed_jpy;
    return { maliciousOrders: [...this.orders.values()], successfulLogins: this.successfulLogins, counts: this.counts };
  }

  private fx(symbol: string): number {
    return fxToJpy(this.currency.get(symbol));
  }
}
