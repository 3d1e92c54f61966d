import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSimulatedWorld } from './writeSimulatedWorld.js';

const dir = mkdtempSync(join(tmpdir(), 'kg-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSimulatedWorld', () => {
  it('writes events, labels and a world summary that agree with each other', () => {
    const res = writeSimulatedWorld(dir, { seed: 9, accounts: 120, days: 2 });
    const lines = readFileSync(res.eventsPath, 'utf8').trimEnd().split('\n');
    const labels = JSON.parse(readFileSync(res.labelsPath, 'utf8'));
    const world = JSON.parse(readFileSync(res.worldPath, 'utf8'));
    expect(world.events).toBe(lines.length);
    expect(world.compromised_accounts).toBe(labels.compromised_accounts.length);
    expect(world.pumps).toBe(labels.pumps.length);
    expect(world.malicious_events).toBe(labels.malicious_event_ids.length);
    for (const key of ['compromised_accounts', 'beneficiary_accounts', 'pumps', 'stuffing_ips', 'benign_lookalikes', 'malicious_event_ids']) {
      expect(Array.isArray(labels[key]), key).toBe(true);
    }
  });

  it('rejects a start date that does not exist, naming it', () => {
    expect(() => writeSimulatedWorld(join(dir, 'bad'), { start: '2025-02-30', accounts: 100, days: 1 })).toThrow(/2025-02-30/);
  });
});
