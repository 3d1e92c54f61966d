import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/**
 * Append-only NDJSON file writer with an exact byte position, so a checkpoint can record how much
 * output belongs to the processed input and a resumed run can cut the file back to that point.
 * Writes are buffered and flushed synchronously: after `flush()` returns, a SIGKILL loses nothing.
 */
export class NdjsonWriter {
  private fd: number;
  private chunks: string[] = [];
  private bufferedBytes = 0;
  private written: number;
  readonly path: string;

  /** Open `path` for writing (`-` is stdout). `resumeAt` truncates an existing file to that size. */
  constructor(path: string, resumeAt?: number) {
    this.path = path;
    if (path === '-') {
      this.fd = 1;
      this.written = 0;
    } else if (resumeAt !== undefined) {
      this.fd = openSync(path, 'a+');
      ftruncateSync(this.fd, resumeAt);
      this.written = fstatSync(this.fd).size;
    } else {
      this.fd = openSync(path, 'w');
      this.written = 0;
    }
  }

  write(obj: unknown): void {
    const line = JSON.stringify(obj) + '\n';
    this.chunks.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes > 1 << 20) this.flush();
  }

  /** Bytes on disk after the last flush plus what is buffered (buffer counted in UTF-8 on flush). */
  get position(): number {
    this.flush();
    return this.written;
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const data = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.bufferedBytes = 0;
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    this.written += data.length;
  }

  close(): void {
    this.flush();
    if (this.fd !== 1) closeSync(this.fd);
  }
}
