import type { OrderEvent } from '../../events/schema.js';
import type { Outcome, Reason, RuleResult } from '../../engine/types.js';
import type { SessionInfo, WorldState } from '../../engine/WorldState.js';
import { describeSymbol, type SymbolFacts } from './describeSymbol.js';
import { networkOf, wideNetworkOf } from './networkOf.js';
import type { ResolvedTradingOptions } from './TradingDetectorOptions.js';
import type { TradingProfile, TradingState } from './TradingState.js';

export const PRE_TRADE_RULE = 'trading.pre_trade';

/** The pre-trade verdict on one order, with the two partial scores it was built from. */
export interface OrderAssessment {
  result: RuleResult;
  /** How unlike the customer the session is (who is trading), 0..1. */
  context: number;
  /** How unlike the customer, and like the attack, the order is (what is traded), 0..1. */
  order: number;
  /** Estimated order value in yen. */
  yen: number;
  symbol: SymbolFacts;
  /** Share of the portfolio sold in the liquidation window, counting this order if it sells. */
  liquidated_share: number;
  /** Attack-like enough to count towards coordination and takeover evidence. */
  suspicious: boolean;
  /**
   * Evidence of theft, not only of an unusual session: the session is refused or carries attack-side
   * evidence, or the money is moving into a thin or foreign name. Only then is `account_takeover` raised;
   * a sell-off from a session that is merely new to the customer is held, and named a takeover when
   * the held account goes on to buy such a name (`confirms`).
   */
  theft: boolean;
  /** A buy, on an account we held for a sell-off, of a thin or foreign name it never held. */
  confirms: boolean;
  session?: SessionInfo;
}

interface Signal extends Reason {
  w: number;
  /** Novelty to this account only (new network, device, user agent, channel, or a login scored on them). */
  novel?: boolean;
}

/**
 * Novelty alone never reaches the hold row of the table: customers change phones and travel far
 * more often than they are hijacked. It takes a second kind of evidence (login risk, shared
 * infrastructure, a session that changed hands) to go further.
 */
const NOVELTY_CAP = 0.55;
/** A session opened this long before the takeover alert's start still belongs to the takeover. */
const TAKEOVER_SLACK_MS = 60_000;
/** An episode counts as live this long after the last hijacked buy. */
const EPISODE_LIVE_MS = 86_400_000;
/** A holder of at least this many days of normal volume selling into hijacked buying is held. */
const LARGE_HOLDER_DAYS = 2;
/** Novelty of a session (new network and new device, or a risky login) that leaves a sell-off unvouched for. */
const UNVOUCHED_NOVELTY = 0.45;
/** Login history this long (first login seen to this session) is needed before a new device and network hold a sell-off. */
const ESTABLISHED_HISTORY_MS = 3 * 86_400_000;
/** Least session context for a thin buy with a sell-off's proceeds to be held. */
const PROCEEDS_CONTEXT = 0.2;
/** Novelty of a session (a new network, device or a risky login) in which a contact change and a sell-off together are suspect. */
const CHANGE_SESSION_NOVELTY = 0.25;
/** Share of the portfolio sold within the window that makes a sell-off. */
const UNVOUCHED_LIQUIDATION = 0.5;
/** Attack-side session evidence (beyond novelty) that makes a held sell-off a takeover claim on its own. */
const ATTACK_SIDE_THEFT = 0.45;
/** Login scores above this carry evidence beyond novelty. */
const LOGIN_RISK_STRONG = 0.6;

const MIN = 60_000;
const BURST_WINDOW_MS = 10 * MIN;
const BURST_ORDERS = 6;
const RECENT_MS = 14 * 86_400_000;
const NO_HISTORY_AGE_MS = 60 * 86_400_000;
const SHARED_DEVICE_MS = 30 * 86_400_000;
const FANOUT_MS = 7 * 86_400_000;
const SLICE_WINDOW_MS = 86_400_000;
/** An adversary-in-the-middle relays SMS, e-mail, TOTP and push codes, never a passkey or PKI signature. */
const PHISHING_RESISTANT = new Set(['passkey', 'pki']);

