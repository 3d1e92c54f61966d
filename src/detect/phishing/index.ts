import type { Detector } from '../../engine/types.js';

export interface PhishingDetectorOptions {}

/** The phishing detectors (URLs arriving as `url_report` events). */
export function createPhishingDetectors(_opts: PhishingDetectorOptions = {}): Detector[] {
  return [];
}
