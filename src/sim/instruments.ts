/**
 * The instrument universe: liquid TSE Prime names most customers hold, thin TSE Standard/Growth
 * small caps (the pump targets of brief §2), illiquid HK/Shanghai names reachable through the
 * foreign-stock service, and a few US names. Large caps carry their real codes and names; small caps
 * get plausible codes and invented names, because the simulator pumps them.
 */
import type { Rng } from './Rng.js';

export type Market = 'TSE-Prime' | 'TSE-Standard' | 'TSE-Growth' | 'HKEX' | 'SSE' | 'SZSE' | 'NASDAQ' | 'NYSE';
export type Liquidity = 'large' | 'mid' | 'thin';

export interface InstrumentSpec {
  symbol: string;
  name: string;
  market: Market;
  currency: 'JPY' | 'HKD' | 'CNY' | 'USD';
  issuerCountry: string;
  lot: number;
  /** Price on the first simulated day, in the instrument's currency. */
  price0: number;
  /** Normal daily volume in shares. */
  dailyVolume: number;
  /** Daily log-return standard deviation. */
  sigma: number;
  liquidity: Liquidity;
  sharesOutstanding: number;
  /** Aggregated tape prints on a normal day. */
  printsPerDay: number;
  /** Shares resting at each price level near the touch on a normal day. */
  depthPerLevel: number;
  /** Yen per unit of currency (fixed, matching the engine's table). */
  fx: number;
  /** TOPIX100 names use the finer TSE tick table. */
  topix100: boolean;
}

export const FX: Record<InstrumentSpec['currency'], number> = { JPY: 1, USD: 150, HKD: 19, CNY: 21 };

type Big = [symbol: string, name: string, price: number, volume: number, lot?: number];

const TSE_LARGE: Big[] = [
  ['7203.T', 'Toyota Motor', 2700, 25e6],
  ['6758.T', 'Sony Group', 3400, 10e6],
  ['9984.T', 'SoftBank Group', 8000, 12e6],
  ['8306.T', 'Mitsubishi UFJ Financial Group', 1800, 40e6],
  ['9432.T', 'NTT', 150, 150e6],
  ['6501.T', 'Hitachi', 3600, 8e6],
  ['8035.T', 'Tokyo Electron', 22000, 3e6],
  ['9983.T', 'Fast Retailing', 46000, 0.6e6],
  ['7974.T', 'Nintendo', 10000, 4e6],
  ['4063.T', 'Shin-Etsu Chemical', 4300, 5e6],
  ['8316.T', 'Sumitomo Mitsui Financial Group', 3500, 8e6],
  ['8411.T', 'Mizuho Financial Group', 3700, 6e6],
  ['6098.T', 'Recruit Holdings', 8500, 3e6],
  ['4502.T', 'Takeda Pharmaceutical', 4200, 4e6],
  ['8058.T', 'Mitsubishi Corporation', 2700, 8e6],
  ['8001.T', 'ITOCHU', 7200, 3e6],
  ['9433.T', 'KDDI', 2500, 8e6],
  ['2914.T', 'Japan Tobacco', 4100, 3e6],
  ['7267.T', 'Honda Motor', 1450, 12e6],
  ['9434.T', 'SoftBank Corp.', 210, 60e6],
  ['6861.T', 'Keyence', 58000, 0.4e6],
  ['4661.T', 'Oriental Land', 3200, 3e6],
  ['7011.T', 'Mitsubishi Heavy Industries', 2600, 20e6],
  ['6902.T', 'Denso', 1900, 5e6],
  ['8766.T', 'Tokio Marine Holdings', 5500, 3e6],
  ['4568.T', 'Daiichi Sankyo', 3500, 5e6],
  ['3382.T', 'Seven & i Holdings', 2200, 6e6],
  ['8031.T', 'Mitsui & Co.', 2900, 6e6],
  ['9020.T', 'East Japan Railway', 2900, 3e6],
  ['8591.T', 'ORIX', 3100, 3e6],
  ['4503.T', 'Astellas Pharma', 1500, 5e6],
  ['6752.T', 'Panasonic Holdings', 1700, 5e6],
  ['5401.T', 'Nippon Steel', 3000, 5e6],
  ['1306.T', 'NEXT FUNDS TOPIX ETF', 2800, 8e6, 10],
  ['1321.T', 'NEXT FUNDS Nikkei 225 ETF', 37000, 0.5e6, 1],
];

