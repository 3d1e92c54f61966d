import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { addDetectorFlags, detectorOptionsFromFlags, type DetectorFlags } from '../detectorFlags.js';
import { parseNumber } from '../parseNumber.js';
import { runReplay } from '../runReplay.js';
import { formatReplaySummary } from '../formatReplaySummary.js';
import { StateInUseError } from '../../store/ReplayStateFile.js';

interface ReplayFlags extends DetectorFlags {
  alerts?: string;
  decisions?: string;
  notifications?: string;
  rejects: string;
  reorderWindow: string;
  json?: boolean;
  state?: string;
  fresh?: boolean;
  checkpoint: boolean;
  checkpointEvery?: string;
  checkpointSeconds: string;
}

export function registerReplay(program: Command): void {
  const cmd = program
    .command('replay')
    .description('run the full detection over an events file (or - for stdin) in event-time order; an interrupted run resumes')
    .argument('<events>', 'NDJSON events file, or - for stdin')
    .option('--alerts <file>', 'write alerts as NDJSON')
    .option('--decisions <file>', 'write the decision taken for every login/order/change/cash event as NDJSON')
    .option('--notifications <file>', 'write the customer notifications the broker must send (the outbox) as NDJSON')
    .option('--rejects <file>', 'dead-letter file for rejected lines (line number, reason, raw text)', 'kabuguard-rejects.ndjson')
    .option('--reorder-window <seconds>', 'bounded reorder window in seconds of event time', '30')
    .option('--json', 'print the summary as JSON')
    .option('--state <file>', 'checkpoint file for resuming (default: <alerts file, else events file>.kgstate)')
    .option('--fresh', 'ignore any checkpoint and start from the first line')
    .option('--no-checkpoint', 'keep no checkpoint (an interrupted run starts over)')
    .option('--checkpoint-every <lines>', 'checkpoint after this many input lines (default 1000000, or env KABUGUARD_CHECKPOINT_EVERY)')
    .option('--checkpoint-seconds <seconds>', '...or after this many seconds, whichever comes first (more when the engine state is large, so checkpoints cost a few per cent of the run)', '5');
  addDetectorFlags(cmd)
    .addHelpText(
      'after',
      `
Resuming: replay keeps a checkpoint (input position, engine state, output sizes) in the --state file.
If a run is interrupted (crash, kill, power cut), run the same command again: it continues from the
last checkpoint and the outputs end up exactly as an uninterrupted run would have written them. A
finished run marks the checkpoint complete, so running again starts over. Ctrl-C (or SIGTERM) saves a
checkpoint and stops (exit 130); a second Ctrl-C stops at once. Input from stdin (-) and outputs to
stdout (-) cannot be resumed: no checkpoint is kept for them.

Examples:
  kabuguard replay world/events.ndjson --alerts alerts.ndjson --decisions decisions.ndjson
  kabuguard replay world/events.ndjson --alerts alerts.ndjson --fresh     # ignore the checkpoint
  zcat events.ndjson.gz | kabuguard replay - --alerts - > alerts.ndjson`,
    )
    .action(async (input: string, o: ReplayFlags) => {
      if (input !== '-' && !existsSync(input)) throw new CliError(`argument <events>: file not found: ${input}`);
      const windowS = parseNumber('--reorder-window', o.reorderWindow, { min: 0, max: 86_400 });
      const detectors = detectorOptionsFromFlags(o);
      const everyRaw = o.checkpointEvery ?? process.env.KABUGUARD_CHECKPOINT_EVERY;
      const everyName = o.checkpointEvery !== undefined ? '--checkpoint-every' : 'KABUGUARD_CHECKPOINT_EVERY';
      const everyLines = everyRaw !== undefined ? parseNumber(everyName, everyRaw, { min: 1, max: 1e12, integer: true }) : undefined;
      const everySeconds = parseNumber('--checkpoint-seconds', o.checkpointSeconds, { min: 0.001, max: 86_400 });
      const statePath = o.state ?? `${o.alerts && o.alerts !== '-' ? o.alerts : input}.kgstate`;
      // First Ctrl-C (or SIGTERM): checkpoint and stop cleanly; a second one kills as usual. Only for a
      // resumable run: stopping a stream early would just lose output (and an idle stdin would not notice).
      const resumable = o.checkpoint && ![input, o.alerts, o.decisions, o.notifications, o.rejects].includes('-');
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      if (resumable) {
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      const res = await runReplay({
        input,
        alertsPath: o.alerts,
        decisionsPath: o.decisions,
        notificationsPath: o.notifications,
        rejectsPath: o.rejects,
        reorderWindowMs: windowS * 1000,
        detectors,
        progress: true,
        checkpoint: o.checkpoint ? { path: statePath, fresh: o.fresh, everyLines, everySeconds } : undefined,
        stop: stop.signal,
        log: (m) => process.stderr.write(`kabuguard: ${m}\n`),
      })
        .catch((err: unknown) => {
          throw err instanceof StateInUseError ? new CliError(err.message, 1) : err;
        })
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        });
      if (res.stoppedAtLine !== undefined) {
        const at = res.stoppedAtLine.toLocaleString('en-US');
        process.stderr.write(
          res.resumable
            ? `kabuguard: stopped before input line ${at}; run the same command again to continue from there\n`
            : `kabuguard: stopped before input line ${at}; the outputs are incomplete and no checkpoint could be kept\n`,
        );
        process.exitCode = 130;
        return;
      }
      // Keep stdout clean when it carries alerts or decisions.
      const out = o.alerts === '-' || o.decisions === '-' ? process.stderr : process.stdout;
      out.write(
        o.json
          ? JSON.stringify({
              ...res.stats,
              seconds: res.seconds,
              rejects_file: res.rejectsPath,
              resumed_from_line: res.resumedFromLine,
              checkpoints: res.checkpoints,
              checkpoint_seconds: res.checkpointSeconds,
            }) + '\n'
          : formatReplaySummary(res) +
              (res.resumedFromLine !== undefined
                ? `  resumed at input line ${res.resumedFromLine.toLocaleString('en-US')}: counts cover the whole input, time and rate this run only\n`
                : ''),
      );
    });
}
