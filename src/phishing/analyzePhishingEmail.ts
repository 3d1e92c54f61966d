/**
 * E-mail analysis (`kabuguard phish email FILE.eml`): sender authentication (SPF, DKIM, DMARC via
 * mailauth, with an injected DNS resolver so the analysis is reproducible and tests run offline),
 * Japanese lure cues, every link through the URL analysis, and the JSDA rule of 2025-10-15: brokers
 * send no login links in e-mail or SMS, so a mail that speaks for a broker and carries a link asking to
 * log in is a lure whatever its authentication says.
 */
import { authenticate, type DNSResolver } from 'mailauth';
import { simpleParser } from 'mailparser';
import { findBrandByJapaneseName, loadBrandCatalogue, type Brand, type BrandCatalogue } from './brandCatalogue.js';
import { analyzeParsedUrl } from './analyzePhishingUrl.js';
import type { KitMemory } from './KitMemory.js';
import { parsePhishUrl } from './parsePhishUrl.js';
import type { Reason, UrlVerdict, Verdict } from './types.js';

export interface AnalyzeEmailOptions {
  /** DNS resolver `(name, rrtype) → records` as mailauth expects; e.g. `dns.promises.resolve` live. Required: the analysis never queries DNS behind the caller's back. */
  resolver: DNSResolver;
  /** Client IP of the sending MTA; default: taken from the first Received header. */
  ip?: string;
  /** Envelope sender (MAIL FROM); default: Return-Path. */
  sender?: string;
  /** Receiving MTA name (appears in the results); default `kabuguard.invalid`. */
  mta?: string;
  memory?: KitMemory;
  catalogue?: BrandCatalogue;
}

export interface EmailVerdict {
  file?: string;
  verdict: Verdict;
  brand: string | null;
  score: number;
  reasons: Reason[];
  from: string | null;
  subject: string | null;
  auth: { spf: string; dkim: string; dmarc: string };
  links: UrlVerdict[];
  error?: string;
}

const LURES: [RegExp, string][] = [
  [/本人確認|ご本人様確認|本人認証/, '本人確認 (identity check)'],
  [/(取引|利用|口座|アカウント)(の)?(制限|停止|凍結|ロック)/, 'account restriction'],
  [/至急|緊急|直ちに|24時間以内|48時間以内|本日中|期限までに/, 'urgency'],
  [/不正(アクセス|ログイン|利用)|第三者による/, 'unauthorized-access scare'],
  [/セキュリティ(強化|向上|対策)|安全性(向上|強化)/, 'security upgrade pretext'],
  [/(情報|登録情報|お客様情報)(の)?(更新|再登録|確認)/, 'update-your-details request'],
  [/ログイン(して|の上|いただき)|下記(URL|リンク)|こちらから/, 'log-in-via-link request'],
];

const LOGIN_LINK_WORDS = /ログイン|login|log-in|signin|sign-in|認証|確認|手続き|こちら|verify|update/i;

function errorVerdict(detail: string, code = 'MALFORMED_EMAIL'): EmailVerdict {
  return { verdict: 'error', brand: null, score: 0, reasons: [{ code, detail }], from: null, subject: null, auth: { spf: 'none', dkim: 'none', dmarc: 'none' }, links: [], error: detail };
}

