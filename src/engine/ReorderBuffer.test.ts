import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from './ReorderBuffer.js';

/** A deterministic shuffle: each event displaced by up to `jitter` ms. */
function jittered(n: number, jitter: number): number[] {
  let x = 12345;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => i * 10 + Math.floor(rnd() * jitter));
}

describe('ReorderBuffer', () => {
  it('releases everything in event-time order when disorder stays within the window', () => {
    const b = new ReorderBuffer<number>(1_000);
    const out: number[] = [];
    for (const t of jittered(5_000, 800)) for (const e of b.push(t, t)) out.push(e.t);
    for (const e of b.drain()) out.push(e.t);
    expect(out).toHaveLength(5_000);
    expect(out).toEqual([...out].sort((a, c) => a - c));
    expect(b.late).toBe(0);
    expect(b.reordered).toBeGreaterThan(0);
  });

  it('keeps arrival order for equal timestamps', () => {
    const b = new ReorderBuffer<string>(10);
    b.push(5, 'a');
    b.push(5, 'b');
    b.push(3, 'c');
    expect(b.drain().map((e) => e.item)).toEqual(['c', 'a', 'b']);
  });

  it('bounds memory: beyond maxItems the oldest are released early', () => {
    const b = new ReorderBuffer<number>(1e12, 100);
    let released = 0;
    for (let t = 0; t < 1_000; t++) released += b.push(t, t).length;
    expect(b.size).toBe(100);
    expect(released).toBe(900);
  });
});
