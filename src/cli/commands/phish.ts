import type { Command } from 'commander';
import { CliError } from '../CliError.js';

export function registerPhish(program: Command): void {
  program
    .command('phish')
    .description('(being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('phish is not built yet', 1);
    });
}
