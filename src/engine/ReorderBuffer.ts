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
  /** Out-of-order arrivals, a min-heap. */
  private heap: Timed<T>[] = [];
  /**
   * In-order arrivals, already sorted: a plain queue. Most input is in order, so most events never
   * touch the heap.
   */
  private queue: Timed<T>[] = [];
  private qHead = 0;
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
    return this.heap.length + this.queue.length - this.qHead;
  }

  /** Add an item; returns the items now due, in order. */
  push(t: number, item: T, out: Timed<T>[] = []): Timed<T>[] {
    const entry = { t, seq: this.seq++, item };
    if (t < this.watermark) {
      this.late++;
      out.push(entry);
      return out;
    }
    if (t < this.maxSeen) {
      this.reordered++;
      this.heapPush(entry);
    } else {
      this.maxSeen = t;
      this.queue.push(entry);
    }
    const due = this.maxSeen - this.windowMs;
    for (;;) {
      const next = this.peek();
      if (!next || (next.t > due && this.size <= this.maxItems)) break;
      out.push(this.take());
    }
    return out;
  }

  private peek(): Timed<T> | undefined {
    const q = this.qHead < this.queue.length ? this.queue[this.qHead] : undefined;
    const h = this.heap.length > 0 ? this.heap[0] : undefined;
    if (!q) return h;
    if (!h) return q;
    return this.less(h, q) ? h : q;
  }

  private take(): Timed<T> {
    const q = this.qHead < this.queue.length ? this.queue[this.qHead] : undefined;
    let e: Timed<T>;
    if (q && (this.heap.length === 0 || !this.less(this.heap[0], q))) {
      e = q;
      this.qHead++;
      // Compact now and then so the queue does not grow without bound.
      if (this.qHead > 4096 && this.qHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.qHead);
        this.qHead = 0;
      }
    } else e = this.heapPop();
    if (e.t > this.watermark) this.watermark = e.t;
    return e;
  }

  /** Release everything (end of input). */
  drain(out: Timed<T>[] = []): Timed<T>[] {
    while (this.size > 0) out.push(this.take());
    return out;
  }

  snapshot(): unknown {
    return { heap: this.heap, queue: this.queue.slice(this.qHead), qHead: 0, seq: this.seq, maxSeen: this.maxSeen, watermark: this.watermark, reordered: this.reordered, late: this.late };
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
