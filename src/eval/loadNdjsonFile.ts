import { readNdjsonLines } from '../events/readNdjsonLines.js';

/** Read a whole NDJSON output file (alerts, decisions); a bad line is an error naming the file and line. */
export async function loadNdjsonFile<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of readNdjsonLines(path)) {
    let n = batch.firstLine;
    for (const line of batch.lines) {
      if (line.trim() !== '') {
        try {
          out.push(JSON.parse(line) as T);
        } catch (err) {
          throw new Error(`${path}, line ${n}: invalid JSON (${(err as Error).message})`);
        }
      }
      n++;
    }
  }
  return out;
}
