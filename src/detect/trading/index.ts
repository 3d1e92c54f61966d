import type { Detector } from '../../engine/types.js';
import { TradingDetector } from './TradingDetector.js';
import type { TradingDetectorOptions } from './TradingDetectorOptions.js';

export type { TradingDetectorOptions } from './TradingDetectorOptions.js';
export { TradingDetector } from './TradingDetector.js';
export { parseRestrictedSymbols, type RestrictedSymbols } from './parseRestrictedSymbols.js';

/** The trading detectors, in the order the engine should call them. */
export function createTradingDetectors(opts: TradingDetectorOptions = {}): Detector[] {
  return [new TradingDetector(opts)];
}
