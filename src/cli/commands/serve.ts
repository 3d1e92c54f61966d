import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { parseNumber } from '../parseNumber.js';
import { addDetectorFlags, detectorOptionsFromFlags, type DetectorFlags } from '../detectorFlags.js';
import type { ResolvedToken } from '../../server/resolveToken.js';
import type { ServiceStore } from '../../store/types.js';

interface ServeFlags extends DetectorFlags {
  host: string;
  port: string;
  db: string;
  tokenFile?: string;
  bodyLimit: string;
  maxInFlight: string;
  snapshotEvery: string;
  logLevel: string;
  passwordList?: string[];
  console: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** The built web console: `dist/web`, beside `dist/src` where this file runs from. */
const CONSOLE_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

/** Longest a graceful shutdown may take before the process gives up waiting and exits. */
const SHUTDOWN_DEADLINE_MS = 30_000;

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('run the decision API (contract §2), batch ingestion, alert queries, password and phishing checks over HTTP')
    .option('--host <addr>', 'address to listen on (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--db <file|url>', 'store for events, decisions, alerts and snapshots: a SQLite file (created if missing) or a postgres:// URL', 'kabuguard.db')
    .option('--token-file <file>', 'file holding the bearer token clients must send (default: $KABUGUARD_TOKEN, else a token generated at first start into <db>.token, or ./kabuguard.token for PostgreSQL)')
    .option('--body-limit <bytes>', 'largest request body', String(1024 * 1024))
    .option('--max-in-flight <n>', 'requests served at once before answering 429', '1024')
    .option('--snapshot-every <events>', 'snapshot engine state after this many events (a restart replays about this many)', '50000')
    .option('--log-level <level>', 'pino log level: fatal, error, warn, info, debug, silent', 'info')
    .option('--password-list <file>', 'extra breached/common passwords for /v1/passwords, one per line (repeatable)', collect)
    .option('--no-console', 'do not serve the web console at /');
  addDetectorFlags(cmd)
    .addHelpText(
      'after',
      `
Examples:
  kabuguard serve                                   127.0.0.1:8080, state in ./kabuguard.db, token generated into ./kabuguard.db.token;
                                                    open http://127.0.0.1:8080/ for the console and paste the token
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
      const postgres = isPostgresUrl(o.db);
      const dir = dirname(o.db);
      if (!postgres && (!existsSync(dir) || !statSync(dir).isDirectory())) throw new CliError(`option --db: directory ${dir} does not exist`);
      if (o.tokenFile && !existsSync(o.tokenFile)) throw new CliError(`option --token-file: file not found: ${o.tokenFile}`);
      // The same detector configuration as replay, so the service decides exactly as replay does.
      const detectorOptions = detectorOptionsFromFlags(o);

      // Loaded here, not at the top: every other command would otherwise pay for fastify and the stores at start.
      const [{ resolveToken }, { openServiceStore }, { buildServer }, { Engine }, { createDetectors }, { PasswordChecker, loadPasswordLists }, { KitMemory }] =
        await Promise.all([
          import('../../server/resolveToken.js'),
          import('../../store/openServiceStore.js'),
          import('../../server/buildServer.js'),
          import('../../engine/Engine.js'),
          import('../../detect/index.js'),
          import('../../passwords/index.js'),
          import('../../phishing/KitMemory.js'),
        ]);
      let token: ResolvedToken;
      try {
        token = resolveToken({ tokenFile: o.tokenFile, envToken: process.env.KABUGUARD_TOKEN, generatedPath: postgres ? 'kabuguard.token' : `${o.db}.token` });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      let passwords;
      try {
        passwords = new PasswordChecker(await loadPasswordLists(o.passwordList ?? []));
      } catch (err) {
        throw new CliError(`option --password-list: ${(err as Error).message}`);
      }
      // The same learned kits serve the phishing_url detector and POST /v1/phish/urls.
      const kits = detectorOptions.phishing?.url?.memory;
      const memory = kits ? new KitMemory(kits) : undefined;

      let store: ServiceStore;
      try {
        store = await openServiceStore(o.db);
      } catch (err) {
        throw new CliError(`option --db: cannot open ${o.db}: ${(err as Error).message}`, 1);
      }
      const consoleBuilt = o.console && existsSync(join(CONSOLE_DIR, 'index.html'));
      const app = await buildServer({
        store,
        token: token.token,
        createEngine: () => new Engine({ detectors: createDetectors(detectorOptions) }),
        bodyLimit,
        maxInFlight,
        snapshotEveryEvents: snapshotEvery,
        logLevel: o.logLevel,
        passwords,
        phish: { memory },
        consoleDir: consoleBuilt ? CONSOLE_DIR : undefined,
      });
      if (token.warning) app.log.warn(token.warning);
      if (o.console && !consoleBuilt) app.log.warn({ dir: CONSOLE_DIR }, 'the web console is not built (run `npm run build`); serving the API only');

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
      if (consoleBuilt) process.stderr.write(`kabuguard: web console at ${address}/ (it asks for the API token)\n`);
      if (token.source === 'generated') {
        process.stderr.write(`kabuguard: generated API token (saved with mode 0600 in ${token.path}; shown only this once):\n${token.token}\n`);
      }
    });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
