import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { PasswordChecker, sha1Hex } from './PasswordChecker.js';
import { loadPasswordLists } from './loadPasswordLists.js';
import { passwordRoutes } from '../server/routes/passwords.js';
import { presentError } from '../server/presentError.js';

const checker = new PasswordChecker(
  [
    { name: 'common', passwords: ['password', 'P@ssw0rd', 'letmein123'] },
    { name: 'broker-leak', passwords: ['letmein123', 'kabu-tarou-1955'] },
  ],
  { contextWords: ['kabuguard'] },
);

describe('password check', () => {
  it('refuses listed passwords case-insensitively and names the lists', () => {
    const r = checker.check('LetMeIn123');
    expect(r).toMatchObject({ acceptable: false, breached: true, lists: ['common', 'broker-leak'] });
    expect(r.reasons[0].code).toBe('BREACHED_PASSWORD');
  });

  it('accepts a long unlisted passphrase and refuses short or service-named ones', () => {
    expect(checker.check('correct horse battery staple').acceptable).toBe(true);
    expect(checker.check('x7#kq').reasons.map((r) => r.code)).toContain('TOO_SHORT');
    expect(checker.check('mykabuguard2025').reasons.map((r) => r.code)).toContain('CONTEXT_WORD');
  });

  it('answers the range query in the Have I Been Pwned format', () => {
    const hex = sha1Hex('letmein123');
    const lines = checker.range(hex.slice(0, 5).toLowerCase()).split('\r\n');
    expect(lines).toContain(`${hex.slice(5)}:2`);
    for (const l of lines) expect(l).toMatch(/^[0-9A-F]{35}:\d+$/);
    expect(checker.range('00000')).toBe('');
    expect(() => checker.range('12z45')).toThrow(/5 hex/);
  });

  it('loads the common-password list shipped with @zxcvbn-ts/language-common', async () => {
    const lists = await loadPasswordLists();
    const c = new PasswordChecker(lists);
    expect(c.size).toBeGreaterThan(10_000);
    expect(c.check('qwerty123').breached).toBe(true);
  });
});

describe('password routes', () => {
  const build = async () => {
    const app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      const p = presentError(err);
      void reply.code(p.status).send(p.body);
    });
    await app.register(passwordRoutes, { checker });
    return app;
  };

  it('checks a password and serves a range', async () => {
    const app = await build();
    const r = await app.inject({ method: 'POST', url: '/v1/passwords/check', payload: { password: 'password' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ breached: true, acceptable: false });
    const hex = sha1Hex('password');
    const g = await app.inject({ method: 'GET', url: `/v1/passwords/range/${hex.slice(0, 5)}` });
    expect(g.statusCode).toBe(200);
    expect(g.headers['content-type']).toMatch(/text\/plain/);
    expect(g.body).toContain(hex.slice(5));
  });

  describe('malformed requests', () => {
    it.each([
      [{ password: 42 }, 'password'],
      [{}, 'password'],
      [{ password: '' }, 'password'],
    ])('answers 400 naming the field for %j', async (payload, field) => {
      const app = await build();
      const r = await app.inject({ method: 'POST', url: '/v1/passwords/check', payload });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.field).toBe(field);
    });

    it('answers 400 for a prefix that is not 5 hex digits', async () => {
      const app = await build();
      const r = await app.inject({ method: 'GET', url: '/v1/passwords/range/ABCDEF' });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.field).toBe('prefix');
    });
  });
});
