/** Small statistics used by the evaluator; inputs are plain score arrays. */

export function median(xs: number[]): number | undefined {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in 0..1); undefined for an empty list. */
export function quantile(xs: number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** ROC AUC as the Mann–Whitney probability that a positive outscores a negative (ties count half). */
export function rocAuc(pos: number[], neg: number[]): number {
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].p) rankSumPos += avgRank;
    i = j;
  }
  return (rankSumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Average precision (area under the precision–recall curve, step-wise), tied scores grouped. */
export function averagePrecision(pos: number[], neg: number[]): number {
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => b.s - a.s);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    let groupTp = 0;
    while (j < all.length && all[j].s === all[i].s) groupTp += all[j++].p;
    tp += groupTp;
    seen = j;
    ap += (groupTp / pos.length) * (tp / seen);
    i = j;
  }
  return ap;
}

/**
 * Share of positives scored strictly above the threshold at which at most `fpr` of the negatives
 * are (the "attack logins challenged when x % of customers are challenged" curve).
 */
export function tprAtFpr(pos: number[], neg: number[], fpr: number): number {
  const sortedNeg = [...neg].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * neg.length);
  // Threshold: the score of the first negative we are not allowed to challenge.
  const threshold = allowed < sortedNeg.length ? sortedNeg[allowed] : -Infinity;
  return pos.filter((s) => s > threshold).length / pos.length;
}