/**
 * Decide one order before it reaches the market (no look-ahead: `world` and `state` hold only the
 * past). Two questions are scored separately and combined by a small table, because either alone is
 * weak: a new phone or a trip abroad changes *who* seems to trade, a customer's first small-cap buy or
 * a whole-portfolio sell changes *what* is traded, and only the hijack changes both at once
 * (brief.md §2: new device and network, then sell everything, then buy a thin name aggressively).
 */
export function assessOrder(
  ev: OrderEvent,
  t: number,
  world: WorldState,
  state: TradingState,
  opts: ResolvedTradingOptions,
): OrderAssessment {
  const facts = describeSymbol(ev.symbol, world, opts, state.daily);
  const px = ev.limit_price ?? facts.price;
  const yen = ev.qty * px * facts.fx;
  const profile = state.profiles.get(ev.account_id);
  const session = world.sessions.get(ev.session_id);
  const out: OrderAssessment = { result: NO_HIT, context: 0, order: 0, yen, symbol: facts, liquidated_share: 0, suspicious: false, theft: false, confirms: false, session };

  if (ev.action === 'cancel') return out; // cancelling only reduces exposure: never stand in the way
  const hold = world.holds.get(ev.account_id);
  if (hold) {
    const reasons: Reason[] = [
      {
        code: 'ACCOUNT_ON_HOLD',
        detail: `account held since event ${hold.event_id} (${hold.reason}); orders wait until the hold is released`,
      },
    ];
    if (ev.side === 'buy' && awaitsSecondSign(ev.account_id, state)) {
      const confirm = secondSign(ev, t, profile, facts, yen, px, world, state, opts);
      if (confirm) {
        out.order = confirm.order;
        out.confirms = true;
        reasons.push(...confirm.reasons);
      }
    }
    out.result = {
        rule: PRE_TRADE_RULE,
        outcome: 'hit',
        decision: 'hold',
        score: 0.9,
        reasons,
    };
    return out;
  }

  const ben = state.beneficiaries.get(ev.account_id);
  if (ben) {
    out.result = {
      rule: PRE_TRADE_RULE,
      outcome: 'hit',
      decision: 'hold',
      score: 0.9,
      reasons: [{ code: 'SUSPECTED_BENEFICIARY', detail: `account named as a beneficiary of the manipulation of ${ben.symbol}; orders wait for review` }],
    };
    return out;
  }

  // A takeover already alerted (by the login defence or by us) stops the account's trading at once.
  const suspect = state.suspects.get(ev.account_id);
  if (suspect && suspect.source === 'alert' && (session === undefined || session.t >= suspect.since_t - TAKEOVER_SLACK_MS)) {
    out.result = {
      rule: PRE_TRADE_RULE,
      outcome: 'hit',
      decision: 'hold',
      score: 0.9,
      reasons: [{ code: 'TAKEOVER_ALERTED', detail: `an account_takeover alert names this account since ${new Date(suspect.since_t).toISOString()}; orders wait for review` }],
    };
    out.suspicious = true;
    return out;
  }
  const exit = ev.side === 'sell' ? largeHolderSellingIntoEpisode(ev, t, world, state) : undefined;
  if (exit) {
    out.result = { rule: PRE_TRADE_RULE, outcome: 'hit', decision: 'hold', score: 0.8, reasons: [exit] };
    return out;
  }

  const ctxSignals = contextSignals(ev, t, session, profile, state, world);
  const liq = liquidatedShare(ev, t, world, state, opts, yen, facts);
  const change = state.contact_changes.get(ev.account_id);
  // The contact-change signal below carries no novelty, so the novelty group is final here.
  const novelRaw = noisyOr(ctxSignals.filter((x) => x.novel));
  // Silencing the customer (notifications, e-mail, phone) or redirecting payouts, then emptying the
  // portfolio, in one sitting of a session new to the account: the order of a thief's work. A
  // customer's own change on their usual device, or a sale days later, is their business.
  if (change !== undefined && change[3] === ev.session_id && liq >= UNVOUCHED_LIQUIDATION && novelRaw >= CHANGE_SESSION_NOVELTY) {
    ctxSignals.push({
      code: 'CONTACT_CHANGED_BEFORE_SELL_OFF',
      detail: `${change[1]} changed in this session ${Math.round((t - change[0]) / 60_000)} min before (event ${change[2]}), then ${pct(liq)} of the portfolio sold`,
      w: 0.5,
    });
  }
  const ordSignals = orderSignals(ev, t, profile, facts, yen, px, liq, world, state);
  const refused = session !== undefined && (session.account_id !== ev.account_id || session.login_decision === 'deny' || session.login_decision === 'block');
  // A session proven with a passkey or PKI cannot be a relayed phish: novelty alone then means a new
  // device of the customer's own.
  const novel = Math.min(NOVELTY_CAP, novelRaw);
  const proven = session && PHISHING_RESISTANT.has(session.mfa) && !refused ? 0.4 : 1;
  const attackSide = noisyOr(ctxSignals.filter((x) => !x.novel)) * proven;
  const context = (1 - (1 - novel) * (1 - attackSide / proven)) * proven;
  const order = noisyOr(ordSignals);
  const restricted = ev.side === 'buy' ? opts.restricted.get(ev.symbol) : undefined;

  let decision: Outcome = 'allow';
  // Selling most of a portfolio from a session nothing vouches for: the victim's loss is this very
  // execution (long-held positions sold at market), so it waits for the customer before, not after,
  // the thin buy it pays for. Novelty alone makes it a hold for confirmation, not a takeover claim.
  // Only against an established history does a new device and network mean a stranger: in an
  // account's first days every second device is new.
  const established = session !== undefined && profile !== undefined && profile.first_login_t >= 0 && profile.logins >= 2 && session.t - profile.first_login_t >= ESTABLISHED_HISTORY_MS;
  // The login defence asked this session for a passkey and did not get one: nothing vouches for it
  // either, history or not.
  const stepUpUnmet = ctxSignals.some((x) => x.code === 'STEP_UP_NOT_MET');
  const unvouchedSellOff =
    ev.side === 'sell' && ev.action === 'new' && ((liq >= UNVOUCHED_LIQUIDATION && established && novel * proven >= UNVOUCHED_NOVELTY) || (stepUpUnmet && liq >= 0.25));
  // The signature itself (brief.md §2): a thin or foreign name never held, bought with the proceeds
  // of a sell-off, from a session with anything new about it.
  const proceedsIntoThin =
    ev.side === 'buy' && (facts.thin || facts.foreign) && context >= PROCEEDS_CONTEXT && ordSignals.some((x) => x.code === 'BUY_AFTER_LIQUIDATION');
  const tableHold = theftLike(context, order);
  const attackLike = tableHold || unvouchedSellOff || proceedsIntoThin;
  if (refused) decision = 'block';
  else if (attackLike) decision = 'hold';
  else if ((context >= 0.5 && order >= 0.2) || (context >= 0.25 && order >= 0.5) || order >= 0.9 || context >= 0.9) decision = 'step_up';
  if (restricted !== undefined && decision !== 'block') decision = 'hold';

  const reasons: Reason[] = [];
  if (unvouchedSellOff && !tableHold) {
    reasons.push({ code: 'SELL_OFF_UNVOUCHED', detail: `${pct(liq)} of the portfolio sold from a session nothing in the account's history vouches for; held for the customer's confirmation` });
  }
  if (proceedsIntoThin && !tableHold) {
    reasons.push({ code: 'PROCEEDS_INTO_THIN_NAME', detail: `${ev.symbol}, never held, bought with the proceeds of selling ${pct(liq)} of the portfolio; held for the customer's confirmation` });
  }
  if (restricted !== undefined) reasons.push({ code: 'RESTRICTED_SYMBOL', detail: `${ev.symbol} is restricted for buying: ${restricted}` });
  if (decision !== 'allow' || restricted !== undefined) {
    for (const s of [...ctxSignals, ...ordSignals].sort((a, b) => b.w - a.w)) reasons.push({ code: s.code, detail: s.detail });
  }
  const score = Math.round(Math.max(Math.sqrt(context * order), restricted !== undefined ? 0.5 : 0) * 1000) / 1000;
  out.context = context;
  out.order = order;
  out.liquidated_share = liq;
  out.suspicious = attackLike || refused;
  // The holds for confirmation (an unvouched sell-off, a sell-off's proceeds into a thin name from a
  // barely-new session) claim no takeover by themselves.
  out.theft = refused || (tableHold && (attackSide >= ATTACK_SIDE_THEFT || (ev.side === 'buy' && movesMoneyIntoThinName(ordSignals))));
  out.result =
    decision === 'allow'
      ? { rule: PRE_TRADE_RULE, outcome: 'no_hit', decision, score, reasons }
      : {
          rule: PRE_TRADE_RULE,
          outcome: 'hit',
          decision,
          score,
          reasons,
          ...(decision === 'step_up' ? { required_auth: 'passkey' as const } : {}),
          // A restricted-symbol buy by an otherwise ordinary customer holds that order, not the account.
          ...(decision === 'hold' && !attackLike ? { hold_scope: 'order' as const } : {}),
        };
  return out;
}

