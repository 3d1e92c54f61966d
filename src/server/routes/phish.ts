import type { FastifyInstance } from 'fastify';
import { analyzePhishingUrl } from '../../phishing/analyzePhishingUrl.js';
import type { KitMemory } from '../../phishing/KitMemory.js';
import { ServiceError } from '../ServiceError.js';

export interface PhishRoutesOptions {
  /** Learned kit templates (`kabuguard phish learn`); without it the catalogue and lexical cues only. */
  memory?: KitMemory;
  /** Most URLs one request may carry. Default 1000. */
  maxUrls?: number;
}

/**
 * `POST /v1/phish/urls`, body `{"urls": ["https://…", …]}` → `{"verdicts": [UrlVerdict, …]}` in the
 * order given (contract §5 verdict lines). A URL that cannot be parsed gets an `error` verdict in its
 * place; a body that is not a list of strings answers 400 naming the field. Register under the
 * service's authenticated scope.
 */
export async function phishRoutes(app: FastifyInstance, opts: PhishRoutesOptions): Promise<void> {
  const maxUrls = opts.maxUrls ?? 1000;
  app.post('/v1/phish/urls', async (req) => {
    const body = req.body as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ServiceError('BAD_REQUEST', 'body must be a JSON object {"urls": ["https://..."]}', { field: 'urls' });
    }
    const urls = (body as { urls?: unknown }).urls;
    if (!Array.isArray(urls) || urls.length === 0) throw new ServiceError('BAD_REQUEST', 'field `urls`: must be a non-empty array of strings', { field: 'urls' });
    if (urls.length > maxUrls) throw new ServiceError('BAD_REQUEST', `field \`urls\`: at most ${maxUrls} URLs per request`, { field: 'urls' });
    const bad = urls.findIndex((u) => typeof u !== 'string');
    if (bad >= 0) throw new ServiceError('BAD_REQUEST', `field \`urls[${bad}]\`: must be a string`, { field: `urls[${bad}]` });
    return { verdicts: (urls as string[]).map((u) => analyzePhishingUrl(u, { memory: opts.memory })) };
  });
}
