import { readFileSync } from 'node:fs';
import type { Alert, DecisionRecord } from '../engine/types.js';
import { readNdjsonLines } from '../events/readNdjsonLines.js';
import { parseEventLine } from '../events/validateEvent.js';
import { EventFactsCollector } from './collectEventFacts.js';
import { computeMetrics, type Metrics } from './computeMetrics.js';
import { parseLabels } from './labels.js';
import { loadNdjsonFile } from './loadNdjsonFile.js';

export interface EvaluateFilesOptions {
  alertsPath: string;
  labelsPath: string;
  decisionsPath?: string;
  eventsPath?: string;
}

/** The file-reading side of `kabuguard evaluate`: load, then compute contract §6 metrics. */
export async function evaluateFiles(o: EvaluateFilesOptions): Promise<Metrics> {
  let labelsJson: unknown;
  try {
    labelsJson = JSON.parse(readFileSync(o.labelsPath, 'utf8'));
  } catch (err) {
    throw new Error(`--labels ${o.labelsPath}: ${(err as Error).message}`);
  }
  const labels = parseLabels(labelsJson);
  const alerts = await loadNdjsonFile<Alert>(o.alertsPath);
  const decisions = o.decisionsPath ? await loadNdjsonFile<DecisionRecord>(o.decisionsPath) : undefined;
  let facts;
  if (o.eventsPath) {
    const collector = new EventFactsCollector(new Set(labels.malicious_event_ids));
    for await (const batch of readNdjsonLines(o.eventsPath)) {
      for (const line of batch.lines) {
        const v = parseEventLine(line);
        if (v.ok) collector.add(v.event);
      }
    }
    facts = collector.result();
  }
  return computeMetrics({ labels, alerts, decisions, facts });
}