const HK_LARGE: Big[] = [
  ['0700.HK', 'Tencent Holdings', 500, 18e6, 100],
  ['9988.HK', 'Alibaba Group', 130, 60e6, 100],
  ['0005.HK', 'HSBC Holdings', 95, 20e6, 400],
  ['1810.HK', 'Xiaomi', 50, 150e6, 200],
];
const SS_LARGE: Big[] = [
  ['600519.SS', 'Kweichow Moutai', 1550, 3e6, 100],
  ['601318.SS', 'Ping An Insurance', 52, 40e6, 100],
  ['600036.SS', 'China Merchants Bank', 43, 50e6, 100],
];
const US: [string, string, number, number, 'NASDAQ' | 'NYSE'][] = [
  ['AAPL', 'Apple', 210, 50e6, 'NASDAQ'],
  ['NVDA', 'NVIDIA', 110, 250e6, 'NASDAQ'],
  ['MSFT', 'Microsoft', 380, 22e6, 'NASDAQ'],
  ['TSLA', 'Tesla', 250, 100e6, 'NASDAQ'],
  ['KO', 'Coca-Cola', 70, 15e6, 'NYSE'],
  ['VOO', 'Vanguard S&P 500 ETF', 480, 6e6, 'NYSE'],
];

const JP_PREFIX = ['Hokuyo', 'Minato', 'Sakai', 'Tohoku', 'Kansai', 'Daiwa', 'Asahi', 'Seiwa', 'Kyokuto', 'Sanyo', 'Tokai', 'Chuo', 'Yamato', 'Shinko', 'Meiwa', 'Taisei', 'Koyo', 'Heiwa', 'Kowa', 'Nanto', 'Hokuriku', 'Setouchi', 'Izumi', 'Aoba', 'Sakura', 'Kitakami', 'Shirakawa', 'Fukuju', 'Eiko', 'Tenryu'];
const JP_SUFFIX = ['Seiki', 'Foods', 'Kogyo', 'Shoji', 'Denki', 'Pen', 'Holdings', 'Kasei', 'Electronics', 'Trading', 'Textile', 'Paper', 'Printing', 'Logistics', 'Bio', 'Systems', 'Pharma', 'Sangyo', 'Engineering', 'Brewery'];
const CN_PREFIX = ['Huaxin', 'Jinlong', 'Tianrui', 'Hengda', 'Xinyuan', 'Baoli', 'Zhongke', 'Ruifeng', 'Dongfang', 'Kaiyuan', 'Yongtai', 'Shengshi'];
const CN_SUFFIX = ['Holdings', 'Technology', 'New Energy', 'Pharmaceutical', 'Materials', 'Environmental', 'Culture', 'Smart Manufacturing'];

export interface UniverseOptions {
  /** Thin TSE Standard/Growth names priced ¥80–200 (pump candidates and some customers' holdings). */
  thinSmallCaps: number;
  /** Other small caps (priced higher, somewhat more liquid). */
  otherSmallCaps: number;
  /** Illiquid HK and Shanghai names. */
  foreignThin: number;
}