/** The table's hold row: who trades and what is traded both unlike the customer, one of them strongly. */
function theftLike(context: number, order: number): boolean {
  return (context >= 0.75 && order >= 0.3) || (context >= 0.6 && order >= 0.5) || (context >= 0.25 && order >= 0.85);
}

/** Buy-side signals that, in a name the account never held, say the money is going where a pump needs it. */
const INTO_PUMP = new Set(['AGGRESSIVE_IN_THIN', 'FIRST_FOREIGN_MARKET', 'FIRST_MARGIN']);

/**
 * The proceeds of a sell-off going into a name never held, or a never-held name bought aggressively,
 * on margin or on a first foreign market. A customer adding to a name they already hold is a buyer,
 * not a hijacked one (brief.md §2: hijacked accounts buy the target they never owned).
 */
function movesMoneyIntoThinName(signals: Signal[]): boolean {
  if (signals.some((s) => s.code === 'BUY_AFTER_LIQUIDATION')) return true;
  return signals.some((s) => s.code === 'NEVER_HELD') && signals.some((s) => INTO_PUMP.has(s.code));
}

/** An account this detector held at a sell-off from a new session without naming it a takeover yet. */
function awaitsSecondSign(account: string, state: TradingState): boolean {
  const s = state.suspects.get(account);
  return s?.source === 'pre_trade' && s.sell_off === true && !state.takeover_alerted.has(account);
}

