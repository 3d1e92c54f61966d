/**
 * A phishing URL or host as text nobody can open by accident, here or after pasting it into a mail or
 * a chat that turns addresses into links: `https://evil.example/login` → `hxxps://evil[.]example/login`.
 * Every dot of the host is bracketed whatever the scheme, or with none (a report may carry a bare host).
 */
export function defang(url: string): string {
  const m = /^(\s*)([a-z][a-z0-9+.-]*:\/\/)?([^/?#\s]*)([\s\S]*)$/i.exec(url)!;
  const [, space = '', scheme = '', host = '', rest = ''] = m;
  return space + scheme.replace(/^http/i, 'hxxp') + host.replace(/\./g, '[.]') + rest;
}
