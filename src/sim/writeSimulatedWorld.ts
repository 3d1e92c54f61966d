import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NdjsonWriter } from '../events/NdjsonWriter.js';
import { simulateWorld, type SimulateOptions, type WorldSummary } from './simulateWorld.js';

export interface WrittenWorld {
  dir: string;
  eventsPath: string;
  labelsPath: string;
  worldPath: string;
  summary: WorldSummary;
}

/**
 * Stream a simulated world to `dir/events.ndjson`, then write `dir/labels.json` (contract §4) and
 * `dir/world.json` (the summary counts). Memory stays bounded: events go to disk day by day.
 */
export function writeSimulatedWorld(dir: string, opts: Omit<SimulateOptions, 'onEvent'> = {}): WrittenWorld {
  mkdirSync(dir, { recursive: true });
  const eventsPath = join(dir, 'events.ndjson');
  const labelsPath = join(dir, 'labels.json');
  const worldPath = join(dir, 'world.json');
  const out = new NdjsonWriter(eventsPath);
  let world;
  try {
    world = simulateWorld({ ...opts, onEvent: (ev) => out.write(ev) });
  } finally {
    out.close();
  }
  writeFileSync(labelsPath, JSON.stringify(world.labels) + '\n');
  writeFileSync(worldPath, JSON.stringify(world.summary, null, 2) + '\n');
  return { dir, eventsPath, labelsPath, worldPath, summary: world.summary };
}
