import type { ExecutionEvent, KgEvent, LoginEvent, OrderEvent } from '../../events/schema.js';
import type { Alert, AlertContext, AssessContext, Detector, ObserveContext, RuleResult } from '../../engine/types.js';
import { jstDay } from '../../engine/WorldState.js';
import type { DecisionEvent } from '../../events/schema.js';
import { assessOrder, sellValue, type OrderAssessment } from './assessOrder.js';
import { describeSymbol } from './describeSymbol.js';
import { findBeneficiary } from './findBeneficiary.js';
import { networkOf, wideNetworkOf } from './networkOf.js';
import { resolveTradingOptions, type ResolvedTradingOptions, type TradingDetectorOptions } from './TradingDetectorOptions.js';
import {
  createTradingProfile,
  createTradingState,
  type Episode,
  type PositionTrack,
  type SymbolBuying,
  type TradingProfile,
  type TradingState,
} from './TradingState.js';

const MIN = 60_000;
const DAY = 86_400_000;
const RECENT_ORDERS = 12;
const RECENT_BUYS = 60;
const MAX_BUYS = 300;
const SHARED_KEEP = 16;
const MAX_SESSION_NETWORKS = 100_000;
const MAX_KNOWN_VALUES = 32;
const MAX_SELLS = 300;
const MAX_HIJACKED_BUYS = 3000;
const EPISODE_IDLE_MS = DAY;
const SELL_KEEP_MS = 3 * DAY;
const CONTACT_FIELDS = new Set(['email', 'phone', 'notification', 'bank_account', 'mfa']);

/**
 * Trading defence in one detector, because its parts read each other's state: pre-trade decisions
 * on orders; coordinated buying of a thin symbol by several risky accounts (`coordinated_trading`,
 * `account_takeover`); and the accounts that accumulated the symbol beforehand and sold into the
 * hijacked buying (`beneficiary`).
 */
export class TradingDetector implements Detector {
  readonly name = 'trading';
  private state: TradingState = createTradingState();
  private readonly opts: ResolvedTradingOptions;
  /** The assessment of the event being processed, handed from `assess` to `observe` (same event). */
  private last?: { id: string; a: OrderAssessment };

  constructor(options: TradingDetectorOptions = {}) {
    this.opts = resolveTradingOptions(options);
  }

  assess(ev: DecisionEvent, ctx: AssessContext): RuleResult | undefined {
    if (ev.type !== 'order') return undefined;
    const a = assessOrder(ev, ctx.t, ctx.world, this.state, this.opts);
    this.last = { id: ev.id, a };
    return a.result;
  }

  observe(ev: KgEvent, ctx: ObserveContext): void {
    this.flushPending(ctx);
    switch (ev.type) {
      case 'account': {
        const p = this.profile(ev.account_id);
        for (const h of ev.holdings) this.learnSymbol(p, h.symbol, ctx);
        break;
      }
      case 'login':
        this.observeLogin(ev, ctx);
        break;
      case 'account_change':
        // How the customer is told about trades, and where money goes: what a thief changes first.
        if (CONTACT_FIELDS.has(ev.field)) this.state.contact_changes.set(ev.account_id, [ctx.t, ev.field, ev.id, ev.session_id]);
        break;
      case 'order':
        this.observeOrder(ev, ctx);
        break;
      case 'execution':
        this.observeExecution(ev, ctx);
        break;
      case 'market_trade':
        this.observeTrade(ev.symbol, ev.qty, ctx.t);
        break;
      default:
        break;
    }
  }

