import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import { validateEvent } from '../events/validateEvent.js';
import type { Engine } from '../engine/Engine.js';
import type { DecisionRecord } from '../engine/types.js';
import type { AlertQuery, ServiceStore } from '../store/types.js';
import { checkBearer, MAX_AUTHORIZATION_CHARS } from './checkBearer.js';
import { createMetrics, type ServiceMetrics } from './createMetrics.js';
import { DecisionService } from './DecisionService.js';
import { fieldOfReason } from './fieldOfReason.js';
import { parseBatchBody } from './parseBatchBody.js';
import { alertQuerySchema, notificationQuerySchema, parseQuery } from './parseQuery.js';
import { presentError } from './presentError.js';
import { ServiceError } from './ServiceError.js';
import { storeQuery } from './storeQuery.js';
import type { PasswordChecker } from '../passwords/PasswordChecker.js';
import { passwordRoutes } from './routes/passwords.js';
import { phishRoutes, type PhishRoutesOptions } from './routes/phish.js';
import { caseRoutes } from './routes/cases.js';
import { consoleAssetRoutes, isConsoleAssetPath } from './routes/consoleAssets.js';
import { consoleQueryRoutes } from './routes/consoleQueries.js';

export interface ServerOptions {
  /** Where events, decisions, alerts and snapshots are recorded. The server owns it from now on and closes it on `app.close()`. */
  store: ServiceStore;
  /** Bearer token every endpoint but `/healthz` requires (see `resolveToken`). */
  token: string;
  /** Builds a fresh engine at start and after a failed store write. Default: every detector of `createDetectors()`. */
  createEngine?: () => Engine;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Most requests served at once; more answer 429. Default 1024. */
  maxInFlight?: number;
  /** Most processed events waiting for their store commit; more answer 503. Default 20,000. */
  maxPendingEvents?: number;
  /** Event-loop delay (ms) beyond which requests answer 503 (@fastify/under-pressure); 0 turns it off. Default 1000. */
  maxEventLoopDelayMs?: number;
  /** Snapshot the engine after this many events. Default 50,000. */
  snapshotEveryEvents?: number;
  /** Snapshot at least this often (ms) while events arrive. Default 60,000. */
  snapshotIntervalMs?: number;
  /** Longest a request may take to arrive completely (slow-client defence), ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Largest total size of request headers in bytes. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** pino level. Default `info`; tests pass `silent`. Ignored when `logger` is given. */
  logLevel?: string;
  /** A pino logger to use instead of a new one. */
  logger?: FastifyBaseLogger;
  /** Export Node process metrics on /metrics. Default true. */
  processMetrics?: boolean;
  /** Serve `POST /v1/passwords/check` and `GET /v1/passwords/range/:prefix` with this checker. Default: not served. */
  passwords?: PasswordChecker;
  /** Serve `POST /v1/phish/urls` with these options. Default: not served. */
  phish?: PhishRoutesOptions;
  /**
   * Serve the built web console (`dist/web`) at `/`, without a token: the page asks its user for the
   * API token and sends it on every API call. Default: not served.
   */
  consoleDir?: string;
  /** Reviewer time for case actions. Default: the system clock. */
  now?: () => Date;
}

/** Path of each decision endpoint → the event type its body must have (contract §2). */
const DECISION_ROUTES = {
  '/v1/decisions/login': 'login',
  '/v1/decisions/order': 'order',
  '/v1/decisions/account-change': 'account_change',
  '/v1/decisions/cash': 'cash',
} as const;

const UNAUTHENTICATED = new Set(['/healthz']);
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Between long batches, let waiting decision requests run. */
const BATCH_YIELD_EVERY = 256;

declare module 'fastify' {
  interface FastifyInstance {
    kabuguard: { service: DecisionService; metrics: ServiceMetrics };
  }
}

