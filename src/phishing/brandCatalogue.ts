/**
 * The brand catalogue (data/phishing/brands.json): Japanese securities brokers, the tokens that name
 * them in hostnames and paths, their real and group domains (never flagged) and their real login paths.
 */
import brandsJson from '../../data/phishing/brands.json' with { type: 'json' };
import { foldLookalikes } from './confusables.js';

export interface Brand {
  id: string;
  /** Japanese display name, the `brand` of a verdict (e.g. `SBI証券`). */
  name: string;
  latin: string;
  jp_names: string[];
  /** Tokens that name only this broker (matched inside labels). */
  aliases_strong: string[];
  /** Short tokens shared with other companies (e.g. `sbi`): matched only as whole tokens or with cues. */
  aliases_short: string[];
  domains: string[];
  group_domains: string[];
  login_paths: string[];
  sources: string[];
}

/** An alias prepared for matching: its lookalike-folded form and the brand it names. */
export interface AliasEntry {
  alias: string;
  folded: string;
  brand: Brand;
  short: boolean;
}

export interface BrandCatalogue {
  brands: Brand[];
  /** Every alias, longest first so the most specific match wins. */
  aliases: AliasEntry[];
  /** Registered domains (and hostnames) owned by a broker or its group → the brand. */
  ownDomains: Map<string, Brand>;
  /** Lower-cased login path prefixes → brand. */
  loginPaths: { path: string; brand: Brand }[];
  /** Tokens that, next to a brand token, make a host read as a broker login (`sec`, `login`, `jp`…). */
  cues: Set<string>;
  /** Japanese names (and the brand name itself) → brand, for feeds, pages and e-mails. */
  byJapaneseName: Map<string, Brand>;
}

interface BrandsFile {
  securities_cues: string[];
  brands: Brand[];
}

/** Build the matching indexes of a catalogue; the bundled one unless `file` is given (tests). */
export function loadBrandCatalogue(file: BrandsFile = brandsJson as BrandsFile): BrandCatalogue {
  const aliases: AliasEntry[] = [];
  const ownDomains = new Map<string, Brand>();
  const loginPaths: { path: string; brand: Brand }[] = [];
  const byJapaneseName = new Map<string, Brand>();
  for (const b of file.brands) {
    for (const a of b.aliases_strong) aliases.push({ alias: a, folded: foldLookalikes(a.replace(/-/g, '')), brand: b, short: false });
    for (const a of b.aliases_short) aliases.push({ alias: a, folded: foldLookalikes(a), brand: b, short: true });
    for (const d of [...b.domains, ...b.group_domains]) ownDomains.set(d.toLowerCase(), b);
    for (const p of b.login_paths) loginPaths.push({ path: p.toLowerCase(), brand: b });
    for (const n of [b.name, ...b.jp_names]) byJapaneseName.set(n.normalize('NFKC'), b);
  }
  aliases.sort((x, y) => y.folded.length - x.folded.length);
  return { brands: file.brands, aliases, ownDomains, loginPaths, cues: new Set(file.securities_cues), byJapaneseName };
}

/**
 * The catalogue brand a free-text brand label names (a JPCERT/CC `description`, page text), e.g.
 * `ＳＢＩ証券` → SBI証券. Longest Japanese name contained wins; undefined when none.
 */
export function findBrandByJapaneseName(cat: BrandCatalogue, text: string): Brand | undefined {
  const t = text.normalize('NFKC');
  const exact = cat.byJapaneseName.get(t);
  if (exact) return exact;
  let best: Brand | undefined;
  let bestLen = 0;
  for (const [name, b] of cat.byJapaneseName) {
    if (name.length > bestLen && t.includes(name)) {
      best = b;
      bestLen = name.length;
    }
  }
  return best;
}