/**
 * The attacker's next step after a held sell-off: buying, with its proceeds, a thin or foreign name
 * the account never held, aggressively or in size.
 */
function secondSign(
  ev: OrderEvent,
  t: number,
  p: TradingProfile | undefined,
  f: SymbolFacts,
  yen: number,
  px: number,
  world: WorldState,
  state: TradingState,
  opts: ResolvedTradingOptions,
): { order: number; reasons: Reason[] } | undefined {
  if (!neverHeld(ev, p, world) || !(f.thin || f.foreign)) return undefined;
  const liq = liquidatedShare(ev, t, world, state, opts, yen, f);
  const signals = orderSignals(ev, t, p, f, yen, px, liq, world, state).sort((a, b) => b.w - a.w);
  // The proceeds of the held sell-off going into the name, and the way a pump needs them: walking the
  // book or large against the name's normal volume. A customer's own modest first small-cap buy after
  // selling is not it.
  if (!signals.some((s) => s.code === 'BUY_AFTER_LIQUIDATION')) return undefined;
  if (!signals.some((s) => s.code === 'AGGRESSIVE_IN_THIN' || s.code === 'LARGE_VS_VOLUME')) return undefined;
  return {
    order: noisyOr(signals),
    reasons: [
      { code: 'HELD_ACCOUNT_BUYS_THIN_NAME', detail: `while held for a sell-off, tries to buy ${ev.symbol}, a ${f.thin ? 'thin' : 'foreign'} name never held` },
      ...signals.map((s) => ({ code: s.code, detail: s.detail })),
    ],
  };
}

