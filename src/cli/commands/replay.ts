import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { parseNumber } from '../parseNumber.js';
import { runReplay } from '../runReplay.js';
import { formatReplaySummary } from '../formatReplaySummary.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run the full detection over an events file (or - for stdin) in event-time order')
    .argument('<events>', 'NDJSON events file, or - for stdin')
    .option('--alerts <file>', 'write alerts as NDJSON')
    .option('--decisions <file>', 'write the decision taken for every login/order/change/cash event as NDJSON')
    .option('--rejects <file>', 'dead-letter file for rejected lines (line number, reason, raw text)', 'kabuguard-rejects.ndjson')
    .option('--reorder-window <seconds>', 'bounded reorder window in seconds of event time', '30')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard replay world/events.ndjson --alerts alerts.ndjson --decisions decisions.ndjson
  zcat events.ndjson.gz | kabuguard replay - --alerts - > alerts.ndjson`,
    )
    .action(async (input: string, o: { alerts?: string; decisions?: string; rejects: string; reorderWindow: string; json?: boolean }) => {
      if (input !== '-' && !existsSync(input)) throw new CliError(`argument <events>: file not found: ${input}`);
      const windowS = parseNumber('--reorder-window', o.reorderWindow, { min: 0, max: 86_400 });
      const res = await runReplay({
        input,
        alertsPath: o.alerts,
        decisionsPath: o.decisions,
        rejectsPath: o.rejects,
        reorderWindowMs: windowS * 1000,
        progress: true,
      });
      // Keep stdout clean when it carries alerts or decisions.
      const out = o.alerts === '-' || o.decisions === '-' ? process.stderr : process.stdout;
      out.write(o.json ? JSON.stringify({ ...res.stats, seconds: res.seconds, rejects_file: res.rejectsPath }) + '\n' : formatReplaySummary(res));
    });
}
