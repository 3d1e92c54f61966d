import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { parseNumber } from '../parseNumber.js';
import type { ResolvedToken } from '../../server/resolveToken.js';

interface ServeFlags {
  host: string;
  port: string;
  db: string;
  tokenFile?: string;
  bodyLimit: string;
  maxInFlight: string;
  snapshotEvery: string;
  logLevel: string;
}

/** Longest a graceful shutdown may take before the process gives up waiting and exits. */
const SHUTDOWN_DEADLINE_MS = 30_000;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the decision API (contract §2), batch ingestion and alert queries over HTTP, state kept in a SQLite file')
    .option('--host <addr>', 'address to listen on (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--db <file>', 'SQLite file for events, decisions, alerts and snapshots (created if missing)', 'kabuguard.db')
    .option('--token-file <file>', 'file holding the bearer token clients must send (default: $KABUGUARD_TOKEN, else a token generated at first start into <db>.token)')
    .option('--body-limit <bytes>', 'largest request body', String(1024 * 1024))
    .option('--max-in-flight <n>', 'requests served at once before answering 429', '1024')
    .option('--snapshot-every <events>', 'snapshot engine state after this many events (a restart replays about this many)', '50000')
    .option('--log-level <level>', 'pino log level: fatal, error, warn, info, debug, silent', 'info')
    .addHelpText(
      'after',
      `
Examples:
  kabuguard serve                                   127.0.0.1:8080, state in ./kabuguard.db, token generated into ./kabuguard.db.token
  KABUGUARD_TOKEN=$(cat /run/secrets/kg) kabuguard serve --host 0.0.0.0 --port 8080 --db /var/lib/kabuguard/kg.db
  curl -s -H "Authorization: Bearer $(cat kabuguard.db.token)" -H 'content-type: application/json' \\
       -d @login.json http://127.0.0.1:8080/v1/decisions/login

SIGTERM or SIGINT stops taking requests, finishes those in flight, snapshots the engine and closes the database.`,
    )
    .action(async (o: ServeFlags) => {
      const port = parseNumber('--port', o.port, { min: 0, max: 65535, integer: true });
      const bodyLimit = parseNumber('--body-limit', o.bodyLimit, { min: 1024, max: 1024 ** 3, integer: true });
      const maxInFlight = parseNumber('--max-in-flight', o.maxInFlight, { min: 1, max: 1_000_000, integer: true });
      const snapshotEvery = parseNumber('--snapshot-every', o.snapshotEvery, { min: 1, integer: true });
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(o.logLevel)) {
        throw new CliError(`option --log-level: "${o.logLevel}" is not one of fatal, error, warn, info, debug, trace, silent`);
      }
      const dir = dirname(o.db);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`option --db: directory ${dir} does not exist`);
      if (o.tokenFile && !existsSync(o.tokenFile)) throw new CliError(`option --token-file: file not found: ${o.tokenFile}`);

      // Loaded here, not at the top: every other command would otherwise pay for fastify and SQLite at start.
      const [{ resolveToken }, { SqliteStore }, { buildServer }] = await Promise.all([
        import('../../server/resolveToken.js'),
        import('../../store/SqliteStore.js'),
        import('../../server/buildServer.js'),
      ]);
      let token: ResolvedToken;
      try {
        token = resolveToken({ tokenFile: o.tokenFile, envToken: process.env.KABUGUARD_TOKEN, generatedPath: `${o.db}.token` });
      } catch (err) {
        throw new CliError((err as Error).message);
      }

      let store: InstanceType<typeof SqliteStore>;
      try {
        store = new SqliteStore(o.db);
      } catch (err) {
        throw new CliError(`option --db: cannot open ${o.db}: ${(err as Error).message}`, 1);
      }
      const app = await buildServer({ store, token: token.token, bodyLimit, maxInFlight, snapshotEveryEvents: snapshotEvery, logLevel: o.logLevel });
      if (token.warning) app.log.warn(token.warning);

      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        app.log.info({ signal }, 'shutting down: finishing in-flight requests, then snapshot');
        setTimeout(() => {
          app.log.error('graceful shutdown took too long; exiting (the store still holds every acknowledged event)');
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS).unref();
        app.close().then(
          () => process.exit(0),
          (err: unknown) => {
            app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));

      let address: string;
      try {
        address = await app.listen({ host: o.host, port });
      } catch (err) {
        await app.close();
        throw new CliError(`cannot listen on ${o.host}:${port}: ${(err as Error).message}`, 1);
      }
      if (!isLoopback(o.host)) {
        app.log.warn({ host: o.host }, 'listening beyond loopback over plain HTTP: put a TLS-terminating proxy in front, the bearer token travels in every request');
      }
      // Operator-facing lines on stderr; stdout carries the JSON logs.
      process.stderr.write(`kabuguard: listening on ${address} (db ${o.db})\n`);
      if (token.source === 'generated') {
        process.stderr.write(`kabuguard: generated API token (saved with mode 0600 in ${token.path}; shown only this once):\n${token.token}\n`);
      }
    });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