const NO_HIT: RuleResult = Object.freeze({ rule: PRE_TRADE_RULE, outcome: 'no_hit', score: 0 }) as RuleResult;

/**
 * A sell of a thin name while hijacked accounts are buying it, from an account holding days of its
 * normal volume: the beneficiary's exit (brief.md §2). Held for review before it can cross.
 */
function largeHolderSellingIntoEpisode(ev: OrderEvent, t: number, world: WorldState, state: TradingState): Reason | undefined {
  const ep = state.episodes.get(ev.symbol);
  if (!ep || ep.hijacked.size === 0 || ep.adv <= 0 || t - ep.last_t > EPISODE_LIVE_MS || state.suspects.has(ev.account_id)) return undefined;
  const held = world.accounts.get(ev.account_id)?.holdings.get(ev.symbol) ?? 0;
  if (held < LARGE_HOLDER_DAYS * ep.adv) return undefined;
  return {
    code: 'SELLS_INTO_HIJACKED_BUYING',
    detail: `sells ${ev.symbol} while ${ep.hijacked.size} hijacked account(s) buy it, holding ${held} shares (${(held / ep.adv).toFixed(1)} days of normal volume)`,
  };
}

/** Who is trading: the session against the customer's history. */
function contextSignals(
  ev: OrderEvent,
  t: number,
  session: SessionInfo | undefined,
  p: TradingProfile | undefined,
  state: TradingState,
  world: WorldState,
): Signal[] {
  const out: Signal[] = [];
  if (!session) {
    out.push({ code: 'UNKNOWN_SESSION', detail: `session ${ev.session_id} was not opened by any login seen`, w: 0.3 });
    return out;
  }
  if (session.account_id !== ev.account_id) {
    out.push({ code: 'SESSION_OF_ANOTHER_ACCOUNT', detail: `session ${ev.session_id} belongs to account ${session.account_id}`, w: 1 });
    return out;
  }
  if (session.login_decision === 'deny' || session.login_decision === 'block') {
    out.push({ code: 'LOGIN_REFUSED', detail: `the login that opened this session was refused (${session.login_decision})`, w: 1 });
    return out;
  }
  // The login score rests mostly on the same novelty as ours (new device, network, rarity), so it
  // joins the capped novelty group instead of adding to it.
  // Only the part of a very high score goes beyond the cap: that is where attack-side evidence
  // (hosting networks, stuffing sources) shows.
  if (session.risk >= 0.2) {
    const detail = `login risk ${session.risk.toFixed(2)} (${session.login_decision ?? 'no decision'}, MFA ${session.mfa})`;
    out.push({ code: 'RISKY_LOGIN', detail, w: session.risk, novel: true });
    if (session.risk > LOGIN_RISK_STRONG) out.push({ code: 'HIGH_LOGIN_RISK', detail, w: session.risk - LOGIN_RISK_STRONG });
  }
  if (session.login_decision === 'step_up' && !PHISHING_RESISTANT.has(session.mfa)) {
    out.push({ code: 'STEP_UP_NOT_MET', detail: `login asked for phishing-resistant authentication but the session used ${session.mfa}`, w: 0.4, novel: true });
  }
  const net = networkOf(session.ip);
  // Novelty means something only against a history: an account's first logins are all "new", and
  // after one or two logins a second device is still ordinary.
  const prior = p === undefined || p.first_login_t >= session.t ? 0 : p.logins;
  let netIsNew = true;
  if (p !== undefined && prior > 0) {
    const k = prior >= 3 ? 1 : 0.6;
    const seen = p.networks.get(net);
    netIsNew = seen === undefined || seen[0] >= session.t;
    // Mobile customers hop between their carrier's /24s all day: a new /24 in a known /16 is weak.
    const wide = wideNetworkOf(session.ip);
    let wideKnown = false;
    if (netIsNew && wide !== undefined) {
      for (const [n, [first]] of p.networks) {
        if (n !== net && first < session.t && wideNetworkOf(n) === wide) {
          wideKnown = true;
          break;
        }
      }
    }
    novelty(out, 'NETWORK', `network ${net}`, seen, session.t, (wideKnown ? 0.1 : 0.3) * k);
    if (session.device_id !== undefined) novelty(out, 'DEVICE', `device ${session.device_id}`, p.devices.get(session.device_id), session.t, 0.3 * k);
    novelty(out, 'USER_AGENT', `user agent ${session.user_agent.slice(0, 100)}`, p.user_agents.get(session.user_agent), session.t, 0.15 * k);
    if (!p.channels.has(ev.channel) && p.orders >= 3) out.push({ code: 'NEW_CHANNEL', detail: `first order through the ${ev.channel} channel`, w: 0.1, novel: true });
  } else {
    // The first login we ever see of an account that has existed for months: nothing vouches for it.
    const opened = Date.parse(world.accounts.get(ev.account_id)?.opened_at ?? '');
    if (!Number.isNaN(opened) && session.t - opened > NO_HISTORY_AGE_MS) {
      out.push({ code: 'NO_LOGIN_HISTORY', detail: 'first login seen for this long-standing account', w: 0.25, novel: true });
    }
  }
  // Attack infrastructure is shared across victims: one device, or one network new to each of
  // many accounts. A customer's device is theirs alone (a family's at most).
  if (session.device_id !== undefined) {
    const others = otherAccounts(state.device_accounts.get(session.device_id), ev.account_id, t, SHARED_DEVICE_MS);
    if (others >= 1) out.push({ code: 'DEVICE_SHARED_ACROSS_ACCOUNTS', detail: `device ${session.device_id} also logged in to ${others} other account(s) within 30 days`, w: others >= 2 ? 0.7 : 0.5 });
  }
  if (netIsNew) {
    const others = otherAccounts(state.network_accounts.get(net), ev.account_id, t, FANOUT_MS);
    if (others >= 3) out.push({ code: 'NETWORK_FANOUT', detail: `network ${net} logged in to ${others} other accounts within 7 days`, w: others >= 6 ? 0.5 : 0.35 });
  }
  // A session whose browser changed between login and order was relayed or stolen (AiTM, cookie
  // theft); an address change alone is what mobile carriers do to their customers all day.
  if (ev.user_agent !== session.user_agent) {
    out.push({ code: 'ORDER_USER_AGENT_DIFFERS', detail: 'order sent with another user agent than the login', w: 0.5 });
  }
  if (networkOf(ev.ip) !== networkOf(session.ip)) {
    out.push({ code: 'ORDER_NETWORK_DIFFERS', detail: `order from ${ev.ip}, session opened from ${session.ip}`, w: 0.15, novel: true });
    // One session hopping across networks order after order may be a rotating proxy, but a phone on a
    // carrier hops across the carrier's /16s just the same: without the ASN it is only novelty.
    const hops = sessionNetworks(state, session, ev.ip, p);
    if (hops >= 3) out.push({ code: 'SESSION_HOPS_NETWORKS', detail: `this session has used ${hops} /16 networks new to the account`, w: 0.3, novel: true });
  }
  return out;
}

