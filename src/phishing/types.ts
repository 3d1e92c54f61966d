/**
 * The phishing domain's vocabulary: verdicts and the reasons behind them. Names follow contract §5
 * (`kabuguard phish url` prints one `UrlVerdict` per line).
 */
import type { Reason } from '../engine/types.js';

export type { Reason };

/**
 * `error` is kabuguard's addition for input that could not be analysed at all (an unparsable URL, a
 * truncated e-mail, a binary file): the line is still written, with the reason, so a pipeline counts
 * it instead of losing it; it is never reported as `benign`.
 */
export type Verdict = 'phishing' | 'suspicious' | 'benign' | 'error';

/** One learned kit template that matched, with the earlier reported URLs behind it. */
export interface KitMatch {
  cluster_id: string;
  /** The template, e.g. `path:qjsmxxoq` or `sub:holechezizahl`. */
  template: string;
  /** How many distinct registered domains the template was seen on while learning. */
  domains_seen: number;
  /** Earlier reported URLs that carry the same template (first ones learned, at most 5). */
  matched_urls: string[];
  brand: string | null;
}

/** Contract §5 verdict line, plus optional kabuguard fields. */
export interface UrlVerdict {
  url: string;
  verdict: Verdict;
  brand: string | null;
  score: number;
  reasons: Reason[];
  cluster_id?: string;
  kit?: KitMatch;
  /**
   * When a learned kit matched but its evidence does not single out one brand (`brand` is null): the
   * brands the kit was reported for, with their share of the recency-weighted evidence, best first.
   */
  brand_candidates?: { brand: string; share: number }[];
  /** Registered domain (public suffix + one label, private suffixes honoured). */
  domain?: string | null;
  error?: string;
}
