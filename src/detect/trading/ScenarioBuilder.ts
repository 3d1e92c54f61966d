import type {
  AccountChangeEvent,
  AccountEvent,
  ExecutionEvent,
  InstrumentEvent,
  KgEvent,
  LoginEvent,
  MarketTradeEvent,
  OrderEvent,
} from '../../events/schema.js';

const MIN = 60_000;
const DAY = 86_400_000;

export interface Device {
  ip: string;
  user_agent: string;
  device_id?: string;
  channel?: 'web' | 'app' | 'api';
}

/**
 * Writes small, readable event streams for tests and benchmarks of the trading detectors: a clock
 * that only moves forward, ids that follow the order of writing, and helpers for a symbol's normal
 * trading history. Every event it returns is valid under the contract schema.
 */
export class ScenarioBuilder {
  readonly events: KgEvent[] = [];
  private seq = 0;
  private sessions = 0;
  private orders = 0;

  constructor(public t = Date.parse('2025-04-01T00:00:00.000Z')) {}

  /** Move the clock forward. */
  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  private push<E extends KgEvent>(e: Omit<E, 'id' | 'ts'>): E {
    const ev = { ...e, id: `e${++this.seq}`, ts: new Date(this.t).toISOString() } as E;
    this.events.push(ev);
    this.t += 1;
    return ev;
  }

  instrument(symbol: string, market: InstrumentEvent['market'], extra: Partial<InstrumentEvent> = {}): InstrumentEvent {
    const currency = market === 'HKEX' ? 'HKD' : market === 'SSE' || market === 'SZSE' ? 'CNY' : market.startsWith('N') ? 'USD' : 'JPY';
    return this.push<InstrumentEvent>({ type: 'instrument', symbol, name: symbol, market, currency, issuer_country: 'JP', lot_size: 100, ...extra });
  }

  account(account_id: string, holdings: Array<{ symbol: string; qty: number }>, cash_jpy = 1_000_000, extra: Partial<AccountEvent> = {}): AccountEvent {
    return this.push<AccountEvent>({ type: 'account', account_id, opened_at: '2015-01-01T00:00:00.000Z', holdings, cash_jpy, ...extra });
  }

  trade(symbol: string, price: number, qty: number, aggressor?: 'buy' | 'sell'): MarketTradeEvent {
    return this.push<MarketTradeEvent>({ type: 'market_trade', symbol, price, qty, ...(aggressor ? { aggressor } : {}) });
  }

  /** `days` days of ordinary trading: `dailyVolume` shares a day in ten trades around `price`. */
  history(symbols: Array<{ symbol: string; price: number; dailyVolume: number }>, days: number): this {
    for (let d = 0; d < days; d++) {
      for (let i = 0; i < 10; i++) {
        for (const s of symbols) this.trade(s.symbol, s.price, Math.max(1, Math.round(s.dailyVolume / 10)));
        this.wait(30 * MIN);
      }
      this.wait(DAY - 10 * 30 * MIN);
    }
    return this;
  }

  login(account_id: string, dev: Device, extra: Partial<LoginEvent> = {}): LoginEvent & { session_id: string } {
    const session_id = `s${++this.sessions}`;
    return this.push<LoginEvent>({
      type: 'login',
      account_id,
      login_id_fp: `fp-${account_id}`,
      ip: dev.ip,
      user_agent: dev.user_agent,
      ...(dev.device_id ? { device_id: dev.device_id } : {}),
      channel: dev.channel ?? 'web',
      outcome: 'success',
      mfa: 'sms',
      session_id,
      ...extra,
    }) as LoginEvent & { session_id: string };
  }

  order(
    login: { account_id: string | null; session_id: string; ip: string; user_agent: string; channel: LoginEvent['channel'] },
    o: { symbol: string; side: 'buy' | 'sell'; qty: number; limit_price?: number; margin?: boolean; action?: OrderEvent['action'] },
  ): OrderEvent {
    return this.push<OrderEvent>({
      type: 'order',
      order_id: `o${++this.orders}`,
      account_id: login.account_id ?? '',
      session_id: login.session_id,
      ip: login.ip,
      user_agent: login.user_agent,
      channel: login.channel,
      symbol: o.symbol,
      side: o.side,
      qty: o.qty,
      order_type: o.limit_price === undefined ? 'market' : 'limit',
      ...(o.limit_price === undefined ? {} : { limit_price: o.limit_price }),
      action: o.action ?? 'new',
      ...(o.margin === undefined ? {} : { margin: o.margin }),
    });
  }

  /** A change of account settings made in a session. */
  change(login: { account_id: string | null; session_id: string; ip: string; user_agent: string }, field: AccountChangeEvent['field']): AccountChangeEvent {
    return this.push<AccountChangeEvent>({ type: 'account_change', account_id: login.account_id ?? '', session_id: login.session_id, ip: login.ip, user_agent: login.user_agent, field });
  }

  execution(order: OrderEvent, price: number, qty = order.qty): ExecutionEvent {
    return this.push<ExecutionEvent>({
      type: 'execution',
      exec_id: `x${this.seq + 1}`,
      order_id: order.order_id,
      account_id: order.account_id,
      symbol: order.symbol,
      side: order.side,
      qty,
      price,
    });
  }

  /** An order that fills at once at `price`, with the matching tape print. */
  filled(login: Parameters<ScenarioBuilder['order']>[0], o: Parameters<ScenarioBuilder['order']>[1], price: number): OrderEvent {
    const ord = this.order(login, o);
    this.execution(ord, price);
    this.trade(o.symbol, price, o.qty, o.side);
    return ord;
  }
}
