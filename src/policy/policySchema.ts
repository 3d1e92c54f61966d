import { z } from 'zod';
import { CHANGE_FIELDS } from '../events/schema.js';

const prob = (def: number) =>
  z
    .number({ error: 'must be a number between 0 and 1' })
    .min(0, { error: 'must be a number between 0 and 1' })
    .max(1, { error: 'must be a number between 0 and 1' })
    .default(def);
const count = (def: number, max: number) =>
  z
    .number({ error: `must be a whole number between 1 and ${max}` })
    .int({ error: `must be a whole number between 1 and ${max}` })
    .min(1, { error: `must be a whole number between 1 and ${max}` })
    .max(max, { error: `must be a whole number between 1 and ${max}` })
    .default(def);
const hours = (def: number) => z.number({ error: 'must be a number of hours >= 0' }).min(0, { error: 'must be a number of hours >= 0' }).default(def);
const bool = (def: boolean) => z.boolean({ error: 'must be true or false' }).default(def);
const auth = z.enum(['passkey', 'pki', 'totp', 'sms', 'email', 'app_push'], { error: 'must be one of passkey, pki, totp, sms, email, app_push' }).default('passkey');
const fields = (def: (typeof CHANGE_FIELDS)[number][]) =>
  z.array(z.enum(CHANGE_FIELDS, { error: `must be one of ${CHANGE_FIELDS.join(', ')}` })).default(def);

/**
 * The decision policy: which situations step up, hold or refuse. Versioned data, not code, so a
 * broker can change it without a release and every decision can name the thresholds it used.
 * Defaults follow the JSDA guideline and JFSA supervisory guideline of 2025-10-15: phishing-resistant
 * MFA when a login is risky, at every withdrawal and every change of the withdrawal bank account;
 * step-up for orders in risky sessions; automatic lock after repeated failures (NIST SP 800-63B-4:
 * at most 100 consecutive failures per account).
 */
export const policySchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only policy format version)' }).default(1),
  login: z
    .strictObject({
      /** Risk score above which a login must pass phishing-resistant MFA. */
      step_up_above: prob(0.5),
      /** Risk score above which a login is refused outright. */
      deny_above: prob(0.995),
      required_auth: auth,
      /** A login already made with passkey/PKI satisfies the step-up (only `deny` still applies). */
      trust_phishing_resistant_mfa: bool(true),
      /** Decision for a successful login from a credential-stuffing source. */
      stuffing_success: z.enum(['step_up', 'deny'], { error: 'must be step_up or deny' }).default('step_up'),
      /** Decision for further attempts from a credential-stuffing source. */
      stuffing_attempt: z.enum(['allow', 'step_up', 'deny'], { error: 'must be allow, step_up or deny' }).default('deny'),
      /** Consecutive password failures of one account on one device before its password path locks. */
      lock_after_device_failures: count(10, 100),
      /** Consecutive password failures of one account from all devices before the password path locks for unknown devices. */
      lock_after_account_failures: count(100, 100),
      /** Hours a locked password path stays locked (a success by passkey or from a known device unlocks it earlier). */
      lock_hours: hours(24),
      /** Two successful logins of one account from different countries within this many minutes is impossible travel. */
      impossible_travel_minutes: z.number({ error: 'must be a number of minutes >= 0' }).min(0, { error: 'must be a number of minutes >= 0' }).default(60),
    })
    .prefault({}),
  session: z
    .strictObject({
      /** Hold operations of a session used from another network and client than the one that logged in. */
      hold_on_mismatch: bool(true),
    })
    .prefault({}),
  order: z
    .strictObject({
      /** Orders in a session whose login scored above this need phishing-resistant MFA. */
      step_up_login_risk_above: prob(0.5),
      required_auth: auth,
    })
    .prefault({}),
  account_change: z
    .strictObject({
      /** Fields whose change always needs phishing-resistant MFA (JSDA: the withdrawal bank account). */
      step_up_fields: fields(['bank_account', 'mfa', 'email', 'phone', 'password']),
      /** Fields whose change is held for review when the session's login was risky. */
      hold_fields: fields(['email', 'phone', 'notification', 'mfa', 'bank_account', 'password']),
      hold_login_risk_above: prob(0.5),
      required_auth: auth,
    })
    .prefault({}),
  cash: z
    .strictObject({
      /** JSDA: phishing-resistant MFA at every withdrawal. */
      step_up_every_withdrawal: bool(true),
      /** Hold a withdrawal this many hours after a bank-account change (0 disables). */
      hold_after_bank_change_hours: hours(72),
      /** Hold withdrawals in a session whose login scored above this. */
      hold_login_risk_above: prob(0.5),
      required_auth: auth,
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** Minimum evidence score for an `account_takeover` alert from the login side. */
      account_takeover_min_score: prob(0.8),
    })
    .prefault({}),
}).superRefine((p, ctx) => {
  if (p.login.deny_above < p.login.step_up_above) {
    ctx.addIssue({ code: 'custom', path: ['login', 'deny_above'], message: `must be >= login.step_up_above (${p.login.step_up_above})` });
  }
});

export type Policy = z.output<typeof policySchema>;
/** What a policy file may contain: every field optional, defaults fill the rest. */
export type PolicyInput = z.input<typeof policySchema>;