  onAlert(alert: Alert, ctx: AlertContext): void {
    const s = this.state;
    // A takeover alert names a hijacked account; a session_hijack alone (an address change in a
    // session) is too weak to count its buys as hijacked buying.
    if (alert.kind === 'account_takeover' && alert.account_id) {
      s.takeover_alerted.set(alert.account_id, ctx.t);
      if (!s.suspects.has(alert.account_id)) {
        const since = Date.parse(alert.window?.start ?? alert.ts);
        this.markSuspect(alert.account_id, Number.isNaN(since) ? ctx.t : since, 'alert');
      }
    } else if (alert.kind === 'pump_and_dump' && alert.symbol) {
      const onset = parseTime(alert.data?.onset_ts) ?? parseTime(alert.data?.onset) ?? parseTime(alert.window?.start) ?? ctx.t;
      const ref = typeof alert.data?.ref_price === 'number' ? alert.data.ref_price : undefined;
      this.openEpisode(alert.symbol, onset, ctx.t, 'tape', ctx, ref);
    }
  }

  finish(ctx: ObserveContext): void {
    this.flushPending(ctx);
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = state as TradingState;
  }

  /** Restrict buying of a symbol from now on (the list API; the file goes through `parseRestrictedSymbols`). */
  restrict(symbol: string, reason = 'on the restricted list'): void {
    this.opts.restricted.set(symbol, reason);
  }

  /** Lift a restriction; returns whether the symbol was restricted. */
  unrestrict(symbol: string): boolean {
    return this.opts.restricted.delete(symbol);
  }

  /** The restricted symbols and their reasons, as they stand now. */
  restrictedSymbols(): ReadonlyMap<string, string> {
    return this.opts.restricted;
  }

  /** The detector's state, read-only, for summaries and tests. */
  get view(): Readonly<TradingState> {
    return this.state;
  }

  private profile(account: string): TradingProfile {
    let p = this.state.profiles.get(account);
    if (!p) {
      p = createTradingProfile();
      this.state.profiles.set(account, p);
    }
    return p;
  }

  private learnSymbol(p: TradingProfile, symbol: string, ctx: { world: ObserveContext['world'] }): void {
    p.symbols.add(symbol);
    const m = ctx.world.instruments.get(symbol)?.market;
    if (m) p.markets.add(m);
  }

  private observeLogin(ev: LoginEvent, ctx: ObserveContext): void {
    if (ev.outcome !== 'success' || !ev.account_id) return;
    if (ev.device_id) pushAccount(this.state.device_accounts, ev.device_id, ev.account_id, ctx.t);
    pushAccount(this.state.network_accounts, networkOf(ev.ip), ev.account_id, ctx.t);
    // Every successful login is remembered with its time, so novelty is judged against what came
    // before the session; an account under suspicion learns nothing until it is cleared.
    if (this.state.suspects.has(ev.account_id)) return;
    const p = this.profile(ev.account_id);
    p.logins++;
    if (p.first_login_t < 0) p.first_login_t = ctx.t;
    remember(p.networks, networkOf(ev.ip), ctx.t, 1);
    if (ev.device_id) remember(p.devices, ev.device_id, ctx.t, 1);
    remember(p.user_agents, ev.user_agent, ctx.t, 1);
  }