/**
 * The kabuguard HTTP service (contract §2 decisions, batch ingestion, alert and notification
 * queries, health and metrics), ready for `app.listen` or `app.inject`. State is restored from the
 * store before this resolves; `app.close()` finishes in-flight requests, snapshots and closes the store.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const metrics = createMetrics({ processMetrics: opts.processMetrics });
  const isAuthorized = checkBearer(opts.token);
  const maxInFlight = opts.maxInFlight ?? 1024;

  const app = Fastify({
    ...(opts.logger
      ? { loggerInstance: opts.logger }
      : { logger: { level: opts.logLevel ?? 'info', redact: ['req.headers.authorization'] } }),
    // One line per request at 10k requests/s is noise; errors and lifecycle are logged explicitly.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    http: { maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024 } as never,
    // Requests arriving while closing get our 503 from the onRequest hook, in the one error format.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  const service = new DecisionService({
    store: opts.store,
    metrics,
    log: app.log,
    createEngine: opts.createEngine,
    snapshotEveryEvents: opts.snapshotEveryEvents,
    snapshotIntervalMs: opts.snapshotIntervalMs,
    maxPendingEvents: opts.maxPendingEvents,
  });
  app.decorate('kabuguard', { service, metrics });

  let closing = false;
  let inFlight = 0;

  // Every route registered (plugins included), so a known path with the wrong method is a 405, not a 404.
  const routeTable: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (r) => {
    const pattern = new RegExp('^' + r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+') + '$');
    for (const method of [r.method].flat()) routeTable.push({ method, pattern });
  });
  app.setErrorHandler((err, req, reply) => sendError(reply, err, req));
  app.setNotFoundHandler((req) => {
    const path = req.url.split('?')[0]!;
    const allow = [...new Set(routeTable.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allow.length > 0) {
      throw new ServiceError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${allow.join(' or ')}`, { allow });
    }
    throw new ServiceError('NOT_FOUND', `no endpoint ${req.method} ${path.slice(0, 200)}`);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) throw new ServiceError('SERVICE_UNAVAILABLE', 'the service is shutting down; retry shortly', { retryAfterS: 1 });
    const path = req.url.split('?')[0]!;
    if (!UNAUTHENTICATED.has(path) && !(opts.consoleDir && isConsoleAssetPath(path))) {
      const auth = req.headers.authorization;
      if (!isAuthorized(auth)) {
        reply.header('www-authenticate', 'Bearer realm="kabuguard"');
        const why =
          auth === undefined
            ? 'missing Authorization header; send `Authorization: Bearer <token>` (the token is in the file printed at first start, or --token-file)'
            : auth.length > MAX_AUTHORIZATION_CHARS
              ? 'Authorization header too long'
              : 'invalid bearer token';
        throw new ServiceError('UNAUTHORIZED', why);
      }
    }
    if (inFlight >= maxInFlight) {
      metrics.overloadTotal.inc({ reason: 'in_flight' });
      throw new ServiceError('TOO_MANY_REQUESTS', `more than ${maxInFlight} requests in flight; retry shortly`, { retryAfterS: 1 });
    }
    inFlight++;
    metrics.inFlightRequests.set(inFlight);
    // 'close' fires once the answer is out and also when the client went away first ('finish' would not).
    reply.raw.once('close', () => {
      inFlight--;
      metrics.inFlightRequests.set(inFlight);
    });
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequestSeconds.observe(
      { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const maxEventLoopDelay = opts.maxEventLoopDelayMs ?? 1000;
  if (maxEventLoopDelay > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay,
      pressureHandler: (req, reply, type, value) => {
        metrics.overloadTotal.inc({ reason: type });
        sendError(
          reply,
          new ServiceError('SERVICE_UNAVAILABLE', `server under pressure (${type} ${Math.round(value ?? 0)}); retry shortly`, { retryAfterS: 1 }),
          req,
        );
      },
    });
  }

  for (const [path, type] of Object.entries(DECISION_ROUTES)) {
    app.post(path, async (req, reply) => {
      const body = req.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        metrics.rejectsTotal.inc({ route: path });
        throw new ServiceError('BAD_REQUEST', 'request body must be one JSON object: the event to decide');
      }
      const given = (body as { type?: unknown }).type;
      if (given !== type) {
        metrics.rejectsTotal.inc({ route: path });
        const got = typeof given === 'string' ? `"${given.slice(0, 40)}"` : given === undefined ? 'nothing' : typeof given;
        throw new ServiceError('BAD_REQUEST', `field \`type\`: must be "${type}" on ${path}, got ${got}`, { field: 'type' });
      }
      const v = validateEvent(body);
      if (!v.ok) {
        metrics.rejectsTotal.inc({ route: path });
        throw new ServiceError('BAD_REQUEST', v.reason, { field: fieldOfReason(v.reason) });
      }
      const admitted = await service.admit(v.event, v.t);
      const rec = await admitted.committed;
      if (!rec) {
        throw new ServiceError('CONFLICT', `event id "${v.event.id}" was already recorded for an event that takes no decision; send this event with a new id`, {
          field: 'id',
        });
      }
      // Stripe's convention: a repeated idempotency key replays the first answer and says so.
      if (admitted.duplicate) reply.header('idempotent-replayed', 'true');
      return presentDecision(rec);
    });
  }

  await app.register(async (scope) => {
    // NDJSON only on this route: decision endpoints take exactly one JSON object.
    scope.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post('/v1/events', async (req) => {
      let accepted = 0;
      let rejected = 0;
      let duplicate = 0;
      const errors: { line: number; reason: string }[] = [];
      const commits: Promise<unknown>[] = [];
      let n = 0;
      try {
        for (const l of parseBatchBody(req.body)) {
          if (++n % BATCH_YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
          if (service.backlogged && commits.length > 0) await Promise.allSettled([commits[commits.length - 1]]);
          const v = 'reason' in l ? l : validateEvent(l.value);
          if ('reason' in v) {
            rejected++;
            errors.push({ line: l.line, reason: v.reason });
            continue;
          }
          const a = await service.admit(v.event, v.t);
          if (a.duplicate) duplicate++;
          else accepted++;
          commits.push(a.committed);
        }
      } catch (err) {
        // Lines already admitted are committed before answering, so a resent batch finds them as duplicates.
        await Promise.allSettled(commits);
        if (err instanceof ServiceError && err.code !== 'BAD_REQUEST') {
          throw new ServiceError(err.code, `${err.message} (after ${accepted + duplicate} events of this batch; resend it: recorded ids are not counted twice)`, {
            retryAfterS: err.retryAfterS,
          });
        }
        throw err;
      }
      if (rejected) metrics.rejectsTotal.inc({ route: '/v1/events' }, rejected);
      await Promise.all(commits);
      return { accepted, rejected, duplicate, errors };
    });
  });

  // Under the same hooks as everything else: bearer auth, in-flight cap, the one error format.
  if (opts.passwords) await app.register(passwordRoutes, { checker: opts.passwords });
  if (opts.phish) await app.register(phishRoutes, opts.phish);
  await app.register(consoleQueryRoutes, { store: opts.store, service });
  await app.register(caseRoutes, { store: opts.store, service, now: opts.now });
  if (opts.consoleDir) await app.register(consoleAssetRoutes, { dir: opts.consoleDir });

  app.get('/v1/alerts', async (req) => {
    const q = parseQuery(alertQuerySchema, req.query);
    return await storeQuery(() => opts.store.listAlerts(q as AlertQuery));
  });

  app.get('/v1/notifications', async (req) => {
    const q = parseQuery(notificationQuerySchema, req.query);
    return await storeQuery(() => opts.store.listNotifications(q));
  });

  app.get('/v1/decisions/:id', async (req) => {
    const { id } = req.params as { id: string };
    const rec = await storeQuery(() => opts.store.getDecision(id));
    if (!rec) throw new ServiceError('NOT_FOUND', `no decision ${id.slice(0, 220)}`);
    return rec;
  });

  app.get('/healthz', async (_req, reply) => {
    const status = service.status === 'ready' ? 'ok' : service.status;
    if (status !== 'ok') reply.code(503);
    return { status, seq: service.seq };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return await metrics.registry.metrics();
  });

  app.addHook('preClose', async () => {
    closing = true;
    // Node closes only the connections idle at this instant; the busy ones are told to close below.
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    // While closing, every answer ends its keep-alive connection, so server.close() can complete
    // instead of waiting for clients that keep their sockets open.
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', async () => {
    // Fastify stopped taking connections; admitted events still get committed, then the snapshot.
    await service.close();
  });

  try {
    const started = await service.start();
    app.log.info(started, 'state restored from the store');
  } catch (err) {
    // Release the store and under-pressure's timers: a caller that gets no app cannot close it.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/** The contract §2 answer (plus the per-rule record), without the replay-only fields. */
export function presentDecision(rec: DecisionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { decision_id: rec.decision_id, decision: rec.decision };
  if (rec.required_auth !== undefined) out.required_auth = rec.required_auth;
  out.score = rec.score;
  out.reasons = rec.reasons;
  out.latency_us = rec.latency_us;
  out.rules = rec.rules;
  return out;
}

function sendError(reply: FastifyReply, err: unknown, req: FastifyRequest): FastifyReply {
  const p = presentError(err, req.id);
  if (p.status >= 500) req.log.error({ err, code: p.body.error.code }, 'request failed');
  else req.log.debug({ code: p.body.error.code, message: p.body.error.message }, 'request refused');
  return reply.code(p.status).headers(p.headers).type('application/json; charset=utf-8').send(p.body);
}
