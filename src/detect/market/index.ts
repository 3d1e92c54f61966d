import type { Detector } from '../../engine/types.js';

export interface MarketDetectorOptions {}

/** The market detectors, in the order the engine should call them. */
export function createMarketDetectors(_opts: MarketDetectorOptions = {}): Detector[] {
  return [];
}