  private observeOrder(ev: OrderEvent, ctx: ObserveContext): void {
    const s = this.state;
    const a = this.last?.id === ev.id ? this.last.a : assessOrder(ev, ctx.t, ctx.world, s, this.opts);
    this.last = undefined;
    if (ev.action === 'cancel') return;
    const decision = ctx.decision?.decision ?? 'allow';
    const p = this.profile(ev.account_id);
    p.recent_order_t.push(ctx.t);
    if (p.recent_order_t.length > RECENT_ORDERS) p.recent_order_t.shift();
    pushCapped(s.order_events, ev.account_id, ev.id, 20);
    const sess = a.session;
    if (sess && networkOf(ev.ip) !== networkOf(sess.ip)) {
      const wide = wideNetworkOf(ev.ip) ?? ev.ip;
      let nets = s.session_networks.get(sess.session_id);
      if (!nets) {
        nets = [wideNetworkOf(sess.ip) ?? sess.ip];
        s.session_networks.set(sess.session_id, nets);
        // Oldest sessions first out: a bound on memory, not a window (sessions idle out after days).
        if (s.session_networks.size > MAX_SESSION_NETWORKS) s.session_networks.delete(s.session_networks.keys().next().value!);
      }
      if (!nets.includes(wide) && nets.length < 16) nets.push(wide);
    }
    if (ev.side === 'buy' && ev.action === 'new') {
      let rb = s.recent_buys.get(ev.account_id);
      if (!rb) {
        rb = [];
        s.recent_buys.set(ev.account_id, rb);
      }
      rb.push([ev.symbol, ctx.t, ev.qty]);
      while (rb.length > RECENT_BUYS || (rb.length > 0 && ctx.t - rb[0][1] > DAY)) rb.shift();
    }

    if (ev.side === 'sell' && ev.action === 'new') {
      const liq = s.liquidations.get(ev.account_id);
      const sold = sellValue(ev, ctx.world, a.yen, a.symbol);
      if (liq && ctx.t - liq.start_t <= this.opts.liquidationWindowMs) liq.sold_yen += sold;
      else s.liquidations.set(ev.account_id, { start_t: ctx.t, base_yen: Math.max(ctx.world.portfolioValueJpy(ev.account_id), sold), sold_yen: sold });
    }

    if (decision === 'allow' && !s.suspects.has(ev.account_id)) this.learnOrder(p, ev, a, ctx);

    if (a.suspicious && (decision === 'hold' || decision === 'block') && !s.suspects.has(ev.account_id)) {
      this.markSuspect(ev.account_id, a.session?.t ?? ctx.t, 'pre_trade', ev.session_id);
      // A sell-off from a session merely new to the customer is held for their confirmation; it is
      // named a takeover once there is evidence of theft (here, or at the held account's next buy).
      if (a.theft) this.queueTakeover(ev, a, ctx, 'pre_trade');
      else if (ev.side === 'sell') s.suspects.get(ev.account_id)!.sell_off = true;
    } else if (a.confirms) {
      this.queueTakeover(ev, a, ctx, 'pre_trade');
    }
    const suspect = s.suspects.has(ev.account_id);
    if (ev.side === 'buy' && suspect) s.suspect_orders.set(ev.order_id, ev.account_id);
    if (ev.side === 'buy' && ev.action === 'new' && a.symbol.thin) {
      // Hijacked accounts buy a name they never held with the proceeds of everything else; an
      // account adding to a name it already holds (a beneficiary's support bid, a fan of the stock) is
      // a buyer but not a hijacked one.
      // A position learned before any suspicion counts even for a held account: the ring's own
      // accounts accumulate the target and are held at times too, but they are not hijacked.
      const held = (ctx.world.accounts.get(ev.account_id)?.holdings.get(ev.symbol) ?? 0) > 0;
      const heldBefore = p.symbols.has(ev.symbol) || (!suspect && held) || (held && !this.namedHijacked(ev.account_id));
      const suspicious = !heldBefore && (suspect || a.suspicious || (a.liquidated_share >= 0.5 && a.context >= 0.25));
      this.trackCoordination(ev, a, suspicious, ctx);
      if (suspicious && s.suspects.has(ev.account_id)) {
        const ep = this.openEpisode(ev.symbol, ctx.t, ctx.t, 'hijacked_buying', ctx);
        ep.hijacked.add(ev.account_id);
        ep.last_t = ctx.t;
      }
    }
  }

  private learnOrder(p: TradingProfile, ev: OrderEvent, a: OrderAssessment, ctx: ObserveContext): void {
    p.orders++;
    this.learnSymbol(p, ev.symbol, ctx);
    if (ev.margin) p.used_margin = true;
    p.channels.add(ev.channel);
    remember(p.networks, networkOf(ev.ip), ctx.t, 0);
    if (a.yen > 0) {
      // Welford on log yen: order sizes are log-normal, and a mean of yen is dominated by one big order.
      const x = Math.log(a.yen);
      const n = p.orders;
      const d = x - p.log_yen_mean;
      p.log_yen_mean += d / n;
      p.log_yen_m2 += d * (x - p.log_yen_mean);
    }
    const day = jstDay(ctx.t);
    if (day !== p.last_active_day) {
      p.last_active_day = day;
      p.active_days++;
    }
  }

