/**
 * The detector registry: every capability plugs in here and nowhere else. Order matters only for
 * `observe`: login defence first (it scores sessions that trading reads), campaign linking last.
 */
import type { Detector } from '../engine/types.js';
import { createLoginDetectors, type LoginDetectorOptions } from './login/index.js';
import { createTradingDetectors, type TradingDetectorOptions } from './trading/index.js';
import { createMarketDetectors, type MarketDetectorOptions } from './market/index.js';
import { createPhishingDetectors, type PhishingDetectorOptions } from './phishing/index.js';
import { createCampaignDetectors, type CampaignDetectorOptions } from './campaign/index.js';

export interface DetectorOptions {
  login?: LoginDetectorOptions;
  trading?: TradingDetectorOptions;
  market?: MarketDetectorOptions;
  phishing?: PhishingDetectorOptions;
  campaign?: CampaignDetectorOptions;
}

export function createDetectors(opts: DetectorOptions = {}): Detector[] {
  return [
    ...createLoginDetectors(opts.login),
    ...createTradingDetectors(opts.trading),
    ...createMarketDetectors(opts.market),
    ...createPhishingDetectors(opts.phishing),
    ...createCampaignDetectors(opts.campaign),
  ];
}
