import { queryAscending } from "../db/query.js";
import { contentKeys } from "./keys.js";
import { publishScheduled } from "./status.js";
import { findContent } from "./store.js";

export interface PublishResult {
  /** Scheduled items found due. */
  due: number;
  /** Of those, flipped to PUBLISHED by this run (the rest were changed by someone else first). */
  published: number;
  contentIds: string[];
}

const PAGE = 100;

/**
 * The publisher: flips every SCHEDULED item whose publish time has passed to PUBLISHED. Reads
 * the tenant's scheduled list in publish-time order up to now (a Query, never a scan), so a
 * run costs the due items only. Readers already see due items as published; this makes the
 * stored status, the lists' status partitions and the pyramid counts catch up. Rerun-safe: an
 * item already flipped is not due any more.
 */
export async function publishDueContent(tenantId: string, now = new Date()): Promise<PublishResult> {
  const q = { pk: contentKeys.list(tenantId, "SCHEDULED", "ALL", "ALL"), skTo: `${now.toISOString()}#\uffff` };
  const result: PublishResult = { due: 0, published: 0, contentIds: [] };
  let above: string | undefined;
  for (;;) {
    const page = await queryAscending<{ contentId: string; sk: string }>(q, PAGE, above);
    for (const entry of page.items) {
      result.due++;
      const stored = await findContent(tenantId, entry.contentId, true);
      if (!stored) continue;
      const done = await publishScheduled(stored, now);
      if (done) {
        result.published++;
        result.contentIds.push(done.contentId);
      }
    }
    if (!page.more || !page.lastSk) return result;
    above = page.lastSk;
  }
}