  /**
   * An account named hijacked (a takeover alert, or coordinated buying), not one merely held for
   * confirmation: only the named ones' trades are the attacker's rather than the account's own.
   */
  private namedHijacked(account: string): boolean {
    const sus = this.state.suspects.get(account);
    return sus !== undefined && (sus.source !== 'pre_trade' || this.state.takeover_alerted.has(account) || this.state.pending_takeovers.some((p) => p.account_id === account));
  }

  private markSuspect(account: string, since: number, source: 'pre_trade' | 'coordination' | 'alert', session_id?: string): void {
    this.state.suspects.set(account, { since_t: since, session_id, source });
    // What the attacker brought with them must not become "known" to the profile.
    const p = this.state.profiles.get(account);
    if (p) for (const m of [p.networks, p.devices, p.user_agents]) for (const [k, [t]] of m) if (t >= since) m.delete(k);
  }

  private queueTakeover(ev: OrderEvent, a: OrderAssessment, ctx: ObserveContext, source: 'pre_trade' | 'coordination', extra: Record<string, unknown> = {}): void {
    const s = this.state;
    const last = s.takeover_alerted.get(ev.account_id);
    if (last !== undefined && ctx.t - last < this.opts.takeoverDedupMs) return;
    if (s.pending_takeovers.some((p) => p.account_id === ev.account_id)) return;
    const sess = a.session;
    const ids = [...(sess ? [sess.login_event_id] : []), ...(s.order_events.get(ev.account_id) ?? [])];
    s.pending_takeovers.push({
      account_id: ev.account_id,
      due_t: ctx.t,
      ts: ev.ts,
      score: Math.max(0.5, Math.round(Math.sqrt(a.context * a.order) * 1000) / 1000),
      severity: source === 'coordination' ? 'critical' : 'high',
      ip: sess?.ip ?? ev.ip,
      reasons: [
        {
          code: source === 'coordination' ? 'COORDINATED_HIJACKED_BUYING' : 'HIJACK_PATTERN_AT_ORDER',
          detail:
            source === 'coordination'
              ? `one of several risky accounts buying thin ${ev.symbol} together`
              : `order unlike the customer from a session unlike the customer (context ${a.context.toFixed(2)}, order ${a.order.toFixed(2)})`,
        },
        ...(a.result.reasons ?? []).filter((r) => r.code !== 'ACCOUNT_ON_HOLD').slice(0, 8),
      ],
      event_ids: [...new Set(ids)],
      window: { start: new Date(sess?.t ?? ctx.t).toISOString(), end: ev.ts },
      data: {
        source,
        session_id: ev.session_id,
        since_t: sess?.t ?? ctx.t,
        network: networkOf(sess?.ip ?? ev.ip),
        ...(sess?.device_id ? { device_id: sess.device_id } : {}),
        user_agent: sess?.user_agent ?? ev.user_agent,
        context_score: round3(a.context),
        order_score: round3(a.order),
        ...extra,
      },
    });
  }

