import { queryAll } from "../db/query.js";
import { contentKeys } from "./keys.js";
import { findContent, writeContent } from "./store.js";
import type { ContentItem } from "./types.js";

export const ERASED_TITLE = "(removed at the author's request)";

/**
 * Part of erasing a member: their own posts (UGC) hold what they wrote and linked, so each is
 * archived and emptied (title replaced, body and media link removed); its counters stay (no
 * personal data). Item by item, each with its list entries and counts in one transaction, and
 * safe to run again: an emptied item is skipped.
 */
export async function eraseAuthorContent(tenantId: string, memberId: string): Promise<number> {
  const entries = await queryAll<{ contentId: string }>({ pk: contentKeys.list(tenantId, "ANY", "MEMBER", memberId) }, true);
  let erased = 0;
  for (const { contentId } of entries) {
    const before = await findContent(tenantId, contentId, true);
    if (!before || before.authorErased) continue;
    const now = new Date().toISOString();
    const after: ContentItem = { ...before, title: ERASED_TITLE, status: "ARCHIVED", archivedAt: before.archivedAt ?? now, authorErased: true, revision: before.revision + 1, updatedAt: now };
    delete after.body;
    delete after.mediaUrl;
    delete after.publishAt;
    await writeContent(before, after);
    erased++;
  }
  return erased;
}
