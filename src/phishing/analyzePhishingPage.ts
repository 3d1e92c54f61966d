/**
 * Page analysis (`kabuguard phish page FILE.html`): does a saved page imitate a broker's login, what
 * does it ask for, where does it send it, does it carry Simplified-Chinese kit traces, and which kit
 * is it (a fingerprint that clusters replicas).
 */
import { createHash } from 'node:crypto';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { findBrandByJapaneseName, loadBrandCatalogue, type Brand, type BrandCatalogue } from './brandCatalogue.js';
import { isNonJapaneseHan } from './japaneseHan.js';
import { parsePhishUrl } from './parsePhishUrl.js';
import type { Reason, Verdict } from './types.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export interface AnalyzePageOptions {
  /** Where the page was found; form targets are compared with it. */
  pageUrl?: string;
  catalogue?: BrandCatalogue;
}

export type CredentialKind = 'login_id' | 'password' | 'trading_pin' | 'mfa_code' | 'card';

export interface PageVerdict {
  file?: string;
  verdict: Verdict;
  brand: string | null;
  score: number;
  reasons: Reason[];
  credential_fields: { kind: CredentialKind; name: string }[];
  form_targets: string[];
  chinese_traces: string[];
  fingerprint: { skeleton: string; assets: string[] };
  error?: string;
}

const MAX_PAGE_BYTES = 5 * 1024 * 1024;

// Field names, ids, placeholders and labels that ask for a credential (Japanese broker vocabulary).
const FIELD_PATTERNS: [CredentialKind, RegExp][] = [
  ['trading_pin', /取引(暗証番号|パスワード)|暗証番号|torihiki|trade_?pass|tradepw|\bpin\b/i],
  ['mfa_code', /認証コード|確認コード|ワンタイム|ＯＴＰ|otp|one.?time|sms.?code|auth.?code|verif.*code|2fa|mfa/i],
  ['password', /パスワード|password|passwd|pwd|^pass$|loginpw/i],
  ['card', /カード番号|セキュリティコード|cvv|cvc|card.?(no|num)/i],
  ['login_id', /ログインid|ユーザー(名|id|ネーム)|口座番号|支店番号|お客様番号|user.?(id|name)|login.?id|account|userid|loginid|username|branch/i],
];

const LURE_STRINGS = /(请输入|登录|账号|密码|验证码|提交|手机号|获取|确认|成功|失败|错误)/;

