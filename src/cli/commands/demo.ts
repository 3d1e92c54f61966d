import type { Command } from 'commander';
import { CliError } from '../CliError.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('demo is not built yet', 1);
    });
}
