/** The user-agent hierarchy of the RBA features: full string → browser → OS → device type. */
export interface UserAgentInfo {
  /** Browser family and major version, e.g. `Chrome 124`; `app` clients keep their product token. */
  browser: string;
  /** OS family and major version, e.g. `iOS 17`, `Windows 10`. */
  os: string;
  device: 'mobile' | 'tablet' | 'desktop' | 'bot' | 'unknown';
  /** An HTTP library or headless browser rather than a person's browser or the broker's app. */
  automated: boolean;
}

// Order matters: Edge and Opera announce Chrome too, Chrome announces Safari.
const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/FxiOS\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/HeadlessChrome\/(\d+)/, 'HeadlessChrome'],
  [/Chrome\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari/, 'Safari'],
];
const AUTOMATION = /^(?:curl|wget|python|Go-http-client|okhttp|Java|libwww|axios|node-fetch|undici|aiohttp|httpx|Apache-HttpClient|PostmanRuntime)|HeadlessChrome|PhantomJS|Selenium|puppeteer|playwright/i;

/**
 * Split a user agent into the sub-features Freeman et al. back off through when the full string is
 * new to an account (a browser update changes the string but not the browser, OS or device type).
 * A plain table of patterns: enough to group values, not a full UA database.
 */
export function parseUserAgent(ua: string): UserAgentInfo {
  const automated = AUTOMATION.test(ua);
  let browser = 'other';
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  if (browser === 'other') {
    // Native apps and libraries: the first product token (`KabuApp/5.2.1 (iPhone…)` → `KabuApp 5`).
    const m = /^([A-Za-z][\w.-]{0,40})\/(\d+)/.exec(ua);
    if (m) browser = `${m[1]} ${m[2]}`;
  }
  let os = 'other';
  let m: RegExpExecArray | null;
  if ((m = /Windows NT (\d+\.\d+)/.exec(ua))) os = `Windows ${m[1] === '10.0' ? '10' : m[1]}`;
  else if ((m = /(?:iPhone|CPU) OS (\d+)/.exec(ua))) os = `iOS ${m[1]}`;
  else if ((m = /iPad.*OS (\d+)/.exec(ua))) os = `iPadOS ${m[1]}`;
  else if ((m = /Android (\d+)/.exec(ua))) os = `Android ${m[1]}`;
  else if ((m = /Mac OS X (\d+)/.exec(ua))) os = `macOS ${m[1]}`;
  else if (/CrOS/.test(ua)) os = 'ChromeOS';
  else if (/Linux/.test(ua)) os = 'Linux';
  let device: UserAgentInfo['device'] = 'unknown';
  if (automated) device = 'bot';
  else if (/iPad|Tablet/.test(ua) || (/Android/.test(ua) && !/Mobile/.test(ua))) device = 'tablet';
  else if (/Mobi|iPhone|Android/.test(ua)) device = 'mobile';
  else if (/Windows|Macintosh|X11|CrOS|Linux/.test(ua)) device = 'desktop';
  return { browser, os, device, automated };
}