/** Analyse one HTML page. Binary or oversized input gives an `error` verdict. */
export function analyzePhishingPage(html: string | Buffer, opts: AnalyzePageOptions = {}): PageVerdict {
  const cat = opts.catalogue ?? loadBrandCatalogue();
  const empty = { brand: null, score: 0, credential_fields: [], form_targets: [], chinese_traces: [], fingerprint: { skeleton: '', assets: [] } };
  const buf = typeof html === 'string' ? Buffer.from(html, 'utf8') : html;
  if (buf.length > MAX_PAGE_BYTES) return { ...empty, verdict: 'error', reasons: [{ code: 'PAGE_TOO_LARGE', detail: `page larger than ${MAX_PAGE_BYTES} bytes` }], error: 'page too large' };
  if (buf.subarray(0, 8192).includes(0)) {
    return { ...empty, verdict: 'error', reasons: [{ code: 'BINARY_INPUT', detail: 'file contains NUL bytes: not an HTML page' }], error: 'binary input' };
  }
  const text = buf.toString('utf8');
  const doc = parse(text);
  const reasons: Reason[] = [];
  const fields: PageVerdict['credential_fields'] = [];
  const targets: string[] = [];
  const traces: string[] = [];
  const skeleton: string[] = [];
  const assets: string[] = [];
  const visible: string[] = [];
  const hidden: string[] = []; // comments and scripts: where kit authors leave their own language
  let pageHost: string | undefined;
  try {
    pageHost = opts.pageUrl ? parsePhishUrl(opts.pageUrl).domain ?? undefined : undefined;
  } catch {
    pageHost = undefined;
  }
  const labels = new Map<string, string>();

  const walk = (n: Node, inScript: boolean): void => {
    if (n.nodeName === '#comment') {
      hidden.push((n as DefaultTreeAdapterMap['commentNode']).data);
      return;
    }
    if (n.nodeName === '#text') {
      const v = (n as DefaultTreeAdapterMap['textNode']).value;
      (inScript ? hidden : visible).push(v);
      return;
    }
    const el = n as Element;
    if (el.tagName) {
      const attrs = new Map(el.attrs.map((a) => [a.name, a.value]));
      skeleton.push(el.tagName + (el.tagName === 'input' ? `:${attrs.get('type') ?? 'text'}` : ''));
      if (el.tagName === 'html' && /^zh/i.test(attrs.get('lang') ?? '')) traces.push(`html lang="${attrs.get('lang')}"`);
      if (el.tagName === 'meta' && /gb2312|gbk|gb18030/i.test(attrs.get('charset') ?? attrs.get('content') ?? '')) traces.push('Chinese charset declared');
      if (el.tagName === 'label' && attrs.get('for')) labels.set(attrs.get('for')!, textOf(el));
      if (el.tagName === 'input' || el.tagName === 'select') inputs.push({ el, attrs });
      if (el.tagName === 'form') {
        const action = attrs.get('action');
        if (action) targets.push(action);
      }
      for (const name of ['src', 'href']) {
        const v = attrs.get(name);
        if (v && (el.tagName === 'script' || el.tagName === 'link' || el.tagName === 'img')) assets.push(v.split(/[?#]/)[0].split('/').pop() ?? v);
      }
      const alt = attrs.get('alt') ?? attrs.get('title');
      if (alt) visible.push(alt);
    }
    const kids = (el as { childNodes?: Node[] }).childNodes ?? [];
    const script = inScript || el.tagName === 'script' || el.tagName === 'style';
    for (const c of kids) walk(c, script);
    const content = (el as { content?: Node }).content; // <template>
    if (content) walk(content, script);
  };
  const inputs: { el: Element; attrs: Map<string, string> }[] = [];
  walk(doc as unknown as Node, false);

  for (const { attrs } of inputs) {
    const type = (attrs.get('type') ?? 'text').toLowerCase();
    if (['hidden', 'submit', 'button', 'checkbox', 'radio', 'image', 'reset'].includes(type)) continue;
    const id = attrs.get('id') ?? '';
    const desc = [attrs.get('name'), id, attrs.get('placeholder'), attrs.get('aria-label'), labels.get(id)].filter(Boolean).join(' ');
    let kind = FIELD_PATTERNS.find(([, re]) => re.test(desc))?.[0];
    // A masked field is a secret whatever its name says, unless the name says which secret.
    if (type === 'password' && (kind === undefined || kind === 'login_id' || kind === 'card')) kind = 'password';
    if (kind) fields.push({ kind, name: attrs.get('name') ?? id ?? '' });
  }

  // Brand cues: Japanese names in visible text, Latin names and aliases in text and title.
  const body = visible.join(' ').normalize('NFKC');
  const brandCounts = new Map<Brand, number>();
  for (const b of cat.brands) {
    let n = 0;
    for (const name of [b.name, ...b.jp_names, b.latin]) {
      const needle = name.normalize('NFKC');
      for (let i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + needle.length)) n++;
    }
    if (n > 0) brandCounts.set(b, n);
  }
  const brand = [...brandCounts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? findBrandByJapaneseName(cat, body.slice(0, 2000));

  // Simplified-Chinese traces: Han characters outside Japanese usage, and Chinese UI strings in
  // comments and scripts (kit authors' own notes and messages).
  const nonJa = new Set<string>();
  for (const ch of [...visible, ...hidden].join(' ')) if (isNonJapaneseHan(ch)) nonJa.add(ch);
  if (nonJa.size >= 2) traces.push(`${nonJa.size} Han characters outside Japanese usage: ${[...nonJa].slice(0, 12).join('')}`);
  const hiddenText = hidden.join('\n');
  const m = LURE_STRINGS.exec(hiddenText);
  if (m && [...hiddenText].some((c) => isNonJapaneseHan(c))) traces.push(`Chinese strings in comments or scripts (e.g. "${m[1]}")`);

  let score = 0;
  const bump = (w: number) => (score = 1 - (1 - score) * (1 - w));
  if (brand) {
    reasons.push({ code: 'BRAND_CUES', detail: `page names ${brand.name}${brandCounts.get(brand) ? ` ${brandCounts.get(brand)} time(s)` : ''}` });
    bump(0.3);
  }
  const kinds = new Set(fields.map((f) => f.kind));
  if (kinds.size > 0) {
    reasons.push({ code: 'CREDENTIAL_FIELDS', detail: `asks for ${[...kinds].join(', ')}` });
    bump(kinds.has('password') || kinds.has('trading_pin') ? 0.35 : 0.2);
  }
  if (kinds.has('trading_pin')) {
    reasons.push({ code: 'TRADING_PIN_REQUESTED', detail: 'asks for the trading PIN (取引暗証番号), which a login page never needs' });
    bump(0.4);
  }
  if (kinds.has('mfa_code') && kinds.has('password')) {
    reasons.push({ code: 'MFA_RELAY', detail: 'asks for password and one-time code on one page (real-time relay of the second factor)' });
    bump(0.3);
  }
  const allText = text.slice(0, MAX_PAGE_BYTES);
  if (/api\.telegram\.org\/bot/i.test(allText)) {
    reasons.push({ code: 'TELEGRAM_EXFILTRATION', detail: 'sends data to the Telegram bot API' });
    bump(0.6);
  }
  for (const t of targets) {
    if (!/^https?:\/\//i.test(t)) continue;
    try {
      const p = parsePhishUrl(t);
      const own = brand && p.domain && [...brand.domains, ...brand.group_domains].some((d) => p.hostname === d || p.hostname.endsWith('.' + d));
      if (!own && p.domain !== pageHost) {
        reasons.push({ code: 'FOREIGN_FORM_TARGET', detail: `form posts to ${p.hostname}${brand ? `, not a ${brand.name} domain` : ''}` });
        bump(0.35);
        break;
      }
    } catch {
      reasons.push({ code: 'BAD_FORM_TARGET', detail: `form action ${JSON.stringify(t.slice(0, 100))} is not a valid URL` });
    }
  }
  if (traces.length > 0) {
    reasons.push({ code: 'CHINESE_KIT_TRACES', detail: traces.join('; ') });
    bump(0.3);
  }
  score = Math.round(score * 1000) / 1000;
  const credentialAsk = kinds.has('password') || kinds.has('trading_pin') || kinds.has('mfa_code');
  const verdict: Verdict = brand && credentialAsk && score >= 0.6 ? 'phishing' : score >= 0.5 && credentialAsk ? 'suspicious' : 'benign';
  return {
    verdict,
    brand: verdict === 'benign' ? null : (brand?.name ?? null),
    score,
    reasons,
    credential_fields: fields,
    form_targets: targets,
    chinese_traces: traces,
    fingerprint: { skeleton: skeletonHash(skeleton), assets: [...new Set(assets)].sort().map((a) => sha(a).slice(0, 16)) },
  };
}

function textOf(n: Node): string {
  if (n.nodeName === '#text') return (n as DefaultTreeAdapterMap['textNode']).value;
  return ((n as { childNodes?: Node[] }).childNodes ?? []).map(textOf).join('');
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * Fuzzy hash of the DOM skeleton (tag sequence, input types): a 64-bit SimHash over tag 4-grams.
 * Replicas of one kit differ in text and in a few nodes; their hashes differ in a few bits
 * (compare with `skeletonDistance`), while unrelated pages differ in about half.
 */
function skeletonHash(tags: string[]): string {
  const acc = new Array<number>(64).fill(0);
  for (let i = 0; i + 4 <= Math.max(tags.length, 4); i++) {
    const gram = tags.slice(i, i + 4).join('>');
    const h = createHash('sha1').update(gram).digest();
    for (let bit = 0; bit < 64; bit++) acc[bit] += (h[bit >> 3] >> (bit & 7)) & 1 ? 1 : -1;
  }
  let hex = '';
  for (let nib = 0; nib < 16; nib++) {
    let v = 0;
    for (let k = 0; k < 4; k++) if (acc[nib * 4 + k] > 0) v |= 1 << k;
    hex += v.toString(16);
  }
  return hex;
}

/** Hamming distance between two skeleton hashes (0..64); ≤ 8 is treated as the same kit. */
export function skeletonDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}
