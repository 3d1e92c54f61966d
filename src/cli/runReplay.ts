import { closeSync, createReadStream, existsSync, fsyncSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import v8 from 'node:v8';
import { Engine, IncompatibleStateError } from '../engine/Engine.js';
import { Pipeline, type PipelineStats } from '../engine/Pipeline.js';
import type { Alert, DecisionRecord } from '../engine/types.js';
import { createDetectors, type DetectorOptions } from '../detect/index.js';
import { readNdjsonLines } from '../events/readNdjsonLines.js';
import { NdjsonWriter } from '../events/NdjsonWriter.js';
import { parseEventLine } from '../events/validateEvent.js';
import { fingerprintInput, sameInput, type InputFingerprint } from '../store/fingerprintInput.js';
import { ReplayStateFile, type ReplayCheckpoint, type ReplayState } from '../store/ReplayStateFile.js';
import { CliError } from './CliError.js';
import { startProgress } from './progress.js';

export interface ReplayCheckpointOptions {
  /** SQLite file holding the checkpoint (created when missing). */
  path: string;
  /** Ignore an existing checkpoint and start from the first line. Default false. */
  fresh?: boolean;
  /** Checkpoint after at least this many input lines... Default 1,000,000. */
  everyLines?: number;
  /** ...or after this many seconds, whichever comes first. Default 5. */
  everySeconds?: number;
}

export interface ReplayOptions {
  /** Events file, or `-` for stdin. */
  input: string;
  alertsPath?: string;
  decisionsPath?: string;
  /** Customer notifications the broker must send (the outbox), as NDJSON. */
  notificationsPath?: string;
  /** Dead-letter file for rejected lines; created only when a line is rejected. */
  rejectsPath?: string;
  reorderWindowMs?: number;
  detectors?: DetectorOptions;
  progress?: boolean;
  /**
   * Keep a checkpoint so that an interrupted run, started again with the same options, continues
   * where it stopped with the same outputs as an uninterrupted run. Ignored (with a notice) for
   * stdin input or an output to stdout, which cannot be re-read or cut back. Default: none.
   */
  checkpoint?: ReplayCheckpointOptions;
  /**
   * Stop early (Ctrl-C): after the current batch the run saves a checkpoint, closes its outputs and
   * returns with `stoppedAtLine`; running again continues from there. Default: run to the end.
   */
  stop?: AbortSignal;
  /** Human notices (resuming, why a checkpoint was not used). Default: dropped. */
  log?: (message: string) => void;
  /** In-process observers (the demo report uses them). */
  onAlert?: (a: Alert) => void;
  onDecision?: (d: DecisionRecord) => void;
}

export interface ReplayResult {
  stats: PipelineStats;
  /** Wall time of this invocation only (a resumed run does not include the interrupted ones). */
  seconds: number;
  rejectsPath?: string;
  /** Set when this run continued an interrupted one: the first input line it read. */
  resumedFromLine?: number;
  /** Set when `stop` ended the run early: the next input line to read (resumable when a checkpoint is kept). */
  stoppedAtLine?: number;
  /** Whether a checkpoint is kept, so that an interrupted run can continue. */
  resumable: boolean;
  /** Checkpoints saved by this invocation. */
  checkpoints: number;
  /** Wall time spent saving them (flushing outputs, serializing the pipeline, committing), seconds. */
  checkpointSeconds: number;
}

const DEFAULT_CHECKPOINT_LINES = 1_000_000;
const DEFAULT_CHECKPOINT_SECONDS = 5;
const READ_BATCH = 4096;
/**
 * A time-triggered checkpoint waits at least this many times as long as the previous one took, so
 * checkpointing costs a few per cent of the run at most however large the engine state grows.
 */
const MIN_GAP_FACTOR = 40;

/** Replay an events file through the full pipeline in event-time order (contract §5). */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const rejectsPath = opts.rejectsPath ?? 'kabuguard-rejects.ndjson';
  const engine = new Engine({ detectors: createDetectors(opts.detectors) });

  const cpOpts = usableCheckpointOptions(opts, log);
  let state: ReplayStateFile | undefined;
  let input: InputFingerprint | undefined;
  let resume: ReplayCheckpoint | undefined;
  const config = JSON.stringify({
    reorderWindowMs: opts.reorderWindowMs ?? null,
    detectors: engine.detectors.map((d) => d.name),
    detectorOptions: opts.detectors ?? null,
    alerts: opts.alertsPath ? resolve(opts.alertsPath) : null,
    decisions: opts.decisionsPath ? resolve(opts.decisionsPath) : null,
    notifications: opts.notificationsPath ? resolve(opts.notificationsPath) : null,
    rejects: resolve(rejectsPath),
  });
  if (cpOpts) {
    input = fingerprintInput(opts.input);
    try {
      state = new ReplayStateFile(cpOpts.path);
    } catch (err) {
      log(`cannot keep a checkpoint in ${cpOpts.path} (${(err as Error).message}); replaying without resume (pass --state FILE in a writable place)`);
    }
    // Outside the try: continuing without the checkpoint would still write over the other run's outputs.
    state?.claim();
    if (state && !cpOpts.fresh) resume = checkpointToResume(state.read(), input, config, { ...opts, rejectsPath }, cpOpts.path, log);
  }

  const alerts = opts.alertsPath ? new NdjsonWriter(opts.alertsPath, resume?.outputs.alerts) : undefined;
  const decisions = opts.decisionsPath ? new NdjsonWriter(opts.decisionsPath, resume?.outputs.decisions) : undefined;
  const notifications = opts.notificationsPath ? new NdjsonWriter(opts.notificationsPath, resume?.outputs.notifications) : undefined;
  // Created only when a line is rejected; on resume, cut back to what belongs to the lines already read.
  let rejects = resume?.outputs.rejects !== undefined ? new NdjsonWriter(rejectsPath, resume.outputs.rejects) : undefined;
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
      notification: (n) => notifications?.write(n),
      reject: (line, reason, raw) => {
        rejects ??= new NdjsonWriter(rejectsPath);
        rejects.write({ line, reason, raw: raw.length > 10_000 ? raw.slice(0, 10_000) + '…' : raw });
      },
    },
    { reorderWindowMs: opts.reorderWindowMs },
  );

  let checkpoints = 0;
  let checkpointMs = 0;
  let lastCheckpointMs = 0;
  const checkpoint = (nextLine: number, nextOffset: number, first: boolean): void => {
    if (!state) return;
    const t0 = performance.now();
    // Flush before recording positions: the checkpoint must never point past what is on disk.
    const cp: ReplayCheckpoint = {
      nextLine,
      nextOffset,
      pipeline: v8.serialize(pipeline.snapshot()),
      outputs: { alerts: alerts?.position, decisions: decisions?.position, notifications: notifications?.position, rejects: rejects?.position },
    };
    // On disk before the checkpoint that counts on them: after a power cut the state may be older
    // than the outputs (they are cut back), never newer.
    for (const w of [alerts, decisions, notifications, rejects]) if (w) syncFile(w.path);
    if (first) state.begin(input!, config, cp);
    else state.save(cp);
    checkpoints++;
    lastCheckpointMs = performance.now() - t0;
    checkpointMs += lastCheckpointMs;
  };

  if (resume) {
    try {
      pipeline.restore(v8.deserialize(resume.pipeline));
    } catch (err) {
      if (!(err instanceof IncompatibleStateError)) throw err;
      state?.close();
      throw new CliError(`the checkpoint ${cpOpts!.path} was written by another version of kabuguard (${err.detail}) and cannot be resumed; run again with --fresh to start over`, 1);
    }
    await markSeenBefore(opts.input, resume.nextOffset, pipeline);
    log(`resuming an interrupted replay at line ${resume.nextLine.toLocaleString('en-US')} (checkpoint ${cpOpts!.path}; --fresh starts over)`);
  } else {
    checkpoint(1, 0, true);
  }

  const everyLines = cpOpts?.everyLines ?? DEFAULT_CHECKPOINT_LINES;
  const everyMs = (cpOpts?.everySeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
  const total = opts.input === '-' ? 0 : statSync(opts.input).size;
  const bar = opts.progress && total > 0 ? startProgress('replay', Math.ceil(total / 1e6), 'MB') : undefined;
  let linesSince = 0;
  let lastCheckpointAt = performance.now();
  let stoppedAtLine: number | undefined;
  for await (const batch of readNdjsonLines(opts.input, {
    startOffset: resume?.nextOffset,
    startLine: resume?.nextLine,
    // Checkpoints fall between batches, so small checkpoint intervals need small batches.
    batchSize: state ? Math.min(READ_BATCH, everyLines) : READ_BATCH,
    onBytes: (b) => bar?.update(Math.floor(b / 1e6)),
  })) {
    let n = batch.firstLine;
    for (const line of batch.lines) pipeline.ingestLine(line, n++);
    if (opts.stop?.aborted) {
      checkpoint(n, batch.endOffset, false);
      stoppedAtLine = n;
      break;
    }
    if (!state) continue;
    linesSince += batch.lines.length;
    const since = performance.now() - lastCheckpointAt;
    if (linesSince >= everyLines || (since >= everyMs && since >= MIN_GAP_FACTOR * lastCheckpointMs)) {
      checkpoint(n, batch.endOffset, false);
      linesSince = 0;
      lastCheckpointAt = performance.now();
    }
  }
  // Stopped early: the reorder window and open episodes stay in the checkpoint, not drained.
  if (stoppedAtLine === undefined) pipeline.drain();
  bar?.update(Math.ceil(total / 1e6));
  bar?.stop();
  alerts?.close();
  decisions?.close();
  notifications?.close();
  rejects?.close();
  // Only after every output is closed: a crash before this line resumes from the last checkpoint.
  if (stoppedAtLine === undefined) state?.complete();
  state?.close();
  return {
    stats: pipeline.stats,
    seconds: (performance.now() - started) / 1000,
    rejectsPath: rejects ? rejectsPath : undefined,
    resumedFromLine: resume?.nextLine,
    stoppedAtLine,
    resumable: state !== undefined,
    checkpoints,
    checkpointSeconds: checkpointMs / 1000,
  };
}

