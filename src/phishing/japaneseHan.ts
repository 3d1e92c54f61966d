/**
 * Is a Han character part of everyday Japanese? The set is JIS X 0208 (the kanji of Shift_JIS) plus
 * the NEC-selected IBM extensions (髙, 﨑) used in Japanese names. It is generated at first use by
 * decoding every Shift_JIS double-byte code with the runtime's own WHATWG `shift_jis` decoder, so no
 * table ships with the project and nothing is downloaded.
 *
 * Why: Simplified-Chinese kits leave characters Japanese text never uses (们, 这, 录, 证, 账, 码);
 * they fall outside JIS X 0208 (brief.md §1: kits with Simplified-Chinese traces).
 */
let cache: Set<string> | undefined;

function build(): Set<string> {
  const dec = new TextDecoder('shift_jis');
  const set = new Set<string>();
  const leads: number[] = [];
  for (let a = 0x81; a <= 0x9f; a++) leads.push(a);
  for (let a = 0xe0; a <= 0xfc; a++) leads.push(a);
  const pair = new Uint8Array(2);
  for (const a of leads) {
    pair[0] = a;
    for (let b = 0x40; b <= 0xfc; b++) {
      if (b === 0x7f) continue;
      pair[1] = b;
      const c = dec.decode(pair);
      if (c.length === 1 && c !== '\ufffd') set.add(c);
    }
  }
  return set;
}

/** True when `ch` (one code point) is a Han character outside the Japanese set. */
export function isNonJapaneseHan(ch: string): boolean {
  if (!/\p{Script=Han}/u.test(ch)) return false;
  cache ??= build();
  return !cache.has(ch);
}