  /**
   * Raise what was deferred to this point. Takeover alerts wait one event so that an
   * `account_takeover` the login defence raised for the same account in the same step (seen in
   * `onAlert`) is not doubled.
   */
  private flushPending(ctx: ObserveContext): void {
    const s = this.state;
    if (s.pending_takeovers.length > 0) {
      const due = s.pending_takeovers;
      s.pending_takeovers = [];
      for (const p of due) {
        const last = s.takeover_alerted.get(p.account_id);
        if (last !== undefined && p.due_t - last < this.opts.takeoverDedupMs) continue;
        s.takeover_alerted.set(p.account_id, p.due_t);
        ctx.raise({
          kind: 'account_takeover',
          ts: p.ts,
          severity: p.severity,
          score: p.score,
          account_id: p.account_id,
          ip: p.ip,
          window: p.window,
          reasons: p.reasons,
          event_ids: p.event_ids,
          data: p.data,
        });
      }
    }
    if (s.pending_checks.length > 0) {
      const symbols = s.pending_checks;
      s.pending_checks = [];
      for (const sym of new Set(symbols)) {
        const holders = s.positions.get(sym);
        if (holders) for (const acct of holders.keys()) this.checkBeneficiary(sym, acct, ctx);
      }
    }
  }

  private trackCoordination(ev: OrderEvent, a: OrderAssessment, suspicious: boolean, ctx: ObserveContext): void {
    const s = this.state;
    const win = this.opts.coordinationWindowMs;
    let sb = s.buying.get(ev.symbol);
    if (!sb) {
      sb = { buys: [], per_account: new Map(), risky_accounts: 0, alerted_t: -1, named: new Set() };
      s.buying.set(ev.symbol, sb);
    }
    while (sb.buys.length > 0 && ctx.t - sb.buys[0].t > win) {
      const old = sb.buys.shift()!;
      const c = sb.per_account.get(old.account_id)!;
      c[0]--;
      if (old.suspicious && --c[1] === 0) sb.risky_accounts--;
      if (c[0] === 0) sb.per_account.delete(old.account_id);
    }
    if (sb.buys.length === 0 && sb.alerted_t >= 0 && ctx.t - sb.alerted_t > win) {
      sb.alerted_t = -1;
      sb.named = new Set();
    }
    sb.buys.push({ account_id: ev.account_id, t: ctx.t, event_id: ev.id, yen: a.yen, suspicious, ip: ev.ip });
    let c = sb.per_account.get(ev.account_id);
    if (!c) {
      c = [0, 0];
      sb.per_account.set(ev.account_id, c);
    }
    c[0]++;
    if (suspicious && c[1]++ === 0) sb.risky_accounts++;

    if (sb.alerted_t >= 0) {
      if (suspicious && !sb.named.has(ev.account_id)) {
        sb.named.add(ev.account_id);
        this.markCoordinated(ev, a, ctx, sb);
      }
      return;
    }
    const risky = sb.risky_accounts;
    const total = sb.per_account.size;
    // Two accounts buying the same small cap within hours happens by chance at any broker; the
    // attack brings several hijacked accounts (brief.md §2: about ten an episode).
    if (total < this.opts.minCoordinatedAccounts || risky < this.opts.minCoordinatedAccounts || risky / total < this.opts.minSuspiciousShare) return;
    const accounts = new Map<string, boolean>([...sb.per_account].map(([k, v]) => [k, v[1] > 0]));

    sb.alerted_t = ctx.t;
    const named = [...accounts.entries()].filter(([, v]) => v).map(([k]) => k).sort();
    sb.named = new Set(named);
    const buys = sb.buys.filter((b) => b.suspicious);
    const yen = buys.reduce((x, b) => x + b.yen, 0);
    const networks = [...new Set(buys.map((b) => networkOf(b.ip)))].sort();
    ctx.raise({
      kind: 'coordinated_trading',
      severity: 'critical',
      score: Math.min(1, 0.6 + 0.1 * risky),
      symbol: ev.symbol,
      window: { start: new Date(sb.buys[0].t).toISOString(), end: ev.ts },
      reasons: [
        {
          code: 'COORDINATED_THIN_BUYING',
          detail: `${risky} of ${accounts.size} accounts buying thin ${ev.symbol} within ${Math.round(win / MIN)} min have a risky session or just liquidated: ${named.join(', ')}`,
        },
      ],
      event_ids: buys.map((b) => b.event_id).slice(0, 200),
      data: { accounts: named, all_buyers: [...accounts.keys()].sort(), yen_attempted: Math.round(yen), networks },
    });
    for (const acct of named) {
      const ownBuy = [...buys].reverse().find((b) => b.account_id === acct);
      if (!ownBuy) continue;
      if (!s.suspects.has(acct)) this.markSuspect(acct, ownBuy.t, 'coordination');
      const ep = this.openEpisode(ev.symbol, buys[0].t, ctx.t, 'coordination', ctx);
      ep.hijacked.add(acct);
      if (acct === ev.account_id) this.queueTakeover(ev, a, ctx, 'coordination', { symbol: ev.symbol });
      else this.queueTakeoverFor(acct, ownBuy.event_id, ev, ctx);
    }
  }

