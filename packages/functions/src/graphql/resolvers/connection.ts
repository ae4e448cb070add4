import type { Page } from "@growth/core/shared";

/** A core page as a Relay connection: edges with cursors, and pageInfo. */
export function toConnection<T, N = T>(page: Page<T>, map: (item: T) => N = (x) => x as unknown as N) {
  return {
    edges: page.items.map((item, i) => ({ cursor: page.cursors[i]!, node: map(item) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}