/** Analyse one RFC 5322 message. Binary, truncated or header-less input gives an `error` verdict. */
export async function analyzePhishingEmail(raw: Buffer, opts: AnalyzeEmailOptions): Promise<EmailVerdict> {
  const cat = opts.catalogue ?? loadBrandCatalogue();
  if (raw.length === 0) return errorVerdict('empty file');
  if (raw.subarray(0, 8192).includes(0)) return errorVerdict('file contains NUL bytes: not an e-mail message', 'BINARY_INPUT');
  const text = raw.toString('latin1');
  const sep = text.search(/\r?\n\r?\n/);
  if (sep < 0) return errorVerdict('no blank line between header and body: the message is truncated or not an e-mail');
  const head = text.slice(0, sep);
  if (!/^from:/im.test(head)) return errorVerdict('no From header: not an e-mail message');
  const truncation = findTruncation(text);
  if (truncation) return errorVerdict(truncation, 'TRUNCATED_EMAIL');

  const mail = await simpleParser(raw, { skipImageLinks: true });
  const auth = await authenticate(raw, {
    resolver: opts.resolver,
    ip: opts.ip,
    sender: opts.sender,
    trustReceived: true,
    mta: opts.mta ?? 'kabuguard.invalid',
    disableArc: true,
    disableBimi: true,
  });

  const reasons: Reason[] = [];
  let score = 0;
  const bump = (w: number) => (score = 1 - (1 - score) * (1 - w));
  const fromAddr = mail.from?.value[0]?.address?.toLowerCase() ?? null;
  const fromName = mail.from?.value[0]?.name ?? '';
  const subject = mail.subject ?? null;
  const bodyText = `${subject ?? ''}\n${mail.text ?? ''}\n${typeof mail.html === 'string' ? mail.html.replace(/<[^>]+>/g, ' ') : ''}`.normalize('NFKC');

  const spf = auth.spf && typeof auth.spf === 'object' ? String((auth.spf as { status?: { result?: string } }).status?.result ?? 'none') : 'none';
  const dkimResults = auth.dkim?.results ?? [];
  // RFC 6376 §6.1.3: a body hash that does not verify is a permanent failure (mailauth says "neutral").
  const dkimOf = (r: (typeof dkimResults)[number]) =>
    r.status?.result === 'neutral' && /body hash/i.test(String(r.status?.comment ?? '')) ? 'fail' : String(r.status?.result ?? 'fail');
  const dkim = dkimResults.length === 0 ? 'none' : dkimResults.some((r) => r.status?.result === 'pass') ? 'pass' : dkimOf(dkimResults[0]);
  const dmarc = auth.dmarc && typeof auth.dmarc === 'object' ? String((auth.dmarc as { status?: { result?: string } }).status?.result ?? 'none') : 'none';

  // Which broker does the mail speak for? The From domain, the display name, then the text.
  const fromDomain = fromAddr?.split('@')[1];
  const ownSender = fromDomain ? ownBrandOf(cat, fromDomain) : undefined;
  const claimed: Brand | undefined = ownSender ?? findBrandByJapaneseName(cat, fromName) ?? findBrandByJapaneseName(cat, bodyText.slice(0, 4000));
  if (claimed) reasons.push({ code: 'BRAND_CLAIMED', detail: `the mail speaks for ${claimed.name}` });

  if (spf === 'fail' || spf === 'softfail') {
    reasons.push({ code: 'SPF_FAIL', detail: `SPF ${spf} for ${fromDomain ?? 'the sender'} from ${auth.spf && typeof auth.spf === 'object' ? ((auth.spf as { 'client-ip'?: string })['client-ip'] ?? 'unknown IP') : 'unknown IP'}` });
    bump(ownSender ? 0.6 : 0.3);
  }
  if (dkim === 'fail' || dkim === 'neutral' || dkim === 'policy') {
    reasons.push({ code: 'DKIM_FAIL', detail: `DKIM ${dkim}: ${dkimResults.map((r) => `${r.signingDomain ?? '?'} ${r.status?.comment ?? r.status?.result ?? ''}`.trim()).join('; ')}` });
    bump(ownSender ? 0.5 : 0.25);
  }
  if (dmarc === 'fail') {
    reasons.push({ code: 'DMARC_FAIL', detail: `DMARC fail for ${fromDomain}` });
    bump(ownSender ? 0.7 : 0.3);
  }
  if (claimed && !ownSender && fromDomain) {
    reasons.push({ code: 'BRAND_FROM_FOREIGN_DOMAIN', detail: `claims ${claimed.name} but is sent from ${fromDomain}` });
    bump(0.4);
  }

  const lures = LURES.filter(([re]) => re.test(bodyText)).map(([, name]) => name);
  if (lures.length > 0) {
    reasons.push({ code: 'LURE_CUES', detail: lures.join(', ') });
    bump(Math.min(0.15 * lures.length, 0.45));
  }

  const links = extractLinks(typeof mail.html === 'string' ? mail.html : '', mail.text ?? '');
  const verdicts: UrlVerdict[] = [];
  let worst: UrlVerdict | undefined;
  let loginLink = false;
  for (const { href, text: anchor } of links.slice(0, 200)) {
    let v: UrlVerdict;
    try {
      v = analyzeParsedUrl(href, parsePhishUrl(href), { memory: opts.memory, catalogue: cat });
    } catch (err) {
      v = { url: href, verdict: 'error', brand: null, score: 0, reasons: [{ code: 'UNPARSABLE_URL', detail: (err as Error).message }], error: (err as Error).message };
    }
    verdicts.push(v);
    if (v.verdict !== 'error' && (!worst || v.score > worst.score)) worst = v;
    if (LOGIN_LINK_WORDS.test(anchor) || LOGIN_LINK_WORDS.test(href)) loginLink = true;
  }
  if (worst && worst.verdict !== 'benign') {
    reasons.push({ code: 'PHISHING_LINK', detail: `link ${worst.url.slice(0, 120)} is ${worst.verdict}${worst.brand ? ` (${worst.brand})` : ''}` });
    bump(worst.verdict === 'phishing' ? 0.8 : 0.4);
  }
  if (claimed && loginLink) {
    reasons.push({ code: 'LOGIN_LINK_IN_BROKER_MAIL', detail: `${claimed.name} mail with a login link: brokers send none (JSDA guideline 2025-10-15)` });
    bump(0.5);
  }

  score = Math.round(score * 1000) / 1000;
  const brand = claimed?.name ?? worst?.brand ?? null;
  const verdict: Verdict = score >= 0.7 ? 'phishing' : score >= 0.45 ? 'suspicious' : 'benign';
  return { verdict, brand: verdict === 'benign' ? null : brand, score, reasons, from: fromAddr, subject, auth: { spf, dkim, dmarc }, links: verdicts };
}

function ownBrandOf(cat: BrandCatalogue, domain: string): Brand | undefined {
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
    const b = cat.ownDomains.get(d);
    if (b) return b;
  }
  return undefined;
}

/** `href`s of the HTML part with their anchor text, then bare URLs of the text part. */
function extractLinks(html: string, text: string): { href: string; text: string }[] {
  const out: { href: string; text: string }[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(/<a\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)["']?[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = m[1].replace(/&amp;/g, '&');
    if (!/^https?:/i.test(href) || seen.has(href)) continue;
    seen.add(href);
    out.push({ href, text: m[2].replace(/<[^>]+>/g, '').trim() });
  }
  for (const m of text.matchAll(/https?:\/\/[^\s<>"'）」]+/gi)) {
    if (seen.has(m[0])) continue;
    seen.add(m[0]);
    const before = text.slice(Math.max(0, m.index! - 40), m.index);
    out.push({ href: m[0], text: before });
  }
  return out;
}

/**
 * Signs that the file was cut short: a multipart boundary opened but never closed, or a base64 body
 * whose last line is cut mid-quantum.
 */
function findTruncation(text: string): string | undefined {
  const b = /boundary="?([^";\r\n]+)"?/i.exec(text);
  if (b && !text.includes(`--${b[1]}--`)) return `multipart boundary "${b[1]}" is never closed: the message is truncated`;
  return undefined;
}
