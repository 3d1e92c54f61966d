import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

/** Identifies one version of an input file, so a checkpoint is only resumed on the file it was taken on. */
export interface InputFingerprint {
  path: string;
  size: number;
  mtime_ms: number;
  /** SHA-256 of the first MiB: catches a file replaced by another of the same size and time. */
  head_sha256: string;
}

const HEAD_BYTES = 1 << 20;

/** Fingerprint a regular file (not stdin: a stream cannot be re-read, so it cannot be resumed). */
export function fingerprintInput(path: string): InputFingerprint {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return {
      path: resolve(path),
      size: st.size,
      mtime_ms: st.mtimeMs,
      head_sha256: createHash('sha256').update(buf.subarray(0, got)).digest('hex'),
    };
  } finally {
    closeSync(fd);
  }
}

export function sameInput(a: InputFingerprint, b: InputFingerprint): boolean {
  return a.path === b.path && a.size === b.size && a.mtime_ms === b.mtime_ms && a.head_sha256 === b.head_sha256;
}
