import { readFileSync } from 'node:fs';
import { parseRestrictedSymbols, type RestrictedSymbols } from './parseRestrictedSymbols.js';

/**
 * Read a restricted-symbol list file (format: `parseRestrictedSymbols`). This is the one adapter of
 * the trading folder that touches the file system; detectors receive the parsed map, never a path.
 *
 * @throws Error naming the file when it cannot be read, or the line when it is malformed.
 */
export function loadRestrictedSymbols(path: string): RestrictedSymbols {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the restricted-symbol list ${path}: ${(err as Error).message}`);
  }
  return parseRestrictedSymbols(text, path);
}
