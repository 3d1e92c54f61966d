import { statSync } from 'node:fs';
import { Engine } from '../engine/Engine.js';
import { Pipeline, type PipelineStats } from '../engine/Pipeline.js';
import type { Alert, DecisionRecord } from '../engine/types.js';
import { createDetectors, type DetectorOptions } from '../detect/index.js';
import { readNdjsonLines } from '../events/readNdjsonLines.js';
import { NdjsonWriter } from '../events/NdjsonWriter.js';
import { startProgress } from './progress.js';

export interface ReplayOptions {
  /** Events file, or `-` for stdin. */
  input: string;
  alertsPath?: string;
  decisionsPath?: string;
  /** Dead-letter file for rejected lines; created only when a line is rejected. */
  rejectsPath?: string;
  reorderWindowMs?: number;
  detectors?: DetectorOptions;
  progress?: boolean;
  /** In-process observers (the demo report uses them). */
  onAlert?: (a: Alert) => void;
  onDecision?: (d: DecisionRecord) => void;
}

export interface ReplayResult {
  stats: PipelineStats;
  seconds: number;
  rejectsPath?: string;
}

/** Replay an events file through the full pipeline in event-time order (contract §5). */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const alerts = opts.alertsPath ? new NdjsonWriter(opts.alertsPath) : undefined;
  const decisions = opts.decisionsPath ? new NdjsonWriter(opts.decisionsPath) : undefined;
  let rejects: NdjsonWriter | undefined;
  const rejectsPath = opts.rejectsPath ?? 'kabuguard-rejects.ndjson';
  const engine = new Engine({ detectors: createDetectors(opts.detectors) });
  const pipeline = new Pipeline(
    engine,
    {
      alert: (a) => {
        alerts?.write(a);
        opts.onAlert?.(a);
      },
      decision: (d) => {
        decisions?.write(d);
        opts.onDecision?.(d);
      },
      reject: (line, reason, raw) => {
        rejects ??= new NdjsonWriter(rejectsPath);
        rejects.write({ line, reason, raw: raw.length > 10_000 ? raw.slice(0, 10_000) + '…' : raw });
      },
    },
    { reorderWindowMs: opts.reorderWindowMs },
  );
  const total = opts.input === '-' ? 0 : statSync(opts.input).size;
  const bar = opts.progress && total > 0 ? startProgress('replay', Math.ceil(total / 1e6), 'MB') : undefined;
  for await (const batch of readNdjsonLines(opts.input, { onBytes: (b) => bar?.update(Math.floor(b / 1e6)) })) {
    let n = batch.firstLine;
    for (const line of batch.lines) pipeline.ingestLine(line, n++);
  }
  pipeline.drain();
  bar?.update(Math.ceil(total / 1e6));
  bar?.stop();
  alerts?.close();
  decisions?.close();
  rejects?.close();
  return { stats: pipeline.stats, seconds: (performance.now() - started) / 1000, rejectsPath: rejects ? rejectsPath : undefined };
}