function usableCheckpointOptions(opts: ReplayOptions, log: (m: string) => void): ReplayCheckpointOptions | undefined {
  const cp = opts.checkpoint;
  if (!cp) return undefined;
  if (opts.input === '-') {
    log('input is stdin: no checkpoint is kept, an interrupted run cannot be resumed');
    return undefined;
  }
  if (opts.alertsPath === '-' || opts.decisionsPath === '-' || opts.notificationsPath === '-' || opts.rejectsPath === '-') {
    log('an output goes to stdout: no checkpoint is kept, an interrupted run cannot be resumed');
    return undefined;
  }
  for (const [name, v] of [['everyLines', cp.everyLines], ['everySeconds', cp.everySeconds]] as const) {
    if (v !== undefined && !(v > 0)) throw new RangeError(`checkpoint.${name}: must be > 0, got ${v}`);
  }
  return cp;
}

/** The checkpoint to continue from, or undefined (with the reason logged) to start from the first line. */
function checkpointToResume(
  st: ReplayState | undefined,
  input: InputFingerprint,
  config: string,
  outputs: { alertsPath?: string; decisionsPath?: string; notificationsPath?: string; rejectsPath: string },
  statePath: string,
  log: (m: string) => void,
): ReplayCheckpoint | undefined {
  // No state, or the last run finished: a rerun starts afresh.
  if (!st || st.status === 'complete' || !st.checkpoint) return undefined;
  if (!sameInput(st.input, input)) {
    log(`${statePath} belongs to another version of the input (size, time or content differ); starting from the first line`);
    return undefined;
  }
  if (st.config !== config) {
    log(`${statePath} was written with other options or output files; starting from the first line`);
    return undefined;
  }
  const cp = st.checkpoint;
  const files: [string | undefined, number | undefined][] = [
    [outputs.alertsPath, cp.outputs.alerts],
    [outputs.decisionsPath, cp.outputs.decisions],
    [outputs.notificationsPath, cp.outputs.notifications],
    [outputs.rejectsPath, cp.outputs.rejects],
  ];
  for (const [path, pos] of files) {
    if (path === undefined || pos === undefined) continue;
    // Shorter than recorded: lost in a power cut or edited since; the outputs cannot be trusted.
    if (!existsSync(path) || statSync(path).size < pos) {
      log(`${path} is shorter than the checkpoint in ${statePath} records; starting from the first line`);
      return undefined;
    }
  }
  return cp;
}

/**
 * Rebuild the de-duplication set from the input before the checkpoint instead of storing it: ids are
 * most of the state by size, and re-reading them is cheaper than writing them at every checkpoint.
 * Only valid lines count, as in the original run: a rejected line's id does not hide a later valid one.
 */
async function markSeenBefore(path: string, endOffset: number, pipeline: Pipeline): Promise<void> {
  if (endOffset === 0) return;
  const stream = createReadStream(path, { start: 0, end: endOffset - 1, highWaterMark: 1 << 20 });
  for await (const batch of readNdjsonLines(stream)) {
    for (const line of batch.lines) {
      if (line.trim() === '') continue;
      const v = parseEventLine(line);
      if (v.ok) pipeline.markSeen(v.event);
    }
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
