/**
 * Confusable skeletons for hostname labels, after Unicode UTS #39 §4 ("skeleton"): fold the string so
 * that two labels that look alike map to the same ASCII text.
 *
 * The project bundles only the part of the confusables data it needs: characters whose UTS #39
 * prototype is an ASCII letter or digit, from the scripts used in IDN homograph attacks (Cyrillic,
 * Greek, Armenian, Cherokee, IPA and Latin extensions). Compatibility forms (full-width letters, the
 * mathematical alphanumerics of U+1D400–1D7FF that the 2025-04 SBI kit put in its paths, circled and
 * small-capital letters with decompositions) are folded by NFKC first, and accented Latin letters lose
 * their marks after NFD, so neither needs table entries.
 * Table: curated from confusables.txt (Unicode 15.1, type MA) for the prototypes a–z and 0–9.
 */

// Each string lists characters whose prototype is the key. Kept as data so a reviewer can compare it
// line by line with confusables.txt.
const PROTOTYPES: Record<string, string> = {
  a: 'аɑαⱥ',
  b: 'ьƅбɓ',
  c: 'сᴄƈ',
  d: 'ԁɗđ',
  e: 'еҽɛ',
  f: 'ẝƒ',
  g: 'ɡցǥɠ',
  h: 'һհɦħ',
  i: 'іɩιɨ',
  j: 'јϳʝ',
  k: 'κкĸ',
  l: 'ӏǀłƚ',
  m: 'м',
  n: 'ոη',
  o: 'оοօσჿ೦๐໐ø',
  p: 'рρþ',
  q: 'ԛգʠ',
  r: 'гᴦ',
  s: 'ѕꜱʂ',
  t: 'τтŧ',
  u: 'υսʋ',
  v: 'ѵνᴠ',
  w: 'ԝѡω',
  x: 'хχ×',
  y: 'уүγɏ',
  z: 'ᴢƶ',
};

const TABLE = new Map<string, string>();
for (const [proto, chars] of Object.entries(PROTOTYPES)) for (const ch of chars) TABLE.set(ch, proto);

/**
 * UTS #39 skeleton of a label, lower-cased: NFKC, drop combining marks, map confusables to their ASCII
 * prototype. ASCII input is returned lower-cased without allocation-heavy work (the hot path).
 */
export function skeletonOf(label: string): string {
  if (/^[\x00-\x7f]*$/.test(label)) return label.toLowerCase();
  const nfkc = label.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of nfkc) out += TABLE.get(ch) ?? ch;
  return out;
}

/**
 * Fold ASCII lookalikes so `m0nex`, `rnonex` and `monex` compare equal: 0→o, 1/i/|→l, rn→m, vv→w.
 * Applied to both the catalogue aliases and the labels, so it only ever merges, never invents, a match.
 */
export function foldLookalikes(s: string): string {
  let out = s;
  if (out.includes('rn')) out = out.replace(/rn/g, 'm');
  if (out.includes('vv')) out = out.replace(/vv/g, 'w');
  return FOLD_CHARS.test(out) ? out.replace(FOLD_L, 'l').replace(FOLD_O, 'o') : out;
}

const FOLD_CHARS = /[01i|]/;
const FOLD_L = /[1i|]/g;
const FOLD_O = /0/g;
