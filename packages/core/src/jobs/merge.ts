/**
 * Merges two per-member partials (maps from member id to state): entries present in only one
 * map are taken as they are; entries in both are folded by `combine(into, from)`. The larger map
 * is reused, so merging costs the size of the smaller one.
 */
export function mergeByKey<K, V>(a: Map<K, V>, b: Map<K, V>, combine: (into: V, from: V) => void): Map<K, V> {
  const [big, small] = a.size >= b.size ? [a, b] : [b, a];
  for (const [key, from] of small) {
    const into = big.get(key);
    if (into === undefined) big.set(key, from);
    else combine(into, from);
  }
  return big;
}
