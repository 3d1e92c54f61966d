import type { Detector } from '../../engine/types.js';

export interface CampaignDetectorOptions {}

/** The campaign detectors, in the order the engine should call them. */
export function createCampaignDetectors(_opts: CampaignDetectorOptions = {}): Detector[] {
  return [];
}
