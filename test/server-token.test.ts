import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveToken } from '../src/server/resolveToken.js';
import { checkBearer } from '../src/server/checkBearer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = 'k'.repeat(32);

describe('resolveToken', () => {
  it('generate a token at first start, owner-only, and reuse it afterwards without generating again', () => {
    const path = join(dir, 'kg.db.token');
    const first = resolveToken({ generatedPath: path });
    expect(first.source).toBe('generated');
    expect(first.token.length).toBeGreaterThanOrEqual(43);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = resolveToken({ generatedPath: path });
    expect(second).toMatchObject({ source: 'stored', token: first.token });
    expect(second.warning).toBeUndefined();
  });

  it('prefer --token-file, then KABUGUARD_TOKEN, over a stored token', () => {
    const path = join(dir, 'kg.db.token');
    resolveToken({ generatedPath: path });
    const file = join(dir, 'secret');
    writeFileSync(file, `${GOOD}\n`, { mode: 0o600 });
    expect(resolveToken({ tokenFile: file, envToken: 'e'.repeat(30), generatedPath: path })).toMatchObject({ source: 'file', token: GOOD });
    expect(resolveToken({ envToken: 'e'.repeat(30), generatedPath: path })).toMatchObject({ source: 'env', token: 'e'.repeat(30) });
  });

  it('warn when a token file is readable by others', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, GOOD);
    chmodSync(file, 0o644);
    expect(resolveToken({ tokenFile: file, generatedPath: join(dir, 'x') }).warning).toMatch(/chmod 600/);
  });

  it.each([
    ['too short', 'short'],
    ['with spaces', 'a b c d e f g h i j k l m n o p'],
  ])('refuse a token that is %s, saying what a good one looks like', (_n, token) => {
    expect(() => resolveToken({ envToken: token, generatedPath: join(dir, 'x') })).toThrow(/22 to 512 printable ASCII/);
  });
});

describe('checkBearer', () => {
  const ok = checkBearer(GOOD);
  it.each([
    [`Bearer ${GOOD}`, true],
    [`bearer ${GOOD}`, true],
    [`Bearer ${GOOD}x`, false],
    [`Bearer ${GOOD.slice(1)}`, false],
    [GOOD, false],
    [`Basic ${GOOD}`, false],
    [undefined, false],
    [`Bearer ${GOOD}${' '.repeat(2000)}`, false],
  ])('%s → %s', (header, expected) => {
    expect(ok(header)).toBe(expected);
  });
});

describe('kabuguard serve at first start', () => {
  it('listen on loopback, print the generated token once, keep it 0600 next to the db, and accept it', async () => {
    const cli = resolve('dist/src/cli/main.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first with \`npx tsc -p .\``);
    const db = join(dir, 'kg.db');
    const env = { ...process.env };
    delete env.KABUGUARD_TOKEN;
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--db', db, '--log-level', 'error', '--no-ip-db'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    try {
      let err = '';
      const url = await new Promise<string>((res, rej) => {
        child.stderr!.on('data', (b: Buffer) => {
          err += b.toString();
          const m = /listening on (http:\/\/\S+)[\s\S]*shown only this once\):\n(\S+)\n/.exec(err);
          if (m) res(m[1]!);
        });
        child.once('exit', (code) => rej(new Error(`serve exited with ${code}: ${err}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const stored = readFileSync(`${db}.token`, 'utf8').trim();
      expect(err).toContain(stored);
      expect(statSync(`${db}.token`).mode & 0o777).toBe(0o600);
      const denied = await fetch(`${url}/v1/alerts`);
      expect(denied.status).toBe(401);
      const allowed = await fetch(`${url}/v1/alerts`, { headers: { authorization: `Bearer ${stored}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ alerts: [] });
      child.kill('SIGTERM');
      expect(await new Promise((r) => child.once('exit', r))).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
