import { parse as parseYaml } from 'yaml';
import { policySchema, type Policy, type PolicyInput } from './policySchema.js';

/** A policy that cannot be used; `issues` name each bad field by its dotted path. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`policy ${source} is invalid:\n  ${issues.join('\n  ')}`);
    this.name = 'PolicyError';
  }
}

/**
 * Validate a policy object (already parsed) and fill defaults. Throws `PolicyError` listing every bad
 * field as `path: what to fix`, e.g. `login.step_up_above: must be a number between 0 and 1`.
 */
export function validatePolicy(input: unknown, source = 'policy'): Policy {
  const r = policySchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      const where = path ? `${path}: ` : '';
      return `${where}unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    }
    return `${path || '(top level)'}: ${i.message}`;
  });
  throw new PolicyError(source, issues);
}

/** Parse policy text (JSON, or YAML when `format` is `yaml` or the text is not JSON) and validate it. */
export function parsePolicy(text: string, source = 'policy', format?: 'json' | 'yaml'): Policy {
  let data: unknown;
  const fmt = format ?? (/^\s*[{[]/.test(text) ? 'json' : 'yaml');
  try {
    data = fmt === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PolicyError(source, [`not valid ${fmt.toUpperCase()}: ${(err as Error).message}`]);
  }
  return validatePolicy(data, source);
}

/** The policy used when none is given. */
export function defaultPolicy(overrides: PolicyInput = {}): Policy {
  return validatePolicy(overrides, 'defaults');
}
