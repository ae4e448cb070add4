/** The CLV distribution of a member base (deciles) and its top members, for the snapshot. */

export interface DecileGroup {
  /** 1 = the top 10% of members by CLV, 10 = the bottom 10%. */
  decile: number;
  members: number;
  min: number;
  max: number;
  total: number;
  mean: number;
  /** This decile's share of the total CLV (0 when the total is 0). */
  share: number;
}

export interface ClvDistribution {
  members: number;
  total: number;
  mean: number;
  min: number;
  max: number;
  /** Cut points at 10%, 20%, …, 90% (linear interpolation between order statistics, R type 7). */
  quantiles: { p: number; value: number }[];
  /** Members ranked by CLV, highest first, split in ten groups of ⌊n/10⌋ or ⌈n/10⌉ members. */
  deciles: DecileGroup[];
}

export function clvDistribution(values: Iterable<number>): ClvDistribution {
  const v = Float64Array.from(values).sort(); // typed-array sort is numeric ascending
  const n = v.length;
  if (n === 0) return { members: 0, total: 0, mean: 0, min: 0, max: 0, quantiles: [], deciles: [] };
  let total = 0;
  for (const x of v) total += x;
  const quantile = (p: number): number => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = v[lo] as number;
    return lo + 1 < n ? a + (h - lo) * ((v[lo + 1] as number) - a) : a;
  };
  const quantiles = Array.from({ length: 9 }, (_, i) => ({ p: (i + 1) / 10, value: quantile((i + 1) / 10) }));
  const deciles: DecileGroup[] = [];
  for (let d = 1; d <= 10; d++) {
    // Rank (0 = highest) range of decile d; ascending index i holds rank n−1−i.
    const from = Math.floor(((d - 1) * n) / 10);
    const to = Math.floor((d * n) / 10);
    if (to === from) continue;
    let sum = 0;
    for (let rank = from; rank < to; rank++) sum += v[n - 1 - rank] as number;
    deciles.push({ decile: d, members: to - from, min: v[n - to] as number, max: v[n - 1 - from] as number, total: sum, mean: sum / (to - from), share: total === 0 ? 0 : sum / total });
  }
  return { members: n, total, mean: total / n, min: v[0] as number, max: v[n - 1] as number, quantiles, deciles };
}

/**
 * The n items with the highest CLV, highest first; ties by id ascending so reruns agree.
 * A bounded min-heap: O(members · log n) time and O(n) memory, for bases of millions.
 */
export function topMembers<T extends { memberId: string; clv: number }>(items: Iterable<T>, n: number): T[] {
  // "a ranks below b": lower CLV, or equal CLV and larger id.
  const below = (a: T, b: T) => a.clv < b.clv || (a.clv === b.clv && a.memberId > b.memberId);
  const heap: T[] = [];
  const swap = (i: number, j: number) => {
    const t = heap[i] as T;
    heap[i] = heap[j] as T;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!below(heap[i] as T, heap[parent] as T)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && below(heap[l] as T, heap[m] as T)) m = l;
      if (r < heap.length && below(heap[r] as T, heap[m] as T)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  if (n <= 0) return [];
  for (const item of items) {
    if (heap.length < n) {
      heap.push(item);
      up(heap.length - 1);
    } else if (below(heap[0] as T, item)) {
      heap[0] = item;
      down(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}
