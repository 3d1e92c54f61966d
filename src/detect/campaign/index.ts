import type { Detector } from '../../engine/types.js';
import { CampaignLinker, type CampaignDetectorOptions } from './CampaignLinker.js';

export type { CampaignDetectorOptions } from './CampaignLinker.js';
export { CampaignLinker } from './CampaignLinker.js';
export type { CampaignSummary } from './summarizeCampaign.js';

/** The campaign detectors, in the order the engine should call them. */
export function createCampaignDetectors(opts: CampaignDetectorOptions = {}): Detector[] {
  return [new CampaignLinker(opts)];
}
