import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readNdjsonLines } from './readNdjsonLines.js';

async function collect(source: Parameters<typeof readNdjsonLines>[0], opts = {}) {
  const out: { line: number; text: string }[] = [];
  let end = 0;
  for await (const b of readNdjsonLines(source, opts)) {
    b.lines.forEach((text, i) => out.push({ line: b.firstLine + i, text }));
    end = b.endOffset;
  }
  return { out, end };
}

describe('readNdjsonLines', () => {
  it('numbers lines, tolerates CRLF and a last line without newline, across chunk boundaries', async () => {
    const chunks = ['{"a":1}\r\n{"b"', ':2}\n\n{"c":"日本', '語"}'].map((s) => Buffer.from(s));
    const { out } = await collect(Readable.from(chunks), { batchSize: 2 });
    expect(out).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
      { line: 3, text: '' },
      { line: 4, text: '{"c":"日本語"}' },
    ]);
  });

  it('resumes exactly at a byte offset with multi-byte text before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-'));
    const file = join(dir, 'e.ndjson');
    writeFileSync(file, '{"n":"一"}\n{"n":"二"}\n{"n":"三"}\n');
    const first = await collect(file, { batchSize: 1 });
    const offsetAfterLine1 = Buffer.byteLength('{"n":"一"}\n');
    const resumed = await collect(file, { startOffset: offsetAfterLine1, startLine: 2 });
    expect(resumed.out).toEqual(first.out.slice(1));
    expect(resumed.end).toBe(first.end);
  });
});
