import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { parseNumber } from '../parseNumber.js';
import { startProgress } from '../progress.js';
import { writeSimulatedWorld } from '../../sim/writeSimulatedWorld.js';
import { formatWorldSummary } from '../../sim/formatWorldSummary.js';
import { DEFAULT_START } from '../../sim/simulateWorld.js';
import { jstMidnight } from '../../sim/calendar.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a labelled world: customers, market tape, account-takeover pump campaigns, credential stuffing, benign lookalikes')
    .requiredOption('--out <dir>', 'output directory (events.ndjson, labels.json, world.json)')
    .option('--seed <n>', 'PRNG seed (same seed, same bytes)', '1')
    .option('--accounts <n>', 'customer accounts', '3000')
    .option('--days <n>', 'calendar days', '10')
    .option('--start <date>', 'first day, YYYY-MM-DD (JST)', DEFAULT_START)
    .option('--warmup-days <n>', 'ordinary customer days before --start, with no attack (login history, as after replaying past logs); labels get evaluate_from', '0')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard simulate --out world                       about 3,000 accounts over 10 days (a few seconds)
  kabuguard simulate --out big --accounts 100000 --days 30 --seed 7
  kabuguard simulate --out warm --warmup-days 30       30 quiet days of history first, then the same 10 attack days`,
    )
    .action((o: { out: string; seed: string; accounts: string; days: string; start: string; warmupDays: string; json?: boolean }) => {
      const seed = parseNumber('--seed', o.seed, { integer: true, min: 0, max: 2 ** 31 });
      const accounts = parseNumber('--accounts', o.accounts, { integer: true, min: 50, max: 5_000_000 });
      const days = parseNumber('--days', o.days, { integer: true, min: 1, max: 366 });
      const warmupDays = parseNumber('--warmup-days', o.warmupDays, { integer: true, min: 0, max: 366 });
      try {
        jstMidnight(o.start);
      } catch (err) {
        throw new CliError(`option --start: ${(err as Error).message}`);
      }
      const bar = startProgress('simulate', warmupDays + days, 'days');
      let res;
      try {
        res = writeSimulatedWorld(o.out, { seed, accounts, days, start: o.start, ...(warmupDays > 0 ? { warmupDays } : {}), onDay: (d) => bar.update(d) });
      } finally {
        bar.stop();
      }
      process.stdout.write(o.json ? JSON.stringify(res.summary) + '\n' : formatWorldSummary(res.summary) + `  wrote ${res.eventsPath}, ${res.labelsPath}, ${res.worldPath}\n`);
    });
}
