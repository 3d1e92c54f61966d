import type { Detector } from '../../engine/types.js';

export interface LoginDetectorOptions {}

/** The login detectors, in the order the engine should call them. */
export function createLoginDetectors(_opts: LoginDetectorOptions = {}): Detector[] {
  return [];
}
