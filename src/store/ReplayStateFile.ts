import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import type { InputFingerprint } from './fingerprintInput.js';

/** Another live replay is writing through this state file (and so to the same outputs). */
export class StateInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `another kabuguard replay (pid ${pid}) is using the checkpoint ${path} and writing the same outputs; ` +
        'wait for it to finish, or give this run other --alerts/--decisions files or its own --state',
    );
    this.name = 'StateInUseError';
  }
}

/** Byte sizes of the output files that belong to the input read so far (undefined: file not opened). */
export interface OutputPositions {
  alerts?: number;
  decisions?: number;
  rejects?: number;
  notifications?: number;
}

/** Where a replay stands: enough to continue it after a crash as if it had never stopped. */
export interface ReplayCheckpoint {
  /** 1-based number of the next input line to read. */
  nextLine: number;
  /** Byte offset of that line. */
  nextOffset: number;
  /** `Pipeline.snapshot()` serialized with `v8.serialize`. */
  pipeline: Buffer;
  outputs: OutputPositions;
}

export interface ReplayState {
  status: 'running' | 'complete';
  input: InputFingerprint;
  /** Everything else that changes the results (options, output paths, kabuguard version), as JSON. */
  config: string;
  /** Absent once complete: the snapshot is dropped then. */
  checkpoint?: ReplayCheckpoint;
  /** How many checkpoints this run has saved. */
  saves: number;
}

const MIGRATIONS: string[] = [
  `CREATE TABLE replay_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     status TEXT NOT NULL CHECK (status IN ('running', 'complete')),
     input_json TEXT NOT NULL,
     config_json TEXT NOT NULL,
     next_line INTEGER,
     next_offset INTEGER,
     pipeline BLOB,
     outputs_json TEXT,
     saves INTEGER NOT NULL DEFAULT 0,
     started_at TEXT NOT NULL,
     saved_at TEXT NOT NULL
   );`,
  // The process writing through the file, so that a second replay on the same outputs is refused.
  `ALTER TABLE replay_state ADD COLUMN owner_pid INTEGER;
   ALTER TABLE replay_state ADD COLUMN owner_host TEXT;`,
];

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

interface Row {
  status: 'running' | 'complete';
  input_json: string;
  config_json: string;
  next_line: number | null;
  next_offset: number | null;
  pipeline: Buffer | null;
  outputs_json: string | null;
  saves: number;
}

/**
 * The checkpoint of a resumable `kabuguard replay`, kept in a small SQLite file. One row: each save
 * replaces it in one transaction, so after a SIGKILL the file holds either the previous checkpoint or
 * the new one, never a mix.
 */
export class ReplayStateFile {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = new Database(path);
    // WAL: a monitor (or a test) may read the progress while the replay writes it.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A reader holding a snapshot for a moment must delay a save or the final VACUUM, not fail it.
    this.db.pragma('busy_timeout = 10000');
    this.db.transaction(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new Error(`${path}: replay state version ${version} is newer than this kabuguard understands; delete the file or pass --fresh`);
      }
      for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
      if (version < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
  }

  read(): ReplayState | undefined {
    const r = this.db.prepare<[], Row>('SELECT * FROM replay_state WHERE id = 1').get();
    if (!r) return undefined;
    const st: ReplayState = { status: r.status, input: JSON.parse(r.input_json), config: r.config_json, saves: r.saves };
    if (r.status === 'running' && r.pipeline && r.next_line !== null && r.next_offset !== null && r.outputs_json) {
      st.checkpoint = { nextLine: r.next_line, nextOffset: r.next_offset, pipeline: r.pipeline, outputs: JSON.parse(r.outputs_json) };
    }
    return st;
  }

  /**
   * Take the file for this process. Throws `StateInUseError` while another live process on this host
   * runs through it; a process that died (SIGKILL, crash) leaves nothing that blocks the next run.
   */
  claim(): void {
    this.db.transaction(() => {
      const r = this.db.prepare<[], { status: string; owner_pid: number | null; owner_host: string | null }>(
        'SELECT status, owner_pid, owner_host FROM replay_state WHERE id = 1',
      ).get();
      if (!r) return;
      const pid = r.owner_pid;
      if (r.status === 'running' && pid !== null && pid !== process.pid && r.owner_host === hostname() && isAlive(pid)) {
        throw new StateInUseError(this.path, pid);
      }
      this.db.prepare('UPDATE replay_state SET owner_pid = ?, owner_host = ? WHERE id = 1').run(process.pid, hostname());
    }).immediate();
  }

  /** Start a new run over `input`, forgetting any earlier one, with its first checkpoint. */
  begin(input: InputFingerprint, config: string, cp: ReplayCheckpoint): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO replay_state
           (id, status, input_json, config_json, next_line, next_offset, pipeline, outputs_json, saves, started_at, saved_at, owner_pid, owner_host)
         VALUES (1, 'running', ?, ?, ?, ?, ?, ?, 1, ${NOW}, ${NOW}, ?, ?)`,
      )
      .run(JSON.stringify(input), config, cp.nextLine, cp.nextOffset, cp.pipeline, JSON.stringify(cp.outputs), process.pid, hostname());
  }

  save(cp: ReplayCheckpoint): void {
    const r = this.db
      .prepare(
        `UPDATE replay_state SET next_line = ?, next_offset = ?, pipeline = ?, outputs_json = ?, saves = saves + 1, saved_at = ${NOW}
         WHERE id = 1 AND status = 'running'`,
      )
      .run(cp.nextLine, cp.nextOffset, cp.pipeline, JSON.stringify(cp.outputs));
    if (r.changes !== 1) throw new Error(`${this.path}: no running replay to checkpoint (was the state file replaced during the run?)`);
  }

  /** The run finished: a later replay of the same input starts afresh. The snapshot is dropped to free space. */
  complete(): void {
    this.db.prepare(`UPDATE replay_state SET status = 'complete', pipeline = NULL, saved_at = ${NOW} WHERE id = 1`).run();
    this.db.exec('VACUUM');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
