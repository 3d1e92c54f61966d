export { policySchema, type Policy, type PolicyInput } from './policySchema.js';
export { parsePolicy, validatePolicy, defaultPolicy, PolicyError } from './parsePolicy.js';
export { loadPolicy } from './loadPolicy.js';
