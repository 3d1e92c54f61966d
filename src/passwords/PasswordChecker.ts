import { createHash } from 'node:crypto';

export interface PasswordList {
  /** Name shown in results, e.g. `zxcvbn-common` or the file name. */
  name: string;
  passwords: Iterable<string>;
}

export interface PasswordCheckerOptions {
  /**
   * Minimum length (NIST SP 800-63B-4 §3.1.1.2: at least 15 when the password is the only factor,
   * at least 8 with MFA). Default 8: brokers now require MFA.
   */
  minLength?: number;
  /** Words specific to the service (broker and product names) that must not be the password. Default none. */
  contextWords?: string[];
}

export interface PasswordCheck {
  /** True when the password may be used. */
  acceptable: boolean;
  /** Found in a breached/common-password list (case-insensitive). */
  breached: boolean;
  /** Names of the lists that contain it. */
  lists: string[];
  reasons: { code: string; detail: string }[];
}

/**
 * Blocklist check of NIST SP 800-63B-4: a new password is refused when it is on a list of breached or
 * commonly used values, too short, or a service-specific word; no composition rules. Also answers the
 * Have I Been Pwned range query over the same lists, so a broker can check by k-anonymity (the first
 * 5 hex of the SHA-1) without sending the password anywhere. Pure: lists arrive as data.
 */
export class PasswordChecker {
  private readonly lower = new Map<string, string[]>();
  /** SHA-1 prefix (5 upper hex) → `SUFFIX:COUNT` lines. */
  private readonly ranges = new Map<string, string[]>();
  private readonly minLength: number;
  private readonly context: string[];

  constructor(lists: PasswordList[], opts: PasswordCheckerOptions = {}) {
    this.minLength = opts.minLength ?? 8;
    this.context = (opts.contextWords ?? []).map((w) => w.toLowerCase()).filter((w) => w.length >= 3);
    const exact = new Map<string, number>();
    for (const list of lists) {
      for (const raw of list.passwords) {
        const pw = raw.replace(/\r$/, '');
        if (pw === '') continue;
        const key = pw.toLowerCase();
        const names = this.lower.get(key);
        if (!names) this.lower.set(key, [list.name]);
        else if (!names.includes(list.name)) names.push(list.name);
        exact.set(pw, (exact.get(pw) ?? 0) + 1);
      }
    }
    // COUNT is the number of loaded lists holding the exact value (we have no breach tallies; HIBP's
    // format only promises a positive integer).
    for (const [pw, count] of exact) {
      const hex = sha1Hex(pw);
      const prefix = hex.slice(0, 5);
      const lines = this.ranges.get(prefix);
      const line = `${hex.slice(5)}:${count}`;
      if (lines) lines.push(line);
      else this.ranges.set(prefix, [line]);
    }
    for (const lines of this.ranges.values()) lines.sort();
  }

  /** Number of distinct (case-insensitive) passwords on the blocklist. */
  get size(): number {
    return this.lower.size;
  }

  check(password: string): PasswordCheck {
    const reasons: PasswordCheck['reasons'] = [];
    const lists = this.lower.get(password.toLowerCase()) ?? [];
    if (lists.length > 0) reasons.push({ code: 'BREACHED_PASSWORD', detail: `found in ${lists.join(', ')}; choose another password` });
    if ([...password].length < this.minLength) reasons.push({ code: 'TOO_SHORT', detail: `shorter than ${this.minLength} characters` });
    const lower = password.toLowerCase();
    const word = this.context.find((w) => lower.includes(w));
    if (word) reasons.push({ code: 'CONTEXT_WORD', detail: `contains the service-specific word "${word}"` });
    return { acceptable: reasons.length === 0, breached: lists.length > 0, lists: [...lists], reasons };
  }

  /**
   * Lines `SUFFIX:COUNT` (35 upper-case hex of the SHA-1 after the prefix, CRLF-separated, as the Have
   * I Been Pwned range API) for every listed password whose SHA-1 starts with `prefix`. Throws when
   * `prefix` is not 5 hex digits.
   */
  range(prefix: string): string {
    if (!/^[0-9a-fA-F]{5}$/.test(prefix)) throw new RangeError(`prefix must be the first 5 hex digits of a SHA-1, got "${prefix.slice(0, 20)}"`);
    return (this.ranges.get(prefix.toUpperCase()) ?? []).join('\r\n');
  }
}

export const sha1Hex = (s: string): string => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();
