/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one's heap and JIT state
 * do not colour the next). Each prints a markdown table with its baseline measured in the same run
 * and writes JSON to bench/results/. Pass names to run only some: `npm run bench -- replay market`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['replay', 'market', 'loginDecisions', 'tradeDecisions', 'httpDecisions', 'phishUrls'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
/** Benchmarks that measure on user-supplied data (never shipped with the project): their arguments. */
const DATA_ARGS: Record<string, { env: string; args: (v: string) => string[] }> = {
  phishUrls: { env: 'KABUGUARD_BENCH_URLS', args: (v) => ['--urls', v] },
};

let failed = 0;
for (const name of wanted) {
  const file = join(here, `${name}.js`);
  if (!existsSync(file)) {
    console.error(`bench: ${name}: no such benchmark (known: ${ALL.join(', ')})`);
    failed++;
    continue;
  }
  const data = DATA_ARGS[name];
  const dataValue = data ? process.env[data.env] : undefined;
  if (data && !dataValue) {
    console.error(`bench: ${name} skipped: it measures on a URL list you supply; set ${data.env}=FILE (one URL per line, a rank,domain CSV or a JPCERT/CC CSV)`);
    continue;
  }
  console.error(`bench: ${name} …`);
  const r = spawnSync(process.execPath, [file, ...(data && dataValue ? data.args(dataValue) : [])], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: ${name} failed with exit code ${r.status}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
