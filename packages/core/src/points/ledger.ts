import { keys, SK } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import type { Page, PageArgs } from "../shared/page.js";
import type { PointsEntry } from "./types.js";

/** A member's ledger, newest first (entry ids are ULIDs, so key order is time order). */
export async function listLedger(tenantId: string, memberId: string, args: PageArgs): Promise<Page<PointsEntry>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `ledger:${memberId}`, { pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.points }, args);
  return { ...page, items: page.items.map(({ pk: _p, sk: _s, ...e }) => e as unknown as PointsEntry) };
}