  /** A risky account joins buying already alerted as coordinated: say so, so the campaign links it. */
  private markCoordinated(ev: OrderEvent, a: OrderAssessment, ctx: ObserveContext, sb: SymbolBuying): void {
    if (!this.state.suspects.has(ev.account_id)) this.markSuspect(ev.account_id, a.session?.t ?? ctx.t, 'coordination', ev.session_id);
    const ep = this.openEpisode(ev.symbol, ctx.t, ctx.t, 'coordination', ctx);
    ep.hijacked.add(ev.account_id);
    ctx.raise({
      kind: 'coordinated_trading_update',
      severity: 'high',
      score: 0.8,
      symbol: ev.symbol,
      account_id: ev.account_id,
      window: { start: new Date(sb.alerted_t).toISOString(), end: ev.ts },
      reasons: [{ code: 'JOINS_COORDINATED_BUYING', detail: `${ev.account_id} joins the coordinated buying of ${ev.symbol} (${sb.named.size} accounts so far)` }],
      event_ids: [ev.id],
      data: { accounts: [ev.account_id], all_named: [...sb.named].sort() },
    });
    this.queueTakeover(ev, a, ctx, 'coordination', { symbol: ev.symbol });
  }

  /** A takeover alert for another account named by a coordination alert (its session is looked up). */
  private queueTakeoverFor(account: string, buyEventId: string, ev: OrderEvent, ctx: ObserveContext): void {
    const s = this.state;
    const last = s.takeover_alerted.get(account);
    if (last !== undefined && ctx.t - last < this.opts.takeoverDedupMs) return;
    if (s.pending_takeovers.some((p) => p.account_id === account)) return;
    const ids = s.order_events.get(account) ?? [buyEventId];
    s.pending_takeovers.push({
      account_id: account,
      due_t: ctx.t,
      ts: ev.ts,
      score: 0.8,
      severity: 'critical',
      reasons: [{ code: 'COORDINATED_HIJACKED_BUYING', detail: `one of several risky accounts buying thin ${ev.symbol} together` }],
      event_ids: [...new Set(ids)],
      window: { start: new Date(s.suspects.get(account)?.since_t ?? ctx.t).toISOString(), end: ev.ts },
      data: { source: 'coordination', symbol: ev.symbol, since_t: s.suspects.get(account)?.since_t ?? ctx.t },
    });
  }

  private openEpisode(symbol: string, onset: number, t: number, source: string, ctx: { world: ObserveContext['world'] }, refPrice?: number): Episode {
    const s = this.state;
    let ep = s.episodes.get(symbol);
    if (ep && t - ep.last_t > EPISODE_IDLE_MS) ep = undefined;
    if (!ep) {
      ep = {
        symbol,
        onset_t: onset,
        last_t: t,
        adv: describeSymbol(symbol, ctx.world, this.opts, this.state.daily).adv,
        ref_price: refPrice ?? ctx.world.market.get(symbol)?.last_price ?? 0,
        hijacked: new Set(),
        hijacked_buys: [],
        sources: new Set(),
        named: new Set(),
      };
      s.episodes.set(symbol, ep);
      s.pending_checks.push(symbol);
    } else if (onset < ep.onset_t) {
      ep.onset_t = onset;
      s.pending_checks.push(symbol);
    }
    if (refPrice !== undefined && refPrice > 0) ep.ref_price = refPrice;
    if (!ep.sources.has(source)) {
      ep.sources.add(source);
      s.pending_checks.push(symbol);
    }
    return ep;
  }