/** Distinct /16 networks of a session's login and orders (this order's too) that the account never used before it. */
function sessionNetworks(state: TradingState, session: SessionInfo, ip: string, p: TradingProfile | undefined): number {
  const seen = new Set(state.session_networks.get(session.session_id) ?? [wideNetworkOf(session.ip) ?? session.ip]);
  seen.add(wideNetworkOf(ip) ?? ip);
  if (p) for (const [n, [first]] of p.networks) if (first < session.t) seen.delete(wideNetworkOf(n) ?? n);
  return seen.size;
}

/** Distinct other accounts in a [account, last login t] list seen within `windowMs` before `t`. */
function otherAccounts(list: Array<[string, number]> | undefined, account: string, t: number, windowMs: number): number {
  if (!list) return 0;
  const seen = new Set<string>();
  for (const [a, at] of list) if (a !== account && at <= t && t - at <= windowMs) seen.add(a);
  return seen.size;
}

/**
 * A value first used by this session is new; one first used a few days ago in one other login is
 * still nearly new (an attacker who phished, looked around, and came back later to trade).
 */
function novelty(out: Signal[], what: string, label: string, seen: [number, number] | undefined, sessionT: number, w: number): void {
  if (seen === undefined || seen[0] >= sessionT) out.push({ code: `NEW_${what}`, detail: `${label} first used by this account in this session`, w, novel: true });
  else if (seen[1] <= 2 && sessionT - seen[0] < RECENT_MS) {
    out.push({ code: `RECENT_${what}`, detail: `${label} used in only one earlier login, ${Math.round((sessionT - seen[0]) / 3_600_000)} h before`, w: w * 0.7, novel: true });
  }
}

