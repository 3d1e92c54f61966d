/**
 * `phishing_url` alerts for URLs that arrive as `url_report` events (customer reports, mail gateway,
 * SMS filter, abuse desk). Each URL goes through the same analysis as `kabuguard phish url`; a URL
 * already alerted is not alerted again (reports of one fake site come in bursts).
 */
import type { Detector, Severity } from '../../engine/types.js';
import { analyzePhishingUrl } from '../../phishing/analyzePhishingUrl.js';
import { KitMemory, type KitMemoryFile } from '../../phishing/KitMemory.js';

export interface PhishingUrlDetectorOptions {
  /** Learned kit templates (the JSON written by `phish learn`). Default: none (catalogue and lexical only). */
  memory?: KitMemoryFile;
  /** Alert on `suspicious` verdicts too (severity medium). Default true. */
  alertSuspicious?: boolean;
  /** Distinct URLs remembered for de-duplication; the oldest are forgotten beyond this. Default 100,000. */
  maxRemembered?: number;
}

interface State {
  /** Normalised URL → first alert time (epoch ms), insertion-ordered for eviction. */
  seen: Map<string, number>;
}

export function createPhishingUrlDetector(opts: PhishingUrlDetectorOptions = {}): Detector {
  const memory = opts.memory ? new KitMemory(opts.memory) : undefined;
  const alertSuspicious = opts.alertSuspicious ?? true;
  const maxRemembered = opts.maxRemembered ?? 100_000;
  let state: State = { seen: new Map() };
  return {
    name: 'phishing_url',
    observe(ev, ctx) {
      if (ev.type !== 'url_report') return;
      const v = analyzePhishingUrl(ev.url, { memory });
      if (v.verdict === 'benign' || v.verdict === 'error') return;
      if (v.verdict === 'suspicious' && !alertSuspicious) return;
      const key = ev.url.trim().toLowerCase();
      if (state.seen.has(key)) return;
      state.seen.set(key, ctx.t);
      if (state.seen.size > maxRemembered) state.seen.delete(state.seen.keys().next().value!);
      const severity: Severity = v.verdict === 'phishing' ? (v.score >= 0.9 ? 'critical' : 'high') : 'medium';
      ctx.raise({
        kind: 'phishing_url',
        severity,
        score: v.score,
        reasons: v.reasons,
        event_ids: [ev.id],
        data: {
          url: ev.url,
          verdict: v.verdict,
          brand: v.brand,
          domain: v.domain ?? null,
          ...(v.cluster_id ? { cluster_id: v.cluster_id, matched_urls: v.kit?.matched_urls ?? [] } : {}),
          // The kit served several brands: the analyst gets the short list instead of a guess.
          ...(v.brand_candidates ? { brand_candidates: v.brand_candidates } : {}),
          ...(ev.source ? { source: ev.source } : {}),
        },
      });
    },
    snapshot() {
      return { seen: [...state.seen] };
    },
    restore(s) {
      state = { seen: new Map((s as { seen: [string, number][] }).seen) };
    },
  };
}