  /** Completed daily volumes per symbol (the tape's hot path: one map lookup and an add). */
  private observeTrade(symbol: string, qty: number, t: number): void {
    const day = jstDay(t);
    let d = this.state.daily.get(symbol);
    if (!d) {
      d = { day, vol: 0, hist: [], median: 0 };
      this.state.daily.set(symbol, d);
    }
    if (day !== d.day) {
      if (d.vol > 0) {
        d.hist.push(d.vol);
        if (d.hist.length > 20) d.hist.shift();
        const sorted = [...d.hist].sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        d.median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      }
      d.day = day;
      d.vol = 0;
    }
    d.vol += qty;
  }

  private observeExecution(ev: ExecutionEvent, ctx: ObserveContext): void {
    const s = this.state;
    const hijacked = this.namedHijacked(ev.account_id) && (s.suspect_orders.has(ev.order_id) || (s.suspects.get(ev.account_id)?.since_t ?? Infinity) <= ctx.t);
    const ep = s.episodes.get(ev.symbol);
    if (hijacked) {
      if (ev.side === 'buy' && ep && ep.hijacked_buys.length < MAX_HIJACKED_BUYS) {
        ep.hijacked_buys.push([ctx.t, ev.price, ev.qty]);
        ep.hijacked.add(ev.account_id);
        ep.last_t = ctx.t;
      }
      return;
    }
    const facts = describeSymbol(ev.symbol, ctx.world, this.opts, this.state.daily);
    // Only names thin enough to be pumped are worth remembering position by position.
    if (!ep && facts.turnover_jpy > 10 * this.opts.thinTurnoverJpy) return;
    let bySymbol = s.positions.get(ev.symbol);
    if (!bySymbol) {
      bySymbol = new Map();
      s.positions.set(ev.symbol, bySymbol);
    }
    let pos: PositionTrack | undefined = bySymbol.get(ev.account_id);
    if (!pos) {
      pos = { buys: [], sells: [] };
      bySymbol.set(ev.account_id, pos);
    }
    if (ev.side === 'buy') {
      pos.buys.push([ctx.t, ev.qty, ev.qty * ev.price * facts.fx]);
      while (pos.buys.length > 0 && ctx.t - pos.buys[0][0] > this.opts.accumulationLookbackMs + DAY) pos.buys.shift();
      if (pos.buys.length > MAX_BUYS) {
        // Merge the two oldest: accumulation weeks ago needs totals, not every fill.
        const [a, b] = pos.buys.splice(0, 2);
        pos.buys.unshift([a[0], a[1] + b[1], a[2] + b[2]]);
      }
    } else {
      pos.sells.push([ctx.t, ev.qty, ev.price, ev.id]);
      while (pos.sells.length > MAX_SELLS || (pos.sells.length > 0 && ctx.t - pos.sells[0][0] > SELL_KEEP_MS)) pos.sells.shift();
      if (ep && ctx.t - ep.last_t <= EPISODE_IDLE_MS) this.checkBeneficiary(ev.symbol, ev.account_id, ctx);
    }
  }

