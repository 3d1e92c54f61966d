import type { Detector } from '../../engine/types.js';
import { createPhishingUrlDetector, type PhishingUrlDetectorOptions } from './createPhishingUrlDetector.js';

export interface PhishingDetectorOptions {
  url?: PhishingUrlDetectorOptions;
}

/** The phishing detectors (URLs arriving as `url_report` events). */
export function createPhishingDetectors(opts: PhishingDetectorOptions = {}): Detector[] {
  return [createPhishingUrlDetector(opts.url)];
}
