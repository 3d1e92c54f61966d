/**
 * Market surveillance on the tape (`market_trade`, the whole market) and on this broker's
 * executions: pump-and-dump episodes, ramping, marking the close and matched/wash trades.
 * Pure domain code: no I/O, event time only. See `PumpAlertData.ts` for the episode figures other
 * detectors read from `pump_and_dump` alerts in `onAlert`.
 */
import type { Detector } from '../../engine/types.js';
import { PumpDumpDetector, type PumpDumpOptions } from './PumpDumpDetector.js';

export type { PumpAlertData } from './PumpAlertData.js';
export type { PumpDumpOptions } from './PumpDumpDetector.js';

export interface MarketDetectorOptions {
  /** Pump-and-dump thresholds; `false` turns the detector off. */
  pump?: PumpDumpOptions | false;
}

/** The market detectors, in the order the engine should call them. */
export function createMarketDetectors(opts: MarketDetectorOptions = {}): Detector[] {
  const out: Detector[] = [];
  if (opts.pump !== false) out.push(new PumpDumpDetector(opts.pump ?? {}));
  return out;
}