export function buildInstruments(rng: Rng, o: UniverseOptions): InstrumentSpec[] {
  const out: InstrumentSpec[] = [];
  const usedCodes = new Set(TSE_LARGE.map(([s]) => s));
  for (const [symbol, name, price, vol, lot] of TSE_LARGE) {
    out.push(spec(symbol, name, 'TSE-Prime', 'JPY', 'JP', lot ?? 100, price, vol, 0.015, 'large', rng.int(90, 180), true, rng));
  }
  const names = new Set<string>();
  const jpName = (): string => {
    for (;;) {
      const n = `${rng.pick(JP_PREFIX)} ${rng.pick(JP_SUFFIX)}`;
      if (!names.has(n)) return names.add(n), n;
    }
  };
  const code = (): string => {
    for (;;) {
      const c = `${rng.int(13, 99)}${rng.int(0, 99).toString().padStart(2, '0')}.T`;
      if (!usedCodes.has(c)) return usedCodes.add(c), c;
    }
  };
  for (let i = 0; i < o.thinSmallCaps; i++) {
    const price = Math.round(rng.uniform(80, 200));
    const vol = Math.round(rng.lognormal(6000, 0.7) / 100) * 100;
    out.push(spec(code(), jpName(), rng.chance(0.55) ? 'TSE-Standard' : 'TSE-Growth', 'JPY', 'JP', 100, price, clamp(vol, 1000, 20000), rng.uniform(0.022, 0.04), 'thin', rng.int(12, 45), false, rng));
  }
  for (let i = 0; i < o.otherSmallCaps; i++) {
    const price = Math.round(rng.lognormal(700, 0.6));
    out.push(spec(code(), jpName(), rng.chance(0.5) ? 'TSE-Standard' : 'TSE-Growth', 'JPY', 'JP', 100, price, Math.round(rng.lognormal(80000, 0.6) / 100) * 100, rng.uniform(0.02, 0.035), 'mid', rng.int(60, 140), false, rng));
  }
  for (const [symbol, name, price, vol, lot] of HK_LARGE) out.push(spec(symbol, name, 'HKEX', 'HKD', 'CN', lot ?? 100, price, vol, 0.022, 'large', rng.int(60, 120), false, rng));
  for (const [symbol, name, price, vol, lot] of SS_LARGE) out.push(spec(symbol, name, 'SSE', 'CNY', 'CN', lot ?? 100, price, vol, 0.018, 'large', rng.int(60, 120), false, rng));
  const cnNames = new Set<string>();
  const usedForeign = new Set<string>();
  for (let i = 0; i < o.foreignThin; i++) {
    let name: string;
    do name = `${rng.pick(CN_PREFIX)} ${rng.pick(CN_SUFFIX)}`;
    while (cnNames.has(name));
    cnNames.add(name);
    if (i % 2 === 0) {
      let sym: string;
      do sym = `${rng.pick(['8', '1', '2'])}${rng.int(100, 999)}.HK`;
      while (usedForeign.has(sym));
      usedForeign.add(sym);
      const price = round2(rng.uniform(0.3, 2.5));
      const lot = rng.pick([1000, 2000, 4000, 5000, 10000]);
      out.push(spec(sym, name, 'HKEX', 'HKD', 'CN', lot, price, Math.round(rng.lognormal(300_000, 0.6) / lot) * lot + lot, rng.uniform(0.03, 0.05), 'thin', rng.int(10, 40), false, rng));
    } else {
      let sym: string;
      do sym = `${rng.pick(['603', '605', '600'])}${rng.int(100, 999)}.SS`;
      while (usedForeign.has(sym));
      usedForeign.add(sym);
      const price = round2(rng.uniform(4, 12));
      out.push(spec(sym, name, 'SSE', 'CNY', 'CN', 100, price, Math.round(rng.lognormal(60_000, 0.5) / 100) * 100, rng.uniform(0.025, 0.04), 'thin', rng.int(15, 50), false, rng));
    }
  }
  for (const [symbol, name, price, vol, market] of US) out.push(spec(symbol, name, market, 'USD', 'US', 1, price, vol, 0.02, 'large', rng.int(60, 120), false, rng));
  return out;
}

function spec(
  symbol: string,
  name: string,
  market: Market,
  currency: InstrumentSpec['currency'],
  issuerCountry: string,
  lot: number,
  price0: number,
  dailyVolume: number,
  sigma: number,
  liquidity: Liquidity,
  printsPerDay: number,
  topix100: boolean,
  rng: Rng,
): InstrumentSpec {
  const fx = FX[currency];
  // Thin names: market cap under ¥5bn (brief §2); large caps: a realistic free-float multiple of volume.
  const sharesOutstanding =
    liquidity === 'thin' && currency === 'JPY'
      ? Math.round(rng.uniform(0.3, 0.95) * (5e9 / price0) / 100) * 100
      : Math.round(dailyVolume * rng.uniform(150, 600));
  const depthPerLevel = Math.max(lot, Math.round((dailyVolume / rng.uniform(8, 25)) / lot) * lot);
  return { symbol, name, market, currency, issuerCountry, lot, price0, dailyVolume, sigma, liquidity, sharesOutstanding, printsPerDay, depthPerLevel, fx, topix100 };
}

/** Minimum price increment for a price (TSE tick tables, HKEX spread table, 0.01 elsewhere). */
export function tickSize(s: InstrumentSpec, price: number): number {
  if (s.currency === 'JPY') {
    if (s.topix100) {
      if (price <= 1000) return 0.1;
      if (price <= 3000) return 0.5;
      if (price <= 10000) return 1;
      if (price <= 30000) return 5;
      return 10;
    }
    if (price <= 3000) return 1;
    if (price <= 5000) return 5;
    if (price <= 30000) return 10;
    return 50;
  }
  if (s.currency === 'HKD') {
    if (price < 0.25) return 0.001;
    if (price < 0.5) return 0.005;
    if (price < 10) return 0.01;
    if (price < 20) return 0.02;
    if (price < 100) return 0.05;
    if (price < 200) return 0.1;
    return 0.2;
  }
  return 0.01;
}

/** Round to the instrument's tick, without binary-float noise in the printed JSON. */
export function roundToTick(s: InstrumentSpec, price: number, mode: 'nearest' | 'up' | 'down' = 'nearest'): number {
  const tick = tickSize(s, price);
  const k = mode === 'up' ? Math.ceil(price / tick - 1e-9) : mode === 'down' ? Math.floor(price / tick + 1e-9) : Math.round(price / tick);
  const decimals = tick >= 1 ? 0 : tick >= 0.1 ? 1 : tick >= 0.01 ? 2 : 3;
  return Math.max(tick, Number((k * tick).toFixed(decimals)));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