/** What is traded: the order against the customer's habits and the symbol's liquidity. */
function orderSignals(
  ev: OrderEvent,
  t: number,
  p: TradingProfile | undefined,
  f: SymbolFacts,
  yen: number,
  px: number,
  liq: number,
  world: WorldState,
  state: TradingState,
): Signal[] {
  const out: Signal[] = [];
  const experienced = p !== undefined && p.orders >= 3;
  if (ev.side === 'sell') {
    if (liq >= 0.25) {
      out.push({ code: 'LIQUIDATION', detail: `${pct(liq)} of the portfolio sold within the window`, w: 0.2 + 0.6 * Math.min(1, (liq - 0.25) / 0.65) });
    }
    const held = world.accounts.get(ev.account_id)?.holdings.get(ev.symbol) ?? 0;
    if (held > 0 && ev.qty >= held) out.push({ code: 'SELLS_WHOLE_POSITION', detail: `sells all ${held} shares of ${ev.symbol}`, w: 0.15 });
  } else {
    const never = neverHeld(ev, p, world);
    if (never && liq >= 0.5) {
      out.push({ code: 'BUY_AFTER_LIQUIDATION', detail: `buys ${ev.symbol}, never held, after selling ${pct(liq)} of the portfolio`, w: 0.35 + 0.3 * Math.min(1, (liq - 0.5) / 0.4) });
    } else if (never) {
      out.push({ code: 'NEVER_HELD', detail: `${ev.symbol} never held or traded by this account`, w: 0.15 });
    }
    if (f.thin) {
      out.push({ code: 'THIN_SYMBOL', detail: `${ev.symbol} trades about ${yenText(f.turnover_jpy)} a day`, w: 0.2 });
      const aggressive = ev.order_type === 'market' || (f.price > 0 && px >= f.price * 1.02);
      if (aggressive) {
        const above = f.price > 0 && ev.limit_price !== undefined ? ev.limit_price / f.price - 1 : 0;
        out.push({
          code: 'AGGRESSIVE_IN_THIN',
          detail: ev.order_type === 'market' ? 'market buy in a thin symbol' : `limit ${pct(above)} above the last trade in a thin symbol`,
          w: above >= 0.05 ? 0.35 : 0.25,
        });
      }
    }
    if (f.adv > 0) {
      // Count the day's earlier buys of the symbol too: slicing a large buy must not hide it.
      let qty = ev.action === 'new' ? ev.qty : 0;
      for (const [sym, bt, q] of state.recent_buys.get(ev.account_id) ?? []) if (sym === ev.symbol && t - bt <= SLICE_WINDOW_MS) qty += q;
      qty = Math.max(qty, ev.qty);
      const r = qty / f.adv;
      if (r >= 0.05) out.push({ code: 'LARGE_VS_VOLUME', detail: `${qty} shares within a day = ${pct(r)} of normal daily volume`, w: r >= 1 ? 0.6 : r >= 0.2 ? 0.4 : 0.2 });
    }
    if (ev.margin && experienced && !p.used_margin) out.push({ code: 'FIRST_MARGIN', detail: 'first margin order of this account', w: 0.3 });
    if (f.foreign && experienced && !hasForeign(p)) out.push({ code: 'FIRST_FOREIGN_MARKET', detail: `first order on ${f.market ?? 'a foreign market'}`, w: 0.3 });
  }
  if (experienced && p.orders >= 5 && yen > 0) {
    const n = p.orders;
    const sd = Math.max(0.5, Math.sqrt(p.log_yen_m2 / (n - 1)));
    const high = Math.exp(p.log_yen_mean + 2 * sd);
    if (yen > 3 * high) out.push({ code: 'SIZE_ABOVE_USUAL', detail: `${yenText(yen)} vs usual up to ${yenText(high)}`, w: 0.3 });
  }
  if (p) {
    let n = 1;
    for (const x of p.recent_order_t) if (t - x <= BURST_WINDOW_MS) n++;
    const usualPerDay = p.active_days > 0 ? p.orders / p.active_days : 0;
    if (n >= BURST_ORDERS && usualPerDay < n) out.push({ code: 'ORDER_BURST', detail: `${n} orders in 10 minutes (usually ${usualPerDay.toFixed(1)} a day)`, w: 0.2 });
  }
  return out;
}

