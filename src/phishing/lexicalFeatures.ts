/**
 * Small lexical helpers shared by the URL analysis and the kit memory.
 */

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/**
 * Does a label look machine-generated (`qcrxh9`, `dghfgbfd`, `2027bb`)? Long consonant runs, few vowels
 * or letters and digits interleaved. Deliberately conservative: Japanese romaji and pinyin are
 * vowel-rich and pass as words.
 */
export function looksRandom(label: string): boolean {
  const s = label.toLowerCase();
  if (s.length < 5) return false;
  let letters = 0;
  let vowels = 0;
  let run = 0;
  let maxRun = 0;
  let switches = 0;
  let prevDigit: boolean | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const isDigit = c >= '0' && c <= '9';
    const isLetter = c >= 'a' && c <= 'z';
    if (isLetter) {
      letters++;
      if (VOWELS.has(c) || c === 'y') {
        vowels++;
        run = 0;
      } else if (++run > maxRun) maxRun = run;
    } else run = 0;
    if (isDigit || isLetter) {
      if (prevDigit !== undefined && prevDigit !== isDigit) switches++;
      prevDigit = isDigit;
    }
  }
  if (letters === 0) return s.length >= 6;
  if (maxRun >= 5) return true;
  if (switches >= 2) return true;
  return letters >= 5 && vowels / letters < 0.2;
}

/** Digits normalised to `#`, so `sbi-drelies01` and `sbi-drelies07` share the template `sbi-drelies#`. */
export function normaliseDigits(s: string): string {
  return HAS_DIGIT.test(s) ? s.replace(DIGITS, '#') : s;
}
const HAS_DIGIT = /[0-9]/;
const DIGITS = /[0-9]+/g;

/** Split a label or path token into alphabetic tokens (hyphens, underscores, dots and digits separate). */
export function alphaTokens(s: string): string[] {
  return s.split(/[^a-z\u00c0-\uffff]+/).filter((t) => t.length > 0);
}
