import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { evaluateFiles } from '../../eval/evaluateFiles.js';
import { formatMetricsTable } from '../../eval/formatMetricsTable.js';
import { CliError } from '../CliError.js';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score alerts and decisions against ground-truth labels (contract §6 metrics)')
    .requiredOption('--alerts <file>', 'alerts NDJSON from replay')
    .requiredOption('--labels <file>', 'labels JSON (contract §4)')
    .option('--events <file>', 'the events file (needed for the yen protected, successful-login and login-history metrics)')
    .option('--decisions <file>', 'decisions NDJSON from replay (default: decisions.ndjson beside the alerts file, if present)')
    .option('--format <format>', 'json | table | both', 'json')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard evaluate --alerts out/alerts.ndjson --labels world/labels.json --events world/events.ndjson
  kabuguard evaluate --alerts out/alerts.ndjson --decisions out/decisions.ndjson --labels world/labels.json --format table

Login figures come for all logins, successful ones, logins on accounts with at least 3 earlier
successful customer logins (history_rich) and the others (history_poor), each again without the
criminals' own beneficiary accounts when the labels list beneficiary_event_ids; labels with
evaluate_from (simulate --warmup-days) count logins from there. accounts.false_positive_causes
groups wrongly named accounts by the detector and alert kind that named them.`,
    )
    .action(async (o: { alerts: string; labels: string; events?: string; decisions?: string; format: string }) => {
      if (!['json', 'table', 'both'].includes(o.format)) throw new CliError(`option --format: "${o.format}" is not one of json, table, both`);
      for (const [opt, path] of [['--alerts', o.alerts], ['--labels', o.labels], ['--events', o.events], ['--decisions', o.decisions]] as const) {
        if (path && !existsSync(path)) throw new CliError(`option ${opt}: file not found: ${path}`);
      }
      const beside = join(dirname(o.alerts), 'decisions.ndjson');
      const decisionsPath = o.decisions ?? (existsSync(beside) ? beside : undefined);
      let metrics;
      try {
        metrics = await evaluateFiles({ alertsPath: o.alerts, labelsPath: o.labels, decisionsPath, eventsPath: o.events });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (o.format !== 'json') process.stdout.write(formatMetricsTable(metrics));
      if (o.format !== 'table') process.stdout.write(JSON.stringify(metrics, null, o.format === 'both' ? 2 : undefined) + '\n');
    });
}
