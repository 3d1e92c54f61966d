import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface LineBatch {
  /** Line texts without the trailing newline (a final line without newline is included). */
  lines: string[];
  /** 1-based number of `lines[0]` in the source. */
  firstLine: number;
  /** Byte offset just past the last line of this batch (where a resumed read starts). */
  endOffset: number;
}

export interface ReadNdjsonOptions {
  /** Byte offset to start at (resume); must be the start of a line. Default 0. */
  startOffset?: number;
  /** Line number of the line at `startOffset`, 1-based. Default 1. */
  startLine?: number;
  /** Lines per batch; batches amortise the async overhead over many lines. Default 4096. */
  batchSize?: number;
  /** Called with the number of bytes consumed so far (for progress bars). */
  onBytes?: (bytes: number) => void;
}

/**
 * Stream NDJSON lines from a file path or `-` (stdin) in batches, with line numbers and byte offsets,
 * in constant memory whatever the file size. Splitting on raw bytes (not a string decoder) keeps
 * offsets exact for multi-byte UTF-8 text so a resumed read starts precisely where it stopped.
 */
export async function* readNdjsonLines(source: string | Readable, opts: ReadNdjsonOptions = {}): AsyncGenerator<LineBatch> {
  const startOffset = opts.startOffset ?? 0;
  const batchSize = opts.batchSize ?? 4096;
  const stream: Readable =
    typeof source === 'string'
      ? source === '-'
        ? process.stdin
        : createReadStream(source, { start: startOffset, highWaterMark: 1 << 20 })
      : source;
  let offset = typeof source === 'string' && source !== '-' ? startOffset : 0;
  let lineNo = opts.startLine ?? 1;
  let pending: Buffer | null = null;
  let lines: string[] = [];
  let firstLine = lineNo;

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && buf[end - 1] === 13) end--; // tolerate CRLF
      lines.push(buf.toString('utf8', start, end));
      lineNo++;
      offset += nl + 1 - start;
      start = nl + 1;
      if (lines.length >= batchSize) {
        yield { lines, firstLine, endOffset: offset };
        lines = [];
        firstLine = lineNo;
      }
    }
    if (start < buf.length) pending = buf.subarray(start);
    opts.onBytes?.(offset + (pending?.length ?? 0));
  }
  if (pending && pending.length > 0) {
    lines.push(pending.toString('utf8'));
    offset += pending.length;
  }
  if (lines.length > 0) yield { lines, firstLine, endOffset: offset };
}
