/**
 * Generate a labelled world: a broker's customers, the whole market's tape, phishing-funded
 * pump-and-dump campaigns, credential-stuffing waves and benign lookalikes (contract §1 events and
 * §4 labels). Deterministic for a seed. Days are generated one at a time, sorted and handed to
 * `onEvent`, so memory stays bounded by one day whatever the length of the period.
 */
import type { KgEvent } from '../events/schema.js';
import { Broker, type BrokerSymbolDay, type SimAccount } from './Broker.js';
import { DAY, HOUR, jstDate, jstMidnight, simDays } from './calendar.js';
import { createCustomer, simulateCustomerDay, type CustomerUniverse, type DayCtx } from './customers.js';
import { buildInstruments, type InstrumentSpec } from './instruments.js';
import { LabelBook, type Labels } from './LabelBook.js';
import { drawIp, JP_MOBILE, JP_RESIDENTIAL } from './networks.js';
import { planLookalikes } from './planLookalikes.js';
import { beneficiaryDevice, planPumpCampaigns, type PlannedCampaign } from './planPumpCampaigns.js';
import { planStuffingWaves, type PlannedWave } from './planStuffingWaves.js';
import { Rng } from './Rng.js';
import { SymbolDay } from './SymbolDay.js';
import { WorldPlan } from './WorldPlan.js';

export interface SimulateOptions {
  /** PRNG seed; the same seed and options give byte-identical output. Default 1. */
  seed?: number;
  /** Ordinary customer accounts (beneficiary accounts come on top). Default 3000. */
  accounts?: number;
  /** Calendar days simulated (weekends and holidays included). Default 10. */
  days?: number;
  /** First day, `YYYY-MM-DD` (JST). Default 2025-04-07, a Monday of the April 2025 peak. */
  start?: string;
  /**
   * Days of ordinary customer life simulated before `start`, with no attack, stuffing or lookalike
   * in them: the login history a deployment has after replaying the broker's past logs. The labels
   * then carry `evaluate_from` (the start) so login figures count only the attack period. Default 0
   * (the output for a seed is then exactly what it was without the option).
   */
  warmupDays?: number;
  /** Receives every event in output order; without it the events are returned in `events`. */
  onEvent?: (ev: KgEvent) => void;
  /** Called after each simulated day (progress). */
  onDay?: (done: number, total: number) => void;
}

export interface WorldSummary {
  seed: number;
  start: string;
  days: number;
  /** Present when the world was generated with a warm-up before `start`. */
  warmup_days?: number;
  accounts: number;
  beneficiary_accounts_opened: number;
  instruments: number;
  events: number;
  events_by_type: Record<string, number>;
  pump_campaigns: number;
  stuffing_waves: number;
  compromised_accounts: number;
  pumps: number;
  beneficiaries: number;
  stuffing_ips: number;
  benign_lookalikes: number;
  malicious_events: number;
  attack_yen_attempted: number;
  attack_yen_executed: number;
  campaigns: PlannedCampaign[];
  waves: PlannedWave[];
}

export interface SimulatedWorld {
  labels: Labels;
  summary: WorldSummary;
  /** The events, when no `onEvent` was given. */
  events?: KgEvent[];
}

export const DEFAULT_START = '2025-04-07';

