import type { Detector } from '../../engine/types.js';

export interface TradingDetectorOptions {}

/** The trading detectors, in the order the engine should call them. */
export function createTradingDetectors(_opts: TradingDetectorOptions = {}): Detector[] {
  return [];
}
