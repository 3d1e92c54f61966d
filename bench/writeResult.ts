import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Print a benchmark's rows as a markdown table and keep them as JSON in bench/results/ (not
 * committed), stamped with the machine, so a figure is never quoted without where it came from.
 */
export function writeResult(name: string, result: { rows: Record<string, unknown>[]; [k: string]: unknown }): void {
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${name}.json`, JSON.stringify({ name, at: new Date().toISOString(), machine, ...result }, null, 2));
  const cols = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
  const lines = [`### ${name}`, '', `| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`];
  for (const r of result.rows) lines.push(`| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`);
  lines.push('', `node ${machine.node}, ${machine.cores} × ${machine.cpu}`, '');
  console.log(lines.join('\n'));
}
