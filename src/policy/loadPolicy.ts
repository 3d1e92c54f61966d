import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parsePolicy, PolicyError } from './parsePolicy.js';
import type { Policy } from './policySchema.js';

/** Read and validate a policy file (`.json`, `.yaml` or `.yml`); refuses the whole file on any error. */
export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const ext = extname(path).toLowerCase();
  return parsePolicy(text, path, ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined);
}
