import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { PasswordList } from './PasswordChecker.js';

/**
 * The common-password list shipped in @zxcvbn-ts/language-common (about 49k entries from public
 * breach corpora), plus the operator's own lists: plain text, one password per line, UTF-8
 * (the format of SecLists and most breach lists; a trailing `:COUNT` is not stripped, on purpose,
 * since colons are legal in passwords).
 */
export async function loadPasswordLists(userFiles: string[] = []): Promise<PasswordList[]> {
  const common = await import('@zxcvbn-ts/language-common');
  const dict = (common.dictionary ?? (common as unknown as { default: { dictionary: Record<string, string[]> } }).default.dictionary) as Record<string, string[]>;
  const passwords = dict['passwords-common'];
  if (!Array.isArray(passwords)) throw new Error('@zxcvbn-ts/language-common has no "passwords-common" dictionary; reinstall the package');
  const lists: PasswordList[] = [{ name: 'zxcvbn-common', passwords }];
  for (const file of userFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read password list ${file}: ${(err as Error).message}`);
    }
    lists.push({ name: basename(file), passwords: text.split('\n') });
  }
  return lists;
}
