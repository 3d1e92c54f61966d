import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { presentError } from '../presentError.js';
import { phishRoutes } from './phish.js';

const app = Fastify();
app.setErrorHandler((err, _req, reply) => {
  const p = presentError(err);
  return reply.status(p.status).headers(p.headers).send(p.body);
});
await app.register(phishRoutes, { maxUrls: 3 });
afterAll(() => app.close());

const post = (payload: unknown) => app.inject({ method: 'POST', url: '/v1/phish/urls', payload: payload as object });

describe('POST /v1/phish/urls', () => {
  it('answers one verdict per URL, in order, with an error verdict for an unparsable one', async () => {
    const res = await post({ urls: ['https://monex-co-jp.qzkvtr.cn/login', 'https://www.monex.co.jp/', 'http://'] });
    expect(res.statusCode).toBe(200);
    const { verdicts } = res.json() as { verdicts: { url: string; verdict: string; brand: string | null }[] };
    expect(verdicts.map((v) => v.verdict)).toEqual(['phishing', 'benign', 'error']);
    expect(verdicts[0].brand).toBe('マネックス証券');
  });
});

describe('malformed bodies', () => {
  it.each([
    [{}, 'urls'],
    [{ urls: [] }, 'urls'],
    [{ urls: 'https://a.example.cn/' }, 'urls'],
    [{ urls: ['https://a.example.cn/', 7] }, 'urls[1]'],
    [{ urls: ['a.cn', 'b.cn', 'c.cn', 'd.cn'] }, 'urls'],
  ])('%j answers 400 naming %s', async (body, field) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });
});
