import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy, PolicyError } from './index.js';

const errorsOf = (text: string): string[] => {
  try {
    parsePolicy(text, 'test');
  } catch (err) {
    if (err instanceof PolicyError) return err.issues;
    throw err;
  }
  throw new Error('policy was accepted');
};

describe('policy', () => {
  it('defaults to JSDA 2025: passkey at risky logins, every withdrawal and bank change', () => {
    const p = defaultPolicy();
    expect(p.login.required_auth).toBe('passkey');
    expect(p.cash.step_up_every_withdrawal).toBe(true);
    expect(p.account_change.step_up_fields).toContain('bank_account');
    expect(p.login.lock_after_account_failures).toBeLessThanOrEqual(100);
  });

  it('ships an example file that spells out exactly the defaults', () => {
    const text = readFileSync(fileURLToPath(new URL('./policy.example.yaml', import.meta.url)), 'utf8');
    expect(parsePolicy(text, 'policy.example.yaml')).toEqual(defaultPolicy());
  });

  it('reads YAML and JSON and fills what is not given', () => {
    const y = parsePolicy('login:\n  step_up_above: 0.4\ncash:\n  hold_after_bank_change_hours: 24\n');
    expect(y.login.step_up_above).toBe(0.4);
    expect(y.login.deny_above).toBe(defaultPolicy().login.deny_above);
    expect(y.cash.hold_after_bank_change_hours).toBe(24);
    expect(parsePolicy('{"order":{"step_up_login_risk_above":0.7}}').order.step_up_login_risk_above).toBe(0.7);
  });

  describe('malformed policy files', () => {
    it.each([
      ['login:\n  step_up_above: 2\n', 'login.step_up_above: must be a number between 0 and 1'],
      ['login:\n  step_up_above: "high"\n', 'login.step_up_above: must be a number between 0 and 1'],
      ['login:\n  lock_after_account_failures: 500\n', 'login.lock_after_account_failures: must be a whole number between 1 and 100'],
      ['login:\n  step_up_abov: 0.5\n', 'login: unknown field "step_up_abov" (check the spelling)'],
      ['cash:\n  required_auth: fax\n', 'cash.required_auth: must be one of passkey, pki, totp, sms, email, app_push'],
      ['account_change:\n  hold_fields: [email, shoe_size]\n', 'account_change.hold_fields.1: must be one of email, phone, password, mfa, address, bank_account, notification'],
      ['login:\n  step_up_above: 0.8\n  deny_above: 0.5\n', 'login.deny_above: must be >= login.step_up_above (0.8)'],
      ['version: 2\n', 'version: must be 1 (the only policy format version)'],
    ])('refuses %j naming the field', (text, message) => {
      expect(errorsOf(text)).toContain(message);
    });

    it('refuses text that is neither JSON nor YAML', () => {
      expect(errorsOf('{"login": ')[0]).toMatch(/not valid JSON/);
    });
  });
});
