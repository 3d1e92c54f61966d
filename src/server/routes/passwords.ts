import type { FastifyInstance } from 'fastify';
import type { PasswordChecker } from '../../passwords/PasswordChecker.js';
import { ServiceError } from '../ServiceError.js';

export interface PasswordRoutesOptions {
  checker: PasswordChecker;
}

// Long enough for any passphrase, short enough that hashing it costs nothing.
const MAX_PASSWORD_CHARS = 1024;

/**
 * `POST /v1/passwords/check` (body `{"password": "…"}` → `{acceptable, breached, lists, reasons}`)
 * and `GET /v1/passwords/range/:prefix` (Have I Been Pwned range format: text lines
 * `SUFFIX:COUNT`). Register under the service's authenticated scope; passwords are never logged.
 */
export async function passwordRoutes(app: FastifyInstance, opts: PasswordRoutesOptions): Promise<void> {
  const { checker } = opts;

  app.post('/v1/passwords/check', async (req) => {
    const body = req.body as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ServiceError('BAD_REQUEST', 'body must be a JSON object {"password": "..."}', { field: 'password' });
    }
    const pw = (body as { password?: unknown }).password;
    if (typeof pw !== 'string') throw new ServiceError('BAD_REQUEST', 'field `password`: must be a string', { field: 'password' });
    if (pw.length === 0 || pw.length > MAX_PASSWORD_CHARS) {
      throw new ServiceError('BAD_REQUEST', `field \`password\`: must be 1 to ${MAX_PASSWORD_CHARS} characters`, { field: 'password' });
    }
    return checker.check(pw);
  });

  app.get('/v1/passwords/range/:prefix', async (req, reply) => {
    const { prefix } = req.params as { prefix: string };
    if (!/^[0-9a-fA-F]{5}$/.test(prefix)) {
      throw new ServiceError('BAD_REQUEST', 'path `prefix`: must be the first 5 hex digits of the SHA-1 of the password', { field: 'prefix' });
    }
    return reply.type('text/plain; charset=utf-8').send(checker.range(prefix));
  });
}
