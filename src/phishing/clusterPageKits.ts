/**
 * Group analysed pages into kits: two pages are one kit when their DOM skeleton hashes are within
 * `maxDistance` bits or they share an exact asset hash (the same script or logo file name). Single
 * linkage, so a chain of replicas that drifted step by step stays one kit.
 */
import { createHash } from 'node:crypto';
import { skeletonDistance } from './analyzePhishingPage.js';

export interface PageFingerprint {
  skeleton: string;
  assets: string[];
}

export interface ClusterPageKitsOptions {
  /** Largest skeleton-hash distance (bits of 64) for two pages to count as one kit. Default 8. */
  maxDistance?: number;
}

/** A kit id per page (`page-kit-…`, stable for the same member set), in input order. */
export function clusterPageKits(pages: PageFingerprint[], opts: ClusterPageKitsOptions = {}): string[] {
  const maxDistance = opts.maxDistance ?? 8;
  const parent = pages.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byAsset = new Map<string, number>();
  for (let i = 0; i < pages.length; i++) {
    for (const a of pages[i].assets) {
      const j = byAsset.get(a);
      if (j === undefined) byAsset.set(a, i);
      else union(i, j);
    }
    if (!pages[i].skeleton) continue;
    for (let j = 0; j < i; j++) if (pages[j].skeleton && skeletonDistance(pages[i].skeleton, pages[j].skeleton) <= maxDistance) union(i, j);
  }
  const members = new Map<number, string[]>();
  for (let i = 0; i < pages.length; i++) members.set(find(i), [...(members.get(find(i)) ?? []), pages[i].skeleton]);
  const ids = new Map<number, string>();
  for (const [root, skels] of members) ids.set(root, 'page-kit-' + createHash('sha1').update(skels.sort().join(',')).digest('hex').slice(0, 10));
  return pages.map((_, i) => ids.get(find(i))!);
}
