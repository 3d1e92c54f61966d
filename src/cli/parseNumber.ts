import { CliError } from './CliError.js';

/** Parse a numeric command-line option, naming the option when it is not a number in range. */
export function parseNumber(option: string, value: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const n = Number(value);
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const range = [min > -Infinity ? `>= ${min}` : '', max < Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new CliError(`option ${option}: "${value}" is not ${integer ? 'a whole number' : 'a number'}${range ? ' ' + range : ''}`);
  }
  return n;
}
