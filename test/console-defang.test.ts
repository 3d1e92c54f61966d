import { describe, expect, it } from 'vitest';
import { defang } from '../web/src/defang.js';

describe('the console shows phishing URLs defanged', () => {
  it.each([
    ['https://monex-co-jp.qzkvtr.cn/login', 'hxxps://monex-co-jp[.]qzkvtr[.]cn/login'],
    ['HTTP://Evil.example/a.b?c.d#e.f', 'hxxp://Evil[.]example/a.b?c.d#e.f'],
    ['https://user@evil.example:8443/x', 'hxxps://user@evil[.]example:8443/x'],
    ['evil.example/login', 'evil[.]example/login'],
    ['qzkvtr.cn', 'qzkvtr[.]cn'],
    ['  https://evil.example', '  hxxps://evil[.]example'],
    ['ftp://files.evil.example/kit.zip', 'ftp://files[.]evil[.]example/kit.zip'],
    ['http://192.0.2.7/login', 'hxxp://192[.]0[.]2[.]7/login'],
    ['', ''],
  ])('%s → %s', (url, shown) => {
    expect(defang(url)).toBe(shown);
  });
});
