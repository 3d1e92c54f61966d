import type { Detector } from '../../engine/types.js';
import { LoginDefence, type LoginDefenceOptions } from './LoginDefence.js';

/** Options of the login and account defence; see `LoginDefenceOptions` for each field and its default. */
export type LoginDetectorOptions = LoginDefenceOptions;

/** The login detectors, in the order the engine should call them. */
export function createLoginDetectors(opts: LoginDetectorOptions = {}): Detector[] {
  return [new LoginDefence(opts)];
}

export { LoginDefence, type LoginDefenceOptions } from './LoginDefence.js';
export { scoreLoginRisk, DEFAULT_RISK_WEIGHTS, type RiskWeights, type LoginRisk } from './scoreLoginRisk.js';
export { DEFAULT_SOURCE_THRESHOLDS, type SourceKind, type SourceThresholds } from './SourceTracker.js';
