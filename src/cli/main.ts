#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError } from './CliError.js';

const program = new Command();
program
  .name('kabuguard')
  .description('Protects online securities brokers and their customers from account hijacking and the market manipulation it pays for.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage and examples)')
  .addHelpText(
    'after',
    `
Examples:
  kabuguard demo                                    simulate a small broker under attack, replay it, open the report
  kabuguard simulate --out world --seed 7           write world/events.ndjson and world/labels.json
  kabuguard replay world/events.ndjson --alerts alerts.ndjson --decisions decisions.ndjson
  kabuguard evaluate --alerts alerts.ndjson --labels world/labels.json --events world/events.ndjson
  kabuguard serve --port 8080                       decision API on 127.0.0.1:8080
  kabuguard phish url https://sbi-co-jp.example.cn/ETGate`,
  );

// Each command pulls in its own heavy dependencies (the simulator, fastify, mailauth…); load only the
// one being run, so `kabuguard serve` and `kabuguard replay` start quickly. Help loads them all.
const COMMANDS: Record<string, () => Promise<(p: Command) => void>> = {
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  simulate: async () => (await import('./commands/simulate.js')).registerSimulate,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  evaluate: async () => (await import('./commands/evaluate.js')).registerEvaluate,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  phish: async () => (await import('./commands/phish.js')).registerPhish,
};
const asked = process.argv[2];
for (const name of asked !== undefined && asked in COMMANDS ? [asked] : Object.keys(COMMANDS)) (await COMMANDS[name]())(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof CliError) {
    process.stderr.write(`kabuguard: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`kabuguard: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
