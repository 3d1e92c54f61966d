/**
 * Takedown evidence, one Markdown section per kit cluster: what a registrar, hosting provider or
 * JPCERT/CC needs to act (the URLs, the broker imitated, the shared template that ties them, the
 * earlier reports) in one readable page.
 */
import type { UrlVerdict } from './types.js';

export interface TakedownOptions {
  /** Heading date/time of the report (the caller's clock; the domain reads none). */
  generatedAt: string;
}

/** Group phishing/suspicious verdicts by cluster (brand-only verdicts by registered domain). */
export function formatTakedownMarkdown(verdicts: UrlVerdict[], opts: TakedownOptions): string {
  const groups = new Map<string, UrlVerdict[]>();
  for (const v of verdicts) {
    if (v.verdict !== 'phishing' && v.verdict !== 'suspicious') continue;
    const key = v.cluster_id ?? `domain ${v.domain ?? v.url}`;
    const g = groups.get(key) ?? [];
    g.push(v);
    groups.set(key, g);
  }
  const lines: string[] = [`# Phishing takedown evidence`, '', `Generated ${opts.generatedAt} by kabuguard. ${groups.size} cluster(s).`, ''];
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [key, vs] of sorted) {
    const brands = [...new Set(vs.map((v) => v.brand).filter((b): b is string => b !== null))];
    const domains = [...new Set(vs.map((v) => v.domain).filter((d): d is string => !!d))];
    lines.push(`## ${key.startsWith('kit-') ? `Kit cluster ${key}` : key}`, '');
    const candidates = [...new Set(vs.flatMap((v) => v.brand_candidates?.map((c) => c.brand) ?? []))];
    const unnamed = candidates.length ? `not named in the URL; the kit was reported for ${candidates.join(', ')}` : 'not named in the URL';
    lines.push(`- Imitated brand: ${brands.length ? brands.join(', ') : unnamed}`);
    lines.push(`- URLs: ${vs.length} on ${domains.length} registered domain(s): ${domains.slice(0, 20).map((d) => `\`${d}\``).join(', ')}${domains.length > 20 ? ', …' : ''}`);
    const kit = vs.find((v) => v.kit)?.kit;
    if (kit) {
      lines.push(`- Shared template: \`${kit.template}\` (seen on ${kit.domains_seen} earlier reported domain(s))`);
      lines.push(`- Earlier reports: ${kit.matched_urls.map((u) => `\`${defang(u)}\``).join(', ')}`);
    }
    lines.push('', '| URL (defanged) | verdict | score | evidence |', '|---|---|---:|---|');
    for (const v of vs) {
      const ev = v.reasons.map((r) => `${r.code}: ${r.detail}`).join('; ').replace(/\|/g, '\\|');
      lines.push(`| \`${defang(v.url)}\` | ${v.verdict} | ${v.score} | ${ev} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `https://x.cn/a` → `hxxps://x[.]cn/a`, so the report never makes a live link. */
export function defang(url: string): string {
  return url.replace(/^http/i, 'hxxp').replace(/\./g, '[.]');
}
