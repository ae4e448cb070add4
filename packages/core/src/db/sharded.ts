import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { ValidationError } from "../shared/errors.js";
import { pageSize, type Page, type PageArgs } from "../shared/page.js";
import { queryDescending, type IndexName } from "./query.js";

/**
 * A list spread over several partitions (shards) to keep a big tenant off one hot key, read as
 * one list ordered by sort key, newest first. Each page queries every shard in parallel (one
 * round trip), merges, and remembers per shard the last sort key it handed out; exhausted
 * shards are skipped on later pages.
 */
type ShardState = string | 0 | 1; // last sort key taken, 0 = not started, 1 = exhausted

export interface ShardedQuery {
  index: IndexName;
  partitions: string[];
  skFrom?: string;
  skTo?: string;
}

export async function queryShardedPage<T extends Record<string, unknown>>(
  tenantId: string,
  scope: string,
  q: ShardedQuery,
  args: PageArgs,
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const skField = q.index ? `${q.index}sk` : "sk";
  let state: ShardState[] = q.partitions.map(() => 0);
  if (args.after) {
    const decoded = decodeCursor<{ s: ShardState[] }>(tenantId, scope, args.after).s;
    if (!Array.isArray(decoded) || decoded.length !== q.partitions.length) {
      throw new ValidationError("the cursor is invalid or belongs to another list", "after");
    }
    state = decoded;
  }

  const results = await Promise.all(
    q.partitions.map(async (pk, shard) => {
      const s = state[shard];
      if (s === 1) return { shard, items: [] as T[], more: false };
      const below = typeof s === "string" ? s : undefined;
      const r = await queryDescending<T>({ index: q.index, pk, skFrom: q.skFrom, skTo: q.skTo }, limit, below);
      return { shard, ...r };
    }),
  );

  const merged = results
    .flatMap((r) => r.items.map((item) => ({ item, shard: r.shard, sk: item[skField] as string })))
    .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
  const taken = merged.slice(0, limit);

  const next: ShardState[] = [...state];
  const cursors: string[] = [];
  for (const { shard, sk } of taken) {
    next[shard] = sk;
    cursors.push(encodeCursor(tenantId, scope, { s: [...next] }));
  }
  // A shard whose every returned item was taken and that has nothing more is exhausted.
  for (const r of results) {
    const takenFromShard = taken.filter((t) => t.shard === r.shard).length;
    if (state[r.shard] !== 1 && !r.more && takenFromShard === r.items.length) next[r.shard] = 1;
  }
  const hasNextPage = next.some((s) => s !== 1);
  const endCursor = taken.length > 0 || hasNextPage ? encodeCursor(tenantId, scope, { s: next }) : null;
  if (cursors.length > 0) cursors[cursors.length - 1] = endCursor ?? cursors[cursors.length - 1]!;
  return { items: taken.map((t) => t.item), cursors, endCursor, hasNextPage };
}
