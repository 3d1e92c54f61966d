import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintInput, sameInput } from './fingerprintInput.js';
import { ReplayStateFile, StateInUseError, type ReplayCheckpoint } from './ReplayStateFile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-replay-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cp = (line: number): ReplayCheckpoint => ({
  nextLine: line,
  nextOffset: line * 100,
  pipeline: Buffer.from(`state at ${line}`),
  outputs: { alerts: line * 10, decisions: line * 20 },
});

describe('ReplayStateFile', () => {
  it('keeps the last saved checkpoint across reopening', () => {
    const path = join(dir, 'r.kgstate');
    const input = { path: '/x/events.ndjson', size: 5, mtime_ms: 1, head_sha256: 'ab' };
    const a = new ReplayStateFile(path);
    expect(a.read()).toBeUndefined();
    a.begin(input, '{"w":1}', cp(1));
    a.save(cp(500));
    a.close();
    const b = new ReplayStateFile(path);
    const st = b.read()!;
    expect(st.status).toBe('running');
    expect(st.input).toEqual(input);
    expect(st.config).toBe('{"w":1}');
    expect(st.saves).toBe(2);
    expect(st.checkpoint).toEqual({ ...cp(500), pipeline: Buffer.from('state at 500') });
    b.close();
  });

  it('drops the checkpoint once complete, and a new run replaces the old one', () => {
    const s = new ReplayStateFile(join(dir, 'r.kgstate'));
    const input = { path: '/x', size: 1, mtime_ms: 1, head_sha256: 'a' };
    s.begin(input, '{}', cp(1));
    s.complete();
    expect(s.read()).toMatchObject({ status: 'complete' });
    expect(s.read()!.checkpoint).toBeUndefined();
    expect(() => s.save(cp(2))).toThrow(/no running replay/);
    s.begin({ ...input, size: 2 }, '{}', cp(1));
    expect(s.read()).toMatchObject({ status: 'running', saves: 1, input: { size: 2 } });
    s.close();
  });

  it('refuses a second live process on the same file, not one left behind by a killed process', () => {
    const path = join(dir, 'r.kgstate');
    const s = new ReplayStateFile(path);
    s.begin({ path: '/x', size: 1, mtime_ms: 1, head_sha256: 'a' }, '{}', cp(1));
    s.claim(); // our own run: fine
    const db = new Database(path);
    const setOwner = (pid: number) => db.prepare('UPDATE replay_state SET owner_pid = ?').run(pid);
    setOwner(process.ppid); // alive and not us
    expect(() => s.claim()).toThrow(StateInUseError);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    setOwner(dead);
    expect(() => s.claim()).not.toThrow();
    expect(db.prepare('SELECT owner_pid FROM replay_state').pluck().get()).toBe(process.pid);
    db.close();
    s.close();
  });

  it('refuses a state file from a newer kabuguard', () => {
    const path = join(dir, 'r.kgstate');
    new ReplayStateFile(path).close();
    const db = new Database(path);
    db.pragma('user_version = 7');
    db.close();
    expect(() => new ReplayStateFile(path)).toThrow(/newer than this kabuguard understands; delete the file or pass --fresh/);
  });
});

describe('fingerprintInput', () => {
  it('tells a file from the same file changed in size, time or content', () => {
    const path = join(dir, 'e.ndjson');
    writeFileSync(path, '{"a":1}\n');
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const f = fingerprintInput(path);
    expect(sameInput(f, fingerprintInput(path))).toBe(true);
    writeFileSync(path, '{"a":2}\n'); // same size, new content
    utimesSync(path, 1_700_000_000, 1_700_000_000); // and the same time
    expect(sameInput(f, fingerprintInput(path))).toBe(false);
    writeFileSync(path, '{"a":1}\n{"b":2}\n'); // appended
    expect(sameInput(f, fingerprintInput(path))).toBe(false);
  });
});