export function simulateWorld(opts: SimulateOptions = {}): SimulatedWorld {
  const seed = opts.seed ?? 1;
  const nAccounts = opts.accounts ?? 3000;
  const nDays = opts.days ?? 10;
  const start = opts.start ?? DEFAULT_START;
  const warmup = opts.warmupDays ?? 0;
  if (!Number.isInteger(nAccounts) || nAccounts < 50) throw new Error(`accounts must be a whole number >= 50 (got ${nAccounts})`);
  if (!Number.isInteger(nDays) || nDays < 1) throw new Error(`days must be a whole number >= 1 (got ${nDays})`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warm-up days must be a whole number >= 0 (got ${warmup})`);
  const days = simDays(start, nDays);
  // Warm-up days come first and have their own random streams, so the attack period's plans are
  // those of the same seed without warm-up.
  const warmDays = warmup > 0 ? simDays(jstDate(jstMidnight(start) - warmup * DAY), warmup) : [];
  const root = new Rng(seed);
  const planRng = root.fork('plan');
  const nCampaigns = Math.max(1, Math.round((nDays / 10) * (2 + nAccounts / 25_000)));
  const nWaves = Math.max(1, Math.round((nDays / 7) * (1 + nAccounts / 50_000)));
  const perKind = Math.max(1, Math.min(60, Math.round(nAccounts / 1500)));
  const specs = buildInstruments(root.fork('instruments'), {
    thinSmallCaps: 14 + nCampaigns + 2 * Math.max(1, Math.round(perKind / 3)),
    otherSmallCaps: 12,
    foreignThin: 6 + Math.ceil(nCampaigns / 3),
  });
  const u: CustomerUniverse = {
    large: specs.filter((s) => s.market === 'TSE-Prime'),
    thin: specs.filter((s) => s.liquidity === 'thin' && s.currency === 'JPY'),
    mid: specs.filter((s) => s.liquidity === 'mid'),
    foreignLarge: specs.filter((s) => s.liquidity === 'large' && (s.currency === 'HKD' || s.currency === 'CNY')),
    us: specs.filter((s) => s.currency === 'USD'),
  };
  const broker = new Broker(root.fork('broker'), specs, root.fork('secret').hex(32));
  const labels = new LabelBook();
  const plan = new WorldPlan();

  // Customers (a few open their account during the period).
  const custRng = root.fork('customers');
  const ids = new Set<string>();
  const newId = (r: Rng): string => {
    for (;;) {
      const id = `${r.int(101, 399)}-${r.int(1_000_000, 9_999_999)}`;
      if (!ids.has(id)) return ids.add(id), id;
    }
  };
  const refYear = +start.slice(0, 4);
  const first = days[0].windowStart;
  const span = days[nDays - 1].windowEnd - first;
  for (let i = 0; i < nAccounts; i++) {
    const isNew = custRng.chance(0.02);
    const openedAt = isNew ? first + Math.floor(custRng.next() * span * 0.9) : first - HOUR - Math.floor(custRng.lognormal(5 * 365, 1.0) * DAY);
    const a = createCustomer(custRng, broker, newId(custRng), openedAt, u, refYear);
    if (isNew) {
      a.holdings.clear();
      a.cash = 0;
    }
    broker.addAccount(a);
  }
  const customers = broker.accounts.slice();
  for (const a of customers) {
    if (a.home.kind !== 'residential') {
      labels.lookalike('vpn_habit', `customer always connects through ${a.home.org} (AS${a.home.asn})`, a.id);
      plan.used.add(a.id);
    }
  }

  // Plans.
  const benRng = root.fork('beneficiaries');
  const newBeneficiary = (openedAt: number): SimAccount => {
    const home = benRng.weighted(JP_RESIDENTIAL);
    const dev = beneficiaryDevice(benRng);
    const id = newId(benRng);
    const a: SimAccount = {
      id,
      kind: 'beneficiary',
      openedAt,
      birthYear: benRng.int(1965, 2000),
      residence: 'JP',
      holdings: new Map(),
      cash: 0,
      loginFp: broker.fingerprint('login', id),
      secretFp: broker.fingerprint('pw', benRng.hex(16)),
      mfa: benRng.pick(['sms', 'app_push', 'totp'] as const),
      devices: [dev],
      home,
      homeIp: drawIp(benRng, home),
      mobile: benRng.weighted(JP_MOBILE),
      loginRate: 0,
      tradeProb: 0,
      slots: [1, 1, 1, 1, 1, 1, 0],
      favorites: [],
      bankFp: broker.fingerprint('bank', benRng.hex(12)),
      margin: false,
      typoRate: 0,
      failStreak: 0,
      lockedUntil: 0,
      lastFill: new Map(),
      snapshotEmitted: false,
    };
    broker.addAccount(a);
    return a;
  };
  const victimPool = customers
    .filter((a) => a.openedAt < first && a.holdings.size > 0)
    .map((a) => ({ account: a, value: portfolioYen(a, broker) }))
    .filter((p) => p.value >= 1.5e6)
    .map((p) => ({ account: p.account, weight: Math.sqrt(p.value) * (refYear - p.account.birthYear >= 65 ? 2.5 : 1) }));
  const tseTargets = planRng.shuffle(u.thin.slice());
  const foreignTargets = planRng.shuffle(specs.filter((s) => s.liquidity === 'thin' && s.currency !== 'JPY'));
  const campaigns = planPumpCampaigns({ rng: planRng.fork('pumps'), plan, labels, days, campaigns: nCampaigns, tseTargets, foreignTargets, victimPool, newBeneficiary });
  const waves = planStuffingWaves({ rng: planRng.fork('stuffing'), broker, plan, labels, days, waves: nWaves, customers });
  planLookalikes({ rng: planRng.fork('lookalikes'), plan, labels, days, customers, quietThin: tseTargets, perKind });

  // Reference data first: instruments, then every account that exists at the start.
  const events: KgEvent[] = [];
  const sink = opts.onEvent ?? ((ev: KgEvent) => events.push(ev));
  const px = new Map(specs.map((s) => [s.symbol, { close: s.price0, fundamental: s.price0 }]));
  const dayRng0 = root.fork('market');
  let quiet: SimAccount[] = [];
  let malicious = 0;
  const schedule = [...warmDays.map((d) => ({ d, warm: true })), ...days.map((d) => ({ d, warm: false }))];
  for (const [i, { d, warm }] of schedule.entries()) {
    const key = warm ? `warmup${d.index}` : `${d.index}`;
    const dayRng = root.fork(`day${key}`);
    const sds = new Map<string, BrokerSymbolDay>();
    for (const s of specs) {
      const p = px.get(s.symbol)!;
      sds.set(s.symbol, new SymbolDay(s, d.midnight, p.close, p.fundamental, dayRng0.fork(`${key}/${s.symbol}`), warm ? [] : plan.shocksOn(d.index, s.symbol)));
    }
    broker.beginDay(d.windowStart, d.windowEnd, sds);
    if (i === 0) emitReference(broker, specs, d.windowStart - 60_000);
    for (const a of broker.accounts) {
      if (!a.snapshotEmitted && a.openedAt >= d.windowStart && a.openedAt < d.windowEnd) broker.accountSnapshot(a, a.openedAt);
    }
    for (const a of quiet) a.quietFrom = undefined;
    quiet = [];
    for (const [id, t] of warm ? [] : plan.quietOn(d.index)) {
      const a = broker.byId.get(id);
      if (a) (a.quietFrom = t), quiet.push(a);
    }
    const ctx: DayCtx = { rng: dayRng, broker, midnight: d.midnight, windowStart: d.windowStart, windowEnd: d.windowEnd, tradingDay: d.tse, dayIndex: d.index, labels };
    for (const a of customers) simulateCustomerDay(ctx, a);
    if (!warm) for (const script of plan.scriptsOn(d.index)) script(ctx);
    const out = broker.endDay(() => dayRng.lognormal(1, 0.25));
    for (const ev of out.events) sink(ev);
    for (const id of out.malicious) labels.malicious.push(id);
    for (const id of out.beneficiary) labels.beneficiaryEvents.push(id);
    malicious += out.malicious.length;
    for (const [sym, sd] of sds) {
      const p = px.get(sym)!;
      p.close = sd.close;
      p.fundamental *= Math.exp(dayRng.normal(0, sd.spec.sigma * 0.3));
    }
    opts.onDay?.(i + 1, schedule.length);
  }

  const out = labels.toLabels(broker.attackYen, warmup > 0 ? days[0].windowStart : undefined);
  const counts = broker.counts;
  const summary: WorldSummary = {
    seed,
    start,
    days: nDays,
    ...(warmup > 0 ? { warmup_days: warmup } : {}),
    accounts: nAccounts,
    beneficiary_accounts_opened: broker.accounts.length - nAccounts,
    instruments: specs.length,
    events: Object.values(counts).reduce((a, b) => a + b, 0),
    events_by_type: { ...counts },
    pump_campaigns: campaigns.length,
    stuffing_waves: waves.length,
    compromised_accounts: out.compromised_accounts.length,
    pumps: out.pumps.length,
    beneficiaries: out.beneficiary_accounts.length,
    stuffing_ips: out.stuffing_ips.length,
    benign_lookalikes: out.benign_lookalikes.length,
    malicious_events: malicious,
    attack_yen_attempted: out.compromised_accounts.reduce((s, c) => s + c.attack_yen_attempted, 0),
    attack_yen_executed: Math.round(broker.attackYenExecuted),
    campaigns,
    waves,
  };
  return { labels: out, summary, ...(opts.onEvent ? {} : { events }) };
}

function emitReference(broker: Broker, specs: InstrumentSpec[], t: number): void {
  for (const s of specs) {
    broker.emit(t, {
      type: 'instrument',
      symbol: s.symbol,
      name: s.name,
      market: s.market,
      currency: s.currency,
      issuer_country: s.issuerCountry,
      lot_size: s.lot,
      shares_outstanding: s.sharesOutstanding,
      market_cap_jpy: Math.round(s.sharesOutstanding * s.price0 * s.fx),
    });
  }
  for (const a of broker.accounts) if (a.openedAt < t) broker.accountSnapshot(a, t);
}

function portfolioYen(a: SimAccount, broker: Broker): number {
  let v = 0;
  for (const [sym, q] of a.holdings) {
    const s = broker.instruments.get(sym)!;
    v += q * s.price0 * s.fx;
  }
  return v;
}
