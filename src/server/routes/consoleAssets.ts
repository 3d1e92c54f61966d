import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ServiceError } from '../ServiceError.js';

export interface ConsoleAssetsOptions {
  /** The built console (`dist/web`: `index.html` and `assets/`). */
  dir: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

// The console talks only to this origin and runs no inline script; a page that frames it could trick a reviewer into clicks.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Paths the console is served under; they need no bearer token (the page asks its user for one). */
export function isConsoleAssetPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/favicon.svg' || path.startsWith('/assets/');
}

/**
 * Serve the built web console at `/` from memory. Every file is read once at start, so a request can
 * only ever get one of those files: no path from the URL ever reaches the file system.
 */
export async function consoleAssetRoutes(app: FastifyInstance, opts: ConsoleAssetsOptions): Promise<void> {
  const index = join(opts.dir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`the web console is not built: ${index} is missing; run \`npm run build\` (or pass no console directory)`);
  }
  const files = new Map<string, { body: Buffer; type: string; immutable: boolean }>();
  files.set('/', { body: readFileSync(index), type: TYPES['.html']!, immutable: false });
  const favicon = join(opts.dir, 'favicon.svg');
  if (existsSync(favicon)) files.set('/favicon.svg', { body: readFileSync(favicon), type: TYPES['.svg']!, immutable: false });
  const assets = join(opts.dir, 'assets');
  if (existsSync(assets)) {
    for (const name of readdirSync(assets)) {
      const p = join(assets, name);
      if (!statSync(p).isFile()) continue;
      // Vite puts a content hash in every asset name: a new build is a new URL, so caching forever is safe.
      files.set(`/assets/${name}`, { body: readFileSync(p), type: TYPES[extname(name)] ?? 'application/octet-stream', immutable: true });
    }
  }

  const send = (path: string) => async (_req: unknown, reply: FastifyReply) => {
    const f = files.get(path);
    if (!f) throw new ServiceError('NOT_FOUND', `no console file ${path.slice(0, 200)}`);
    return reply
      .headers(SECURITY_HEADERS)
      .header('cache-control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(f.type)
      .send(f.body);
  };
  app.get('/', send('/'));
  app.get('/index.html', send('/'));
  app.get('/favicon.svg', send('/favicon.svg'));
  app.get('/assets/:name', async (req, reply) => send(`/assets/${(req.params as { name: string }).name}`)(req, reply));
}