/**
 * A name the customer never held or traded with an allowed order; shares bought by a stopped or
 * challenged order in this very session do not make the name familiar.
 */
function neverHeld(ev: OrderEvent, p: TradingProfile | undefined, world: WorldState): boolean {
  return p ? !p.symbols.has(ev.symbol) : !(world.accounts.get(ev.account_id)?.holdings.has(ev.symbol) ?? false);
}

/** Share of the portfolio sold within the liquidation window, including this order when it sells. */
function liquidatedShare(
  ev: OrderEvent,
  t: number,
  world: WorldState,
  state: TradingState,
  opts: ResolvedTradingOptions,
  yen: number,
  f: SymbolFacts,
): number {
  const liq = state.liquidations.get(ev.account_id);
  const open = liq !== undefined && t - liq.start_t <= opts.liquidationWindowMs;
  const selling = ev.side === 'sell' && ev.action === 'new';
  if (!open && !selling) return 0;
  let base = open ? liq.base_yen : world.portfolioValueJpy(ev.account_id);
  let sold = open ? liq.sold_yen : 0;
  if (selling) {
    sold += sellValue(ev, world, yen, f);
    if (!open) base = Math.max(base, sold);
  }
  return base > 0 ? Math.min(1, sold / base) : 0;
}

/** Yen a sell can realise: never more than the position it sells (short sells add no liquidation). */
export function sellValue(ev: OrderEvent, world: WorldState, yen: number, f: SymbolFacts): number {
  const held = world.accounts.get(ev.account_id)?.holdings.get(ev.symbol) ?? 0;
  return Math.min(yen, held * (f.price || ev.limit_price || 0) * f.fx);
}

function hasForeign(p: TradingProfile): boolean {
  for (const m of p.markets) if (m === 'HKEX' || m === 'SSE' || m === 'SZSE' || m === 'NASDAQ' || m === 'NYSE') return true;
  return false;
}

function noisyOr(signals: Signal[]): number {
  let keep = 1;
  for (const s of signals) keep *= 1 - Math.min(1, Math.max(0, s.w));
  return 1 - keep;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;
// Intl number formatting costs microseconds per call; decisions have a budget of tens of them.
const yenText = (x: number): string => `¥${String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
