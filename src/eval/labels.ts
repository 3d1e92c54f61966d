import { z } from 'zod';
import { timestamp } from '../events/schema.js';
import { describeIssues } from '../events/validateEvent.js';

/** Ground truth, contract §4. Extra fields (e.g. `variant`) are kept. */
export const labelsSchema = z.looseObject({
  compromised_accounts: z
    .array(z.looseObject({ account_id: z.string(), compromised_at: timestamp, campaign: z.string().optional(), variant: z.string().optional() }))
    .default([]),
  beneficiary_accounts: z
    .array(z.looseObject({ account_id: z.string(), symbol: z.string().optional(), campaign: z.string().optional() }))
    .default([]),
  pumps: z
    .array(z.looseObject({ symbol: z.string(), start: timestamp, end: timestamp, campaign: z.string().optional(), variant: z.string().optional() }))
    .default([]),
  stuffing_ips: z.array(z.string()).default([]),
  benign_lookalikes: z
    .array(z.looseObject({ kind: z.string(), account_id: z.string().optional(), symbol: z.string().optional(), note: z.string().optional() }))
    .default([]),
  malicious_event_ids: z.array(z.string()).default([]),
  /** kabuguard addition: events of criminal-controlled accounts (a subset of `malicious_event_ids`). */
  beneficiary_event_ids: z.array(z.string()).optional(),
  /** kabuguard addition: login figures count from here (the end of a simulator warm-up). */
  evaluate_from: timestamp.optional(),
});

export type Labels = z.infer<typeof labelsSchema>;

/** Validate a decoded labels object; throws an error naming the bad field. */
export function parseLabels(value: unknown): Labels {
  const r = labelsSchema.safeParse(value);
  if (!r.success) throw new Error(`labels: ${describeIssues(r.error.issues)}`);
  return r.data;
}
