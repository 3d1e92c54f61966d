import type { Command } from 'commander';
import { CliError } from '../CliError.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('(being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('simulate is not built yet', 1);
    });
}
