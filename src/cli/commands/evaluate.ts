import type { Command } from 'commander';
import { CliError } from '../CliError.js';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('(being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('evaluate is not built yet', 1);
    });
}
