import { PostgresStore } from './PostgresStore.js';
import { SqliteStore } from './SqliteStore.js';
import type { ServiceStore } from './types.js';

/**
 * Open the store a deployment names: a `postgres://` or `postgresql://` URL opens PostgreSQL (an
 * optional `kg_schema` query parameter picks the schema, default `kabuguard`); anything else is the
 * path of an embedded SQLite file, created when missing.
 */
export async function openServiceStore(target: string): Promise<ServiceStore> {
  if (/^postgres(ql)?:\/\//i.test(target)) {
    const url = new URL(target);
    const schema = url.searchParams.get('kg_schema') ?? undefined;
    // pg would pass an unknown parameter on to the server as a run-time setting, which fails.
    url.searchParams.delete('kg_schema');
    return PostgresStore.open({ connectionString: url.toString(), schema });
  }
  if (target.trim() === '') throw new RangeError('store: give a SQLite file path or a postgres:// URL');
  return new SqliteStore(target);
}
