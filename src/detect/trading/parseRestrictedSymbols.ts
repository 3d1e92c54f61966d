/**
 * A broker's restricted-symbol list: buying these names is held for review (in the 2025 wave brokers
 * restricted buying of hundreds of Chinese and small-cap names). Symbol → reason shown to the reviewer.
 */
export type RestrictedSymbols = Map<string, string>;

/**
 * Parse a restricted-symbol list: one symbol per line, optionally followed by whitespace, a comma or
 * a tab and a free-text reason; `#` starts a comment; blank lines are ignored.
 *
 * ```text
 * # names restricted after the April wave
 * 7992.T   pumped 2025-04-14, coordinated hijacked buying
 * 0700.HK
 * ```
 *
 * @throws Error naming the line when a symbol contains characters no exchange symbol has.
 */
export function parseRestrictedSymbols(text: string, source = 'restricted list'): RestrictedSymbols {
  const out: RestrictedSymbols = new Map();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '') continue;
    const m = /^([^\s,]+)[\s,]*(.*)$/.exec(line);
    const symbol = m ? m[1] : line;
    if (!/^[A-Za-z0-9._\-^=]{1,32}$/.test(symbol)) {
      throw new Error(
        `${source} line ${i + 1}: "${symbol}" is not a symbol; write one symbol per line (e.g. 7992.T), optionally followed by a reason`,
      );
    }
    out.set(symbol, m?.[2].trim() || 'on the restricted list');
  }
  return out;
}
