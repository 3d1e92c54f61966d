/**
 * Market surveillance on the tape (`market_trade`, the whole market) and on this broker's
 * executions: pump-and-dump episodes, ramping, marking the close and matched/wash trades.
 * Pure domain code: no I/O, event time only. See `PumpAlertData.ts` for the episode figures other
 * detectors read from `pump_and_dump` / `market_frenzy` alerts in `onAlert`.
 */
import type { Detector } from '../../engine/types.js';
import { TapeSurveillance, type PumpDumpOptions } from './TapeSurveillance.js';
import type { MarkingCloseOptions } from './trackClose.js';
import type { RampingOptions } from './trackRamp.js';
import { WashTradeDetector, type WashTradeOptions } from './WashTradeDetector.js';

export type { PumpAlertData } from './PumpAlertData.js';
export type { PumpDumpOptions, RampingOptions, MarkingCloseOptions, WashTradeOptions };

/** Options of each market check; `false` turns one off. All default to on with their documented thresholds. */
export interface MarketDetectorOptions {
  pump?: PumpDumpOptions | false;
  ramping?: RampingOptions | false;
  markingClose?: MarkingCloseOptions | false;
  washTrade?: WashTradeOptions | false;
}

/** The market detectors, in the order the engine should call them. */
export function createMarketDetectors(opts: MarketDetectorOptions = {}): Detector[] {
  const out: Detector[] = [];
  if (opts.pump !== false || opts.ramping !== false || opts.markingClose !== false) {
    out.push(new TapeSurveillance({ pump: opts.pump, ramping: opts.ramping, markingClose: opts.markingClose }));
  }
  if (opts.washTrade !== false) out.push(new WashTradeDetector(opts.washTrade ?? {}));
  return out;
}