  private checkBeneficiary(symbol: string, account: string, ctx: ObserveContext): void {
    const s = this.state;
    const ep = s.episodes.get(symbol);
    const pos = s.positions.get(symbol)?.get(account);
    if (!ep || !pos || ep.named.has(account) || this.namedHijacked(account)) return;
    if (ep.adv <= 0) ep.adv = describeSymbol(symbol, ctx.world, this.opts, this.state.daily).adv;
    const fx = ctx.world.fxToJpy(symbol);
    const held = ctx.world.accounts.get(account)?.holdings.get(symbol) ?? 0;
    const f = findBeneficiary(pos, held, ep, fx, this.opts);
    if (!f) return;
    ep.named.add(account);
    s.beneficiaries.set(account, { symbol, t: ctx.t });
    const opened = ctx.world.accounts.get(account)?.opened_at;
    const young = opened !== undefined && ep.onset_t - Date.parse(opened) < 90 * DAY;
    const crossShare = f.sold_qty > 0 ? f.crossed_qty / f.sold_qty : 0;
    const reasons = [
      {
        code: 'ACCUMULATED_BEFORE_EPISODE',
        detail: `held ${f.pre_episode_qty} shares of ${symbol} (${f.accumulation_days} days of normal volume) before the episode, ${f.bought_before_qty} of them bought within ${Math.round(this.opts.accumulationLookbackMs / DAY)} days, at about ${f.avg_cost} a share`,
      },
      { code: 'SOLD_INTO_EPISODE', detail: `sold ${f.sold_qty} shares into it at ${f.avg_sell_price} on average, an estimated ¥${f.estimated_profit_jpy} profit` },
    ];
    if (f.crossed_qty > 0) reasons.push({ code: 'CROSSED_WITH_HIJACKED_BUYS', detail: `${f.crossed_qty} shares sold at the price of a hijacked buy within a minute` });
    if (young) reasons.push({ code: 'YOUNG_ACCOUNT', detail: `account opened ${opened}` });
    ctx.raise({
      kind: 'beneficiary',
      severity: 'high',
      score: Math.min(1, 0.6 + 0.3 * crossShare + (young ? 0.1 : 0) + (ep.hijacked.size > 0 ? 0.1 : 0)),
      account_id: account,
      symbol,
      window: { start: new Date(ep.onset_t).toISOString(), end: new Date(ctx.t).toISOString() },
      reasons,
      event_ids: f.sell_event_ids,
      data: {
        estimated_profit_jpy: f.estimated_profit_jpy,
        pre_episode_qty: f.pre_episode_qty,
        bought_before_qty: f.bought_before_qty,
        avg_cost: f.avg_cost,
        sold_qty: f.sold_qty,
        avg_sell_price: f.avg_sell_price,
        crossed_qty: f.crossed_qty,
        accumulation_days: f.accumulation_days,
        hijacked_accounts: [...ep.hijacked].sort(),
        episode_sources: [...ep.sources].sort(),
      },
    });
  }
}

function remember(m: Map<string, [number, number]>, key: string, t: number, uses: number): void {
  const known = m.get(key);
  if (known) {
    known[1] += uses;
    return;
  }
  if (m.size >= MAX_KNOWN_VALUES) {
    // Forget the oldest first-seen value: mobile networks churn, a customer's old cafe does not matter.
    let oldK: string | undefined;
    let oldT = Infinity;
    for (const [k, [v]] of m) if (v < oldT) [oldK, oldT] = [k, v];
    if (oldK !== undefined) m.delete(oldK);
  }
  m.set(key, [t, uses]);
}

function pushAccount(m: Map<string, Array<[string, number]>>, key: string, account: string, t: number): void {
  let list = m.get(key);
  if (!list) {
    list = [];
    m.set(key, list);
  }
  const i = list.findIndex(([a]) => a === account);
  if (i >= 0) list.splice(i, 1);
  list.push([account, t]);
  if (list.length > SHARED_KEEP) list.shift();
}

function pushCapped(m: Map<string, string[]>, key: string, v: string, cap: number): void {
  let a = m.get(key);
  if (!a) {
    a = [];
    m.set(key, a);
  }
  a.push(v);
  if (a.length > cap) a.shift();
}

function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
