import type { Command } from 'commander';
import { CliError } from '../CliError.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('(being built)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('serve is not built yet', 1);
    });
}
