/**
 * Bounded reorder window (contract §1): events are released in event-time order once the newest
 * event seen is `windowMs` ahead of them. An event older than what was already released is "late":
 * it is released at once (never dropped) and counted.
 */
export interface Timed<T> {
  t: number;
  seq: number;
  item: T;
}

export class ReorderBuffer<T> {
  private heap: Timed<T>[] = [];
  private seq = 0;
  private maxSeen = -Infinity;
  /** Event time of the last released item. */
  watermark = -Infinity;
  reordered = 0;
  late = 0;

  constructor(
    private readonly windowMs: number,
    /** Upper bound on buffered items, so a clock jump cannot exhaust memory. */
    private readonly maxItems = 2_000_000,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Add an item; returns the items now due, in order. */
  push(t: number, item: T, out: Timed<T>[] = []): Timed<T>[] {
    const entry = { t, seq: this.seq++, item };
    if (t < this.watermark) {
      this.late++;
      out.push(entry);
      return out;
    }
    if (t < this.maxSeen) this.reordered++;
    else this.maxSeen = t;
    this.heapPush(entry);
    const due = this.maxSeen - this.windowMs;
    while (this.heap.length > 0 && (this.heap[0].t <= due || this.heap.length > this.maxItems)) {
      const e = this.heapPop();
      this.watermark = Math.max(this.watermark, e.t);
      out.push(e);
    }
    return out;
  }

  /** Release everything (end of input). */
  drain(out: Timed<T>[] = []): Timed<T>[] {
    while (this.heap.length > 0) {
      const e = this.heapPop();
      this.watermark = Math.max(this.watermark, e.t);
      out.push(e);
    }
    return out;
  }

  snapshot(): unknown {
    return { heap: this.heap, seq: this.seq, maxSeen: this.maxSeen, watermark: this.watermark, reordered: this.reordered, late: this.late };
  }

  restore(s: unknown): void {
    Object.assign(this, s as object);
  }

  private less(a: Timed<T>, b: Timed<T>): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private heapPush(e: Timed<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private heapPop(): Timed<T> {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
